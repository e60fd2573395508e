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
}
