import PicketCore
import PicketLogs
import Testing

struct LineCase: CustomTestStringConvertible, Sendable {
    var line: String
    var format: DecodedLine.Format
    var time: String? = nil
    var host: String? = nil
    var app: String? = nil
    var pid: String? = nil
    var msg: String? = nil
    var problem: String? = nil
    var testDescription: String { line }
}

/// Fixed reference time for BSD syslog's missing year: 2026-11-27T12:00:00Z.
let reference = Timestamp(seconds: 1_795_780_800, nanos: 0)

let lineCases: [LineCase] = [
    // RFC 3164 examples (section 5.4) and what files hold.
    LineCase(line: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", format: .syslog,
             time: "2026-10-11T22:14:15.000000+0000", host: "mymachine", app: "su", msg: "'su root' failed for lonvick on /dev/pts/8"),
    LineCase(line: "Nov 27 06:32:51 gw sshd[1234]: Failed password for root from 203.0.113.9 port 2222 ssh2", format: .syslog,
             time: "2026-11-27T06:32:51.000000+0000", host: "gw", app: "sshd", pid: "1234",
             msg: "Failed password for root from 203.0.113.9 port 2222 ssh2"),
    LineCase(line: "Dec 31 23:59:59 gw kernel: late", format: .syslog, time: "2025-12-31T23:59:59.000000+0000",
             host: "gw", app: "kernel", msg: "late"),
    LineCase(line: "Feb  3 01:02:03 host cron[7]: x", format: .syslog, time: "2026-02-03T01:02:03.000000+0000", host: "host", app: "cron", pid: "7", msg: "x"),
    // RFC 5424 examples (section 6.5).
    LineCase(line: "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed for lonvick on /dev/pts/8",
             format: .syslog, time: "2003-10-11T22:14:15.003000+0000", host: "mymachine.example.com", app: "su",
             msg: "BOM'su root' failed for lonvick on /dev/pts/8"),
    LineCase(line: "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
             format: .syslog, time: "2003-08-24T12:14:15.000003+0000", host: "192.0.2.1", app: "myproc", pid: "8710",
             msg: "%% It's time to make the do-nuts."),
    LineCase(line: #"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event"#,
             format: .syslog, host: "mymachine.example.com", app: "evntslog", msg: "An application event"),
    // rsyslog's precise file format.
    LineCase(line: "2026-11-27T06:32:51.123456+01:00 gw named[99]: query: evil.example IN A", format: .syslog,
             time: "2026-11-27T05:32:51.123456+0000", host: "gw", app: "named", pid: "99", msg: "query: evil.example IN A"),
    // JSON lines.
    LineCase(line: #"{"timestamp":"2026-11-27T06:32:51.5Z","event":{"src":"10.0.0.1"}}"#, format: .json, time: "2026-11-27T06:32:51.500000+0000"),
    LineCase(line: #"{"@timestamp":"2026-01-02T03:04:05Z","msg":"x"}"#, format: .json, time: "2026-01-02T03:04:05.000000+0000"),
    LineCase(line: #"{"ts":1795780800.25,"a":[1,2,{"b":null}]}"#, format: .json, time: "2026-11-27T12:00:00.250000+0000"),
    LineCase(line: #"{"no":"time"}"#, format: .json),
    LineCase(line: #"{"broken": }"#, format: .text, problem: "decoder.json.invalid"),
    LineCase(line: "{\"x\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}",
             format: .text, problem: "decoder.json.too_deep"),
    // Plain text with a leading time.
    LineCase(line: "2026-11-27 06:32:51 something happened", format: .text, time: "2026-11-27T06:32:51.000000+0000"),
    LineCase(line: "1795780800 epoch seconds", format: .text, time: "2026-11-27T12:00:00.000000+0000"),
    LineCase(line: "1795780800123 epoch milliseconds", format: .text, time: "2026-11-27T12:00:00.123000+0000"),
    LineCase(line: "[2026-11-27T06:32:51Z] bracketed", format: .text, time: "2026-11-27T06:32:51.000000+0000"),
    LineCase(line: "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C", format: .text),
    LineCase(line: "12345 is not a time", format: .text),
    LineCase(line: "a\u{0}b", format: .text, problem: "decoder.line.binary"),
    // A NUL terminator at the end (network devices send C strings) does not make a line binary;
    // one inside still does.
    LineCase(line: "<34>Oct 11 22:14:15 mymachine su: EVIL attempt\u{0}", format: .syslog, host: "mymachine", app: "su",
             msg: "EVIL attempt"),
    LineCase(line: "{\"msg\":\"x\"}\u{0}\u{0}", format: .json),
    // `app[` never closed: no tag; the message keeps everything after the host.
    LineCase(line: "<34>Oct 11 22:14:15 host sshd[123 EVIL", format: .syslog, host: "host", msg: "sshd[123 EVIL"),
    // A byte order mark opening an RFC 3164 message is not part of it.
    LineCase(line: "<34>Oct 11 22:14:15 host app: \u{FEFF}EVIL", format: .syslog, app: "app", msg: "EVIL"),
]

@Suite struct LogDecoderTests {
    @Test(arguments: lineCases)
    func decode(_ c: LineCase) {
        var d = DecodedLine()
        let bytes = Array(c.line.utf8)
        bytes.withUnsafeBytes { LogDecoder(reference: reference).decode($0, into: &d) }
        func text(_ r: Range<Int>?) -> String? { r.map { String(decoding: bytes[$0], as: UTF8.self) } }
        #expect(d.problem?.name == c.problem)
        #expect(d.format == c.format)
        if let t = c.time { #expect(d.timestamp?.iso8601 == t) } else if c.format != .syslog { #expect(d.timestamp == nil) }
        if let h = c.host { #expect(text(d.host) == h) }
        if let a = c.app { #expect(text(d.app) == a) }
        if let p = c.pid { #expect(text(d.pid) == p) }
        if let m = c.msg { #expect(text(d.message) == m) }
    }

    @Test("JSON fields are addressable by dotted path")
    func dottedPaths() {
        let line = Array(#"{"a":{"b":{"c":"deep","n":42}},"list":[1,2],"flag":true,"s":"x\"y"}"#.utf8)
        var d = DecodedLine()
        line.withUnsafeBytes { buf in
            LogDecoder(reference: reference).decode(buf, into: &d)
            withUnsafePointer(to: d) { p in
                let e = LineEvent(line: buf, decoded: p, origin: Origin(input: 0, position: .line(1)), readTime: reference)
                #expect(e.kind == .json)
                #expect(e.timeSource == .read)
                if case .text(let v) = e.field("a.b.c") { #expect(String(decoding: v, as: UTF8.self) == "deep") } else { Issue.record("a.b.c") }
                if case .int(let v) = e.field("a.b.n") { #expect(v == 42) } else { Issue.record("a.b.n") }
                if case .int(let v) = e.field("json.a.b.n") { #expect(v == 42) } else { Issue.record("json.a.b.n") }
                if case .bool(let v) = e.field("flag") { #expect(v) } else { Issue.record("flag") }
                if case .text(let v) = e.field("list") { #expect(String(decoding: v, as: UTF8.self) == "[1,2]") } else { Issue.record("list") }
                #expect(e.field("a.missing") == nil)
                #expect(e.field("list.0") == nil)
            }
        }
    }

    /// Lines nothing will match are only classified (`classify`), so counting them must come
    /// out as decoding them would: the same problem, column and reason.
    @Test("classify gives the problem decode gives", arguments: lineCases.map(\.line) + [
        "  {\"a\": [1, 2", "\t{}", "{\"a\":1} x", "{", "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}x", "x\u{1}yyyyyyyyyyyyyyyyyy",
        "<13>{\"a\":", " ", "\u{1B}[31mred\u{1B}[0m", "{\"a\":\"\u{1}\"}", "{\"a\":\"\u{0}\"}", "{\"a\":1}\u{0}",
        "{\u{1}\u{2}\u{3}\u{4}\u{5}}", "{\"a\":\"\\u0000\\t\"}", "{\"k\":\"\u{7F}\u{80}\"}",
    ])
    func classifyAgreesWithDecode(_ line: String) {
        let bytes = Array(line.utf8)
        var full = DecodedLine(), quick = DecodedLine()
        let decoder = LogDecoder(reference: reference)
        bytes.withUnsafeBytes {
            decoder.decode($0, into: &full)
            decoder.classify($0, into: &quick)
        }
        #expect(quick.problem == full.problem)
        #expect(quick.problemColumn == full.problemColumn)
        #expect(quick.problemDetail == full.problemDetail)
    }

    @Test("a block of lines has control bytes when some byte is below 0x20 but not a tab", arguments: [
        ("", false), ("abc", false), ("a\tb\tc\t\t\t\t\t\t\t\t", false), ("0123456789abcdef\u{7F}\u{80}", false),
        ("a\u{0}b", true), ("0123456789abcdefg\u{1}", true), ("\u{1B}[31m", true), ("line one\rline two", true),
        ("\t\t\t\t\t\t\t\u{1}", true),
    ])
    func controlBytes(_ text: String, _ expected: Bool) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { LogDecoder.hasControlBytes($0) } == expected)
    }

    @Test("JSON validation", arguments: [
        (#"{}"#, true), (#"{"a":1.5e-3,"b":-0,"c":"\u00e9\n"}"#, true), (#"{"a":01}"#, false), (#"{"a":1,}"#, false),
        (#"{"a":"unterminated}"#, false), (#"{"a":tru}"#, false), (#"{"a":1} trailing"#, false), (#"{"a":"\x"}"#, false),
    ])
    func validation(_ text: String, _ valid: Bool) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { JSONScanner.validate($0) == nil } == valid)
    }
}

