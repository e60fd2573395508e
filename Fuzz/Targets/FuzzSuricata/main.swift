// The Suricata/Snort rule loader (SuricataLoader: header, variables, ports, options, content
// modifiers, pcre). The input is a rules file's text. Invariants:
// - loading is a function of the text (twice gives the same rules, errors and warnings);
// - every rule, error and warning has a location inside the file (line 1…lines, column ≥ 1);
// - each rule has a sid; its port ranges are ordered and within 0…65535;
// - one input in four: the rules that loaded, as `picket scan -s` loads them, match a few small
//   suricata-verify captures (HTTP, DNS, midstream TCP, pcre) without a trap, every packet
//   counted (rules are evaluated, not only parsed: their numbers reach the matcher's arithmetic).
import Foundation
import FuzzSupport
import PicketCore
import PicketScan
import PicketSignatures

/// ../shared/corpus beside the repository (this file is Fuzz/Targets/FuzzSuricata/main.swift).
let suricataVerify = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/corpus/suricata-verify").path
let captures: [String] = ["http-uri-spaces", "dns-detect-query-02", "bug-6269-01", "alert-testmyids-midstream", "detect-pcre-03"].map {
    let path = "\(suricataVerify)/\($0)/input.pcap"
    if !FileManager.default.fileExists(atPath: path) { invariantFailed("the capture \(path) is missing (../shared/corpus)") }
    return path
}
let rulesPath = "/dev/shm/picket-fuzz-suricata-\(getpid()).rules"
let devNull = OutputFile(fd: open("/dev/null", O_WRONLY))

/// Load `text` as a rules file the way `picket scan -s` does and scan the captures with it.
func evaluate(_ text: String) {
    FileManager.default.createFile(atPath: rulesPath, contents: Data(text.utf8))
    let loaded = SignatureSet.load(paths: [rulesPath])
    guard let set = loaded.set, !set.signatures.isEmpty, let compiled = try? CompiledSet(set: set, cacheFolder: nil),
          let matcher = try? Matcher(compiled) else { return }
    let writer = FindingWriter(output: devNull, format: .eve, filter: FindingFilter(), includePayload: true, keepRecords: true)
    do {
        let scanner = try PicketScan.Scanner(options: ScanOptions(), sink: MatchingSink(matcher: matcher, writer: writer), report: { _ in })
        scanner.scan(captures.map { .file($0) })
        let c = scanner.stats.packets
        require(c.total == c.decoded + c.malformed + c.skipped && c.total > 0, "packets: \(c)")
        require(scanner.stats.damaged.isEmpty, "damage in the fixed captures: \(scanner.stats.damaged)")
        require(scanner.sink.writer.total == (scanner.sink.writer.records?.count ?? -1), "findings written and kept differ")
    } catch {
        invariantFailed("scanner setup: \(error)")
    }
}

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
    // The lines of the rules that loaded (the first of each sid): a set with any error is not
    // scanned at all, and most fuzz inputs have one.
    if !result.rules.isEmpty && inputHash(input) % 4 == 0 {
        let textLines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var sids = Set<Int>()
        let kept = result.rules.filter { sids.insert($0.sid).inserted && $0.location.line <= textLines.count }
            .map { String(textLines[$0.location.line - 1]) }
        evaluate(kept.joined(separator: "\n") + "\n")
    }
}
