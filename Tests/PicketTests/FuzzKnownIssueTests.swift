import Foundation
import PicketSignatures
import Testing

/// Problems the fuzzers found in code this branch does not change (the Suricata rule loader is
/// being written on main), kept as known issues: each test records the issue while the bug is
/// there, and fails — saying the issue was not recorded — once it is fixed, so it can then be
/// turned into a plain regression test.
@Suite struct FuzzKnownIssueTests {
    /// FuzzSuricata: `SuricataLoader.load` splits the text with `split(separator: "\n")` on
    /// `String`, where "\r\n" is one Character: a rules file with CRLF line ends is read as one
    /// line, so its rules run together (one rule, or an error, instead of two).
    @Test func suricataRulesWithCRLFLineEnds() {
        let text = "alert tcp any any -> any any (msg:\"a\"; sid:1;)\r\nalert tcp any any -> any any (msg:\"b\"; sid:2;)\r\n"
        withKnownIssue("CRLF rules files are read as one line (SuricataLoader.load)") {
            let r = SuricataLoader(file: "crlf.rules").load(text)
            #expect(r.rules.map(\.sid) == [1, 2])
            #expect(r.errors.isEmpty)
        }
    }

    /// FuzzSuricata: errors raised while parsing ports, addresses, content hex and modifiers
    /// are thrown with `column: 0` and reported at `file:line:0` instead of where they are.
    @Test func suricataErrorColumnsStartAtOne() {
        let r = SuricataLoader(file: "c.rules").load("alert tcp any any -> any 99999 (msg:\"x\"; sid:1;)\n")
        #expect(r.errors.count == 1)
        withKnownIssue("errors from SuricataLoader.ports/addresses/options are placed at column 0") {
            #expect(r.errors.allSatisfy { $0.location.column >= 1 }, "\(r.errors)")
        }
    }

    /// FuzzSuricata: an address or port list item that starts with '[' but is not closed
    /// (`-> [ny any`, `[[a,b]x]`) makes `addresses`/`ports` call `add` on the same string again
    /// and again until the stack overflows: a rules file can crash picket. Not run here (it
    /// would crash the test process); `Fuzz/Regressions/FuzzSuricata-known/` has the input.
    @Test(.disabled("crashes the process: SuricataLoader.addresses/ports recurse forever on an unclosed '['"))
    func suricataUnclosedBracketInAddressList() {
        let r = SuricataLoader(file: "b.rules").load("alert http any any -> [ny any (msg:\"x\"; sid:1;)\n")
        #expect(r.rules.isEmpty && r.errors.count == 1)
    }
}
