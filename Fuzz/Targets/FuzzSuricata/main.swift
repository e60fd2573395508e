// The Suricata/Snort rule loader (SuricataLoader: header, variables, ports, options, content
// modifiers, pcre). The input is a rules file's text. Invariants:
// - loading is a function of the text (twice gives the same rules, errors and warnings);
// - every rule, error and warning has a location inside the file (line 1…lines, column ≥ 1);
// - each rule has a sid; its port ranges are ordered and within 0…65535.
import FuzzSupport
import PicketSignatures

runFuzzer { input in
    let text = String(decoding: input, as: UTF8.self)
    // Lines as the loader counts them ("\r\n" is one Character in Swift).
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).count
    let loader = SuricataLoader(file: "fuzz.rules")
    let result = loader.load(text)
    func inside(_ l: SourceLocation) -> Bool { l.file == "fuzz.rules" && l.line >= 1 && l.line <= lines && l.column >= 1 }
    for e in result.errors { require(inside(e.location), "error at \(e.location) outside the \(lines)-line file: \(e.message)") }
    for w in result.warnings { require(inside(w.location), "warning at \(w.location) outside the file: \(w.keyword)") }
    require(result.rules.count <= lines, "\(result.rules.count) rules from \(lines) lines")
    for r in result.rules {
        require(inside(r.location), "rule at \(r.location) outside the file")
        for ports in [r.sourcePorts, r.destinationPorts] {
            for range in ports.include + ports.exclude {
                require(range.lowerBound >= 0 && range.upperBound <= 65535, "port range \(range) of sid \(r.sid)")
            }
        }
    }
    let again = loader.load(text)
    require(again.rules.count == result.rules.count && again.errors.map(\.description) == result.errors.map(\.description)
                && again.warnings.count == result.warnings.count, "loading the same text twice differs")
}
