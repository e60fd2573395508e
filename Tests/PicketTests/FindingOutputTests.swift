import Foundation
import Testing

@Suite(.serialized) struct FindingOutputTests {
    static let samples = Paths.repo.appendingPathComponent("Samples").path

    @Test("findings on Samples validate against Suricata's EVE schema (Picket's own keys set aside)")
    func eveSchema() throws {
        let out = Paths.temporary("samples-findings.json")
        let r = try picket(["scan", Self.samples, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 2)
        let check = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            bad = 0
            for line in open(sys.argv[2]):
                f = json.loads(line)
                assert f["area"] in ("maritime", "cyber", "space")
                assert f["alert"]["metadata"]["area"] == [f["area"]]
                assert "entity" in f["picket"] and "evidence" in f["picket"]
                for k in ("area", "picket", "input", "line"):
                    f.pop(k, None)
                jsonschema.validate(f, schema)
            print("ok")
            """
        let script = Paths.temporary("eve-check.py")
        try check.write(toFile: script, atomically: true, encoding: .utf8)
        let v = try run("/usr/bin/env", ["python3", script, Paths.corpus("eve-schema/schema.json"), out])
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout.contains("ok"))
    }

    @Test("--area and --min-level filter findings; --fail-on exits 1 when a finding reaches the level")
    func filters() throws {
        let all = try picket(["scan", Self.samples, "--format", "eve"])
        let areas = all.stdout.split(separator: "\n").compactMap { l in
            (try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])?["area"] as? String
        }
        #expect(Set(areas).count >= 2)
        let space = try picket(["scan", Self.samples, "--format", "eve", "--area", "space"])
        #expect(!space.stdout.isEmpty)
        #expect(!space.stdout.contains("\"area\":\"cyber\""))
        let high = try picket(["scan", Self.samples, "--format", "eve", "--min-level", "high"])
        #expect(!high.stdout.contains("\"level\":\"medium\""))
        #expect(high.stdout.contains("\"level\":\"high\""))
        #expect(try picket(["scan", Self.samples, "--fail-on", "high", "-o", "/dev/null"]).status == 1)
        #expect(try picket(["scan", Self.samples, "--fail-on", "critical", "-o", "/dev/null"]).status == 0)
        #expect(try picket(["scan", Self.samples, "--min-level", "severe"]).status == 2)
    }

    @Test("text findings escape terminal control sequences from the input")
    func textEscaping() throws {
        let sig = Paths.temporary("esc.yml")
        try """
            title: marker
            id: esc-test
            area: cyber
            level: low
            logsource: {category: syslog}
            detection:
              s: {syslog.msg|contains: marker}
              condition: s
            """.write(toFile: sig, atomically: true, encoding: .utf8)
        let log = Paths.temporary("esc.log")
        try "Nov 27 08:00:00 h\u{1b}]0;pwned\u{7} app: marker \u{1b}[2J\u{1b}[31mred\r\n".write(toFile: log, atomically: true, encoding: .utf8)
        let r = try picket(["scan", "-s", sig, log, "--format", "text"])
        #expect(r.status == 0)
        #expect(!r.stdout.contains("\u{1b}"))
        #expect(!r.stdout.contains("\u{7}"))
        #expect(r.stdout.contains("\\x1b[2J"))
        let eve = try picket(["scan", "-s", sig, log, "--format", "eve"])
        #expect(!eve.stdout.contains("\u{1b}"))
        #expect(eve.stdout.contains("\\u001b[2J"))
    }

    @Test("--payload adds the matched bytes as EVE does")
    func payload() throws {
        let r = try picket(["scan", Self.samples, "--format", "eve", "--payload", "--area", "space"])
        let f = try #require(try JSONSerialization.jsonObject(with: Data((r.stdout.split(separator: "\n").first ?? "").utf8)) as? [String: Any])
        let printable = try #require(f["payload_printable"] as? String)
        let encoded = try #require(f["payload"] as? String)
        let decoded = try #require(Data(base64Encoded: encoded))
        // Suricata's form: printable ASCII, CR and LF as they are, every other byte a dot.
        let expected = String(decoding: decoded.map { ($0 >= 0x20 && $0 < 0x7F) || $0 == 10 || $0 == 13 ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
        #expect(printable == expected)
    }

    @Test("payload_printable is Suricata's: binary bytes become dots")
    func payloadPrintableOfBinary() throws {
        let rules = Paths.temporary("printable.rules")
        try "alert udp any any -> any any (msg:\"bin\"; content:\"|DE AD|\"; sid:9;)\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let pcap = Paths.temporary("printable.pcap")
        try writePcap(pcap, frames: [udpFrame([0x41, 0xDE, 0xAD, 0x00, 0x0A, 0xC3, 0xA9, 0x42])])
        let r = try picket(["scan", "-s", rules, "--format", "eve", "--payload", "--no-progress", pcap])
        let f = try #require(try JSONSerialization.jsonObject(with: Data((r.stdout.split(separator: "\n").first ?? "").utf8)) as? [String: Any])
        #expect(f["payload_printable"] as? String == "A...\n..B", "\(r.stdout) \(r.stderr)")
    }

    @Test("an empty signature set warns and still counts")
    func emptySet() throws {
        let dir = Paths.temporary("empty-set")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try picket(["scan", "-s", dir, Self.samples])
        #expect(r.status == 0)
        #expect(r.stderr.contains("no signatures loaded"))
        #expect(r.stdout.isEmpty)
    }
}
