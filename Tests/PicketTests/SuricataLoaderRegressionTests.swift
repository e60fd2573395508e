import Foundation
import PicketSignatures
import Testing

/// Bugs the fuzzers (FuzzSuricata) found in the Suricata rule loader, each a regression test
/// named after what broke.
@Suite struct SuricataLoaderRegressionTests {
    /// `split(separator: "\n")` on a String left "\r\n" (one Character) unsplit: a CRLF rules
    /// file was read as one line.
    @Test func crlfRuleFilesSplitIntoLines() {
        let text = "alert tcp any any -> any any (msg:\"a\"; sid:1;)\r\nalert tcp any any -> any any (msg:\"b\"; sid:2;)\r\n"
        let r = SuricataLoader(file: "crlf.rules").load(text)
        #expect(r.rules.map(\.sid) == [1, 2])
        #expect(r.errors.isEmpty)
    }

    /// Errors from ports, addresses and options were reported at column 0.
    @Test func errorColumnsStartAtOne() {
        let r = SuricataLoader(file: "c.rules").load("alert tcp any any -> any 99999 (msg:\"x\"; sid:1;)\n")
        #expect(r.errors.count == 1)
        #expect(r.errors.allSatisfy { $0.location.column >= 1 }, "\(r.errors)")
    }

    /// An unclosed '[' in an address or port list recursed until the stack overflowed.
    @Test(arguments: ["alert http any any -> [ny any (msg:\"x\"; sid:1;)\n",
                      "alert tcp [[1.2.3.4,5.6.7.8]x] any -> any any (msg:\"x\"; sid:1;)\n",
                      "alert tcp any [80 -> any any (msg:\"x\"; sid:1;)\n",
                      "alert tcp " + String(repeating: "[", count: 40) + "1.2.3.4" + String(repeating: "]", count: 40) + " any -> any any (msg:\"x\"; sid:1;)\n"])
    func unclosedOrDeepListIsAnError(_ text: String) {
        let r = SuricataLoader(file: "b.rules").load(text)
        #expect(r.rules.isEmpty && r.errors.count == 1, "\(r.errors)")
    }

    /// Found reading the matcher after a time overflow: `depth:9223372036854775807` (or a
    /// distance or within as large) loaded, then `offset + depth` overflowed and trapped on the
    /// first packet checked. Content positions are now bounded at load, as Suricata bounds them.
    @Test(arguments: [("depth:9223372036854775807", "'depth' must be between 0 and 1048576"),
                      ("offset:-1", "'offset' must be between 0 and 1048576"),
                      ("distance:9223372036854775807", "'distance' must be between -1048576 and 1048576"),
                      ("within:-9223372036854775807", "'within' must be between -1048576 and 1048576")])
    func contentPositionsOutOfRangeAreErrors(_ option: String, _ message: String) {
        let r = SuricataLoader(file: "p.rules").load("alert tcp any any -> any any (msg:\"x\"; content:\"G\"; content:\"E\"; \(option); sid:1;)\n")
        #expect(r.rules.isEmpty && r.errors.map(\.message) == [message], "\(r.errors)")
    }

    /// FuzzSuricata: a port range with a negative start (`-4:5`) loaded as the range -4...5.
    @Test func negativePortRangeIsAnError() {
        let r = SuricataLoader(file: "n.rules").load("alert tcp any any -> any -4:5 (msg:\"x\"; sid:1;)\n")
        #expect(r.rules.isEmpty && r.errors.map(\.message) == ["bad port range '-4:5'"], "\(r.errors)")
    }
}
