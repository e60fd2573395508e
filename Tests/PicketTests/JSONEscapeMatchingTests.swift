import Foundation
import PicketCore
import Testing

/// A JSON log line's field values are its strings unescaped. Matching the escaped bytes let
/// `"\u0045VIL"` past `contains: EVIL`, and missed every URL a PHP logger wrote (`\/`).
@Suite struct JSONEscapeMatchingTests {
    @Test(arguments: [
        (#"plain"#, "plain"),
        (#"\u0045VIL"#, "EVIL"),
        (#"http:\/\/evil.example\/x"#, "http://evil.example/x"),
        (#"q\"uote\" back\\slash"#, "q\"uote\" back\\slash"),
        (#"\b\f\n\r\t"#, "\u{8}\u{c}\n\r\t"),
        (#"\u00e9\u4e2d\ud83d\udea2"#, "é中🚢"),
        (#"lone \ud800 and \udc00"#, "lone \u{FFFD} and \u{FFFD}"),
        (#"not \x an escape, \u12 short, end\"#, #"not \x an escape, \u12 short, end\"#),
    ])
    func unescape(_ escaped: String, _ text: String) {
        let got = Array(escaped.utf8).withUnsafeBytes { JSONText.unescaped($0) }
        #expect(got == text)
    }

    static let signatures = """
        title: Evil message
        id: evil-msg
        area: cyber
        level: high
        logsource: {category: json}
        detection:
          sel:
            msg|contains: EVIL
          condition: sel
        ---
        title: Evil download
        id: evil-url
        area: cyber
        level: high
        logsource: {category: json}
        detection:
          sel:
            url|contains: evil.example/payload
          condition: sel
        """

    /// Escaped values and keys match as their text does (field literals are prefiltered on
    /// the field's value, so the text is what the prefilter sees too), with one thread and two;
    /// the evidence shows the text.
    @Test(arguments: [1, 2])
    func escapedValuesAndKeysMatch(threads: Int) throws {
        let sigs = Paths.temporary("json-escapes.yml")
        try Self.signatures.write(toFile: sigs, atomically: true, encoding: .utf8)
        let log = Paths.temporary("json-escapes.log")
        let lines = [
            #"{"msg":"plain EVIL"}"#,
            #"{"msg":"\u0045VIL in disguise"}"#,
            #"{"m\u0073g":"EVIL under an escaped key"}"#,
            #"{"url":"http:\/\/evil.example\/payload.bin"}"#,
            #"{"msg":"nothing to see\n here"}"#,
            #"{"msg":"E\\VIL is not it"}"#,
            #"{"msg":["a","\u0045VIL in a list"]}"#,
        ]
        // Plenty of lines around them, so batches of lines are decoded ahead.
        var text = ""
        for k in 0..<2000 { text += "{\"msg\":\"routine \(k)\"}\n" }
        text += lines.joined(separator: "\n") + "\n"
        for k in 0..<2000 { text += "{\"msg\":\"routine \\/ \(k)\"}\n" }
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let r = try picket(["scan", "--signatures", sigs, "--format", "eve", "--no-progress", "--threads", "\(threads)",
                            "--decode-ahead-from", "0", log])
        #expect(r.status == 0, "\(r.stderr)")
        let findings = r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let lineNumbers = findings.compactMap { $0["line"] as? Int }.sorted()
        #expect(lineNumbers == [2001, 2002, 2003, 2004, 2007], "\(r.stdout)")
        let evidence = findings.compactMap { (($0["picket"] as? [String: Any])?["evidence"] as? [String: Any]) }
        #expect(evidence.contains { $0["msg"] as? String == "EVIL in disguise" }, "\(evidence)")
        #expect(evidence.contains { $0["url"] as? String == "http://evil.example/payload.bin" }, "\(evidence)")
    }
}
