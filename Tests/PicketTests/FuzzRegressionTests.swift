import Foundation
import PicketCore
import PicketLogs
import PicketIngest
import PicketNet
import PicketNMEA
import PicketSignatures
import PicketReport
import Testing

/// Bugs the fuzzers (Fuzz/) found, each a test named after what broke. The input that found
/// each one is also in `Fuzz/Regressions/<Target>/`, which every fuzz run replays first.
@Suite struct FuzzRegressionTests {
    /// Inflate everything, reading `chunk` compressed bytes at a time into `readSize`-byte buffers.
    func inflateAll(_ bytes: [UInt8], chunk: Int, readSize: Int) -> (output: [UInt8], error: IngestError?) {
        let compressed = InputBuffer(source: MemorySource(bytes, chunk: chunk), capacity: 64, maximumCapacity: 1 << 20)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: readSize)
        do {
            let source = try InflateSource(input: compressed, format: "gzip")
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { return (out, nil) }
                out += buffer[0..<n]
            }
        } catch {
            return (out, error as? IngestError)
        }
    }

    /// FuzzGzip: a gzip member cut short lost the last bytes zlib had decoded but not yet
    /// written (the rest of a match) when the read before the cut had no room for them: how
    /// much of a truncated file was delivered depended on read sizes. Now the inflater drains
    /// zlib before it reports the cut.
    @Test func gzipCutShortDeliversWhatZlibStillHolds() throws {
        let input = hex("""
            1f8b0800000000000203b5944d6b83301880effb15efb165a879dfc4d4f6  # gzip header, deflate data…
            363a76db06a3b7b28355dbc91c91c452f6ef67ec2efb089140c48b419f87
            3c89214632414c48ee88368c8d77caa6eb767a805ee921395d60fbf2fcb4
            e7e3f8eb06165aa96109dbc77b586467a3b3ae3d64f6c54caba11c9aa453
            27b3bca11f6cf2b22998cddd6c63deea3d00000000000000009a1afaf3a1
            6babf7e6138e4a83ea0d1cb5fa0064298d9881f3e973c819125902fdf209
            ef5c44e05cf88c3590c16ccc7d9db8653f946d672b95c65c94aea74856f7
            f01f8b0800000000000404360c88085ca7a677c8b490914104506610bf40
            82fa5bb3822c27d0ea3f8c1cb65cbd6494aea700                      # …cut inside a member
            """)
        let whole = inflateAll(input, chunk: Int.max, readSize: 1 << 16)
        let pieces = inflateAll(input, chunk: 1, readSize: 3)
        #expect(whole.error != nil && pieces.error != nil)
        #expect(whole.output.count == 987)
        #expect(pieces.output == whole.output)
        for chunk in [1, 2, 7] {
            for readSize in [1, 2, 3, 5, 64] {
                #expect(inflateAll(input, chunk: chunk, readSize: readSize).output == whole.output, "chunk \(chunk), reads of \(readSize)")
            }
        }
    }

    /// FuzzTLS: a client whose first segment held fewer than three bytes of a TLS record header
    /// (just `16`, or `16 03`) was decided to speak nothing Picket decodes, so its ClientHello
    /// gave no `tls` event; now detection waits for the third byte.
    @Test("a TLS record header split after its first or second byte still gives the ClientHello", arguments: [1, 2])
    func tlsRecordHeaderSplitBeforeThirdByte(_ cut: Int) throws {
        let record = hex(knownHello)
        var packets = [Build.seg(true, seq: 9, flags: F.syn, dport: 443), Build.seg(false, seq: 70, ack: 10, flags: F.syn | F.ack, dport: 443)]
        packets.append(Build.seg(true, seq: 10, ack: 71, Array(record[0..<cut]), dport: 443))
        packets.append(Build.seg(true, seq: 10 + UInt32(cut), ack: 71, Array(record[cut...]), dport: 443))
        let tls = runPipeline(packets).events.filter { $0.kind == .tls }
        #expect(tls.count == 1)
        #expect(tls.first?.value("tls.sni") as? String == "example.com")
        #expect(tls.first?.value("tls.ja3.hash") as? String == "6bfe35123df20afcf42aa008b0081ebf")
    }

    /// FuzzNative: `id: ''` — or `id: !abc`, where `!abc` is a YAML tag and the value is empty —
    /// loaded a signature with an empty id (every such signature would share one signature id).
    @Test("an empty id or title is an error", arguments: ["id: ''", "id: !c8a1b63-4f75", "id: '  '"])
    func nativeSignatureWithEmptyIDIsAnError(_ idLine: String) {
        let text = """
            title: t
            \(idLine)
            area: cyber
            level: low
            logsource: {category: dns}
            detection:
              s:
                dns.query: x
              condition: s
            """
        let (sigs, errors) = NativeLoader.load(file: "e.yml", text: text)
        #expect(sigs.isEmpty)
        #expect(errors.map(\.description) == ["e.yml:2:5: 'id' must not be empty"])
        let (_, titleErrors) = NativeLoader.load(file: "e.yml", text: text.replacingOccurrences(of: "title: t", with: "title: ''")
                                                    .replacingOccurrences(of: idLine, with: "id: x"))
        #expect(titleErrors.map(\.description) == ["e.yml:1:8: 'title' must not be empty"])
    }

    /// FuzzJSONLines, FuzzScan: a JSON line whose strings held bytes that are not UTF-8 (or a
    /// lone `\ud800` escape) was copied as it was into `picket decode`'s output, which strict
    /// JSON parsers then rejected. Now those become U+FFFD.
    @Test func jsonLineWithInvalidUTF8StaysValidJSON() throws {
        let path = Paths.temporary("invalid-utf8.jsonl")
        let line: [UInt8] = Array(#"{"timestamp":"2026-11-27T00:03:00Z","sens"#.utf8) + [0xFF, 0xC3]
            + Array(#"or":"a","s":"\ud800 \udc00 \ud83d\ude00"}"#.utf8)
        try Data(line + [10]).write(to: URL(fileURLWithPath: path))
        let r = try picket(["decode", path])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let json = try #require(object["json"] as? [String: Any])
        #expect(json["sens\u{FFFD}\u{FFFD}or"] as? String == "a")
        #expect(json["s"] as? String == "\u{FFFD} \u{FFFD} \u{1F600}")
    }

    /// FuzzTCP: a segment that filled the hole before held data and ran on into it, arriving
    /// when the direction already held as much as it may: holding its tail first declared the
    /// hole lost (moving the stream past it), and only then was its in-order head handed on —
    /// at the wrong stream offset, with a gap reported where no byte was missing, and a byte
    /// of the held data dropped. Now the head is handed on before the tail is held.
    @Test func tcpSegmentFillingHoleWhenHoldLimitReached() throws {
        func bytes(_ from: UInt32, _ to: UInt32) -> [UInt8] { (from..<to).map { UInt8(ascii: "a") + UInt8($0 % 26) } }
        var options = NetworkOptions()
        options.stream.maxPendingPerStream = 700
        let packets = [
            Build.seg(true, seq: 0, flags: F.syn),
            Build.seg(true, seq: 1, flags: F.ack, bytes(1, 101)),       // in order
            Build.seg(true, seq: 102, flags: F.ack, bytes(102, 343)),   // held: one byte missing before it
            Build.seg(true, seq: 344, flags: F.ack, bytes(344, 585)),   // held: another byte missing
            Build.seg(true, seq: 90, flags: F.ack, bytes(90, 331)),     // fills the first hole, runs into held data
        ]
        let r = runPipeline(packets, options: options)
        let expected = String(decoding: bytes(1, 343), as: UTF8.self) + "[1 missing]" + String(decoding: bytes(344, 585), as: UTF8.self)
        #expect(streams(r.events)["to_server"] == expected)
    }

    /// FuzzNMEA, FuzzGNSS: GNSS times that do not fit in nanoseconds trapped on integer
    /// overflow: a ZDA date in the year 4022 (allowed up to 9999), and a receive time from a
    /// leading `0026-11-27T…` (saturated at the low end of Int64) in the receiver clock's day
    /// arithmetic. Now such a sentence simply has no `gnss.time`, and times are subtracted as
    /// Double wherever the result is a duration.
    @Test func gnssTimesBeyondNanosecondRangeDoNotTrap() throws {
        let decoder = NMEADecoder()
        var stats = ScanStats()
        let lines = [
            nmea("$GPZDA,130713,01,06,4022,01,00"),
            nmea("$GPGGA,130714,5012.7914,N,00806.8796,W,1,08,1.0,100,M,48,M,,"),
            "0026-11-27T00:40:30Z " + nmea("$GPRMC,130715,A,5012.7914,N,00806.8796,W,0.5,3.1,010611,,A"),
            "0026-11-27T00:40:31Z " + nmea("$GPGGA,130716,5012.7914,N,00806.8796,W,0,08,1.0,100,M,48,M,,"),
            nmea("$GPGGA,130717,5012.7914,N,00806.8796,W,1,08,1.0,100,M,48,M,,"),
            "9999-12-31T23:59:59Z " + nmea("$GPGGA,235959,5012.7914,N,00806.8796,W,1,08,1.0,100,M,48,M,,"),
            "0026-11-27T00:40:31Z " + aisPosition(mmsi: 230_000_001, lat: 60, lon: 25),
            "9999-12-31T23:59:59Z " + aisPosition(mmsi: 230_000_001, lat: 61, lon: 25),
            // Another receiver that never sends a date: its clock comes from the receive time
            // (saturated), then from the time of day alone.
            "0026-11-27T00:40:30Z " + nmea("$GNGGA,130718,5012.7914,N,00806.8796,W,1,08,1.0,100,M,48,M,,"),
            nmea("$GNGGA,130719,5012.7914,N,00806.8796,W,0,08,1.0,100,M,48,M,,"),
        ]
        let events = decodeLines(lines, decoder: decoder, stats: &stats)
        #expect(events.count == lines.count)
        #expect(stats.lines.total == lines.count && stats.lines.malformed == 0)
        let zda = try #require(events.first?["gnss"] as? [String: Any])
        #expect(zda["time"] == nil)  // the year 4022 has no nanosecond time
    }

    /// FuzzNative: Yams reports duplicate mapping keys in no fixed order (from a hash set) and
    /// was reported at 1:1 with its own position buried in the text, so the same file gave a
    /// different error message from run to run. Now the keys are sorted and the error placed.
    @Test func nativeDuplicateKeysErrorIsTheSameEveryTime() {
        let text = "title: t\nid: x\nid: y\narea: cyber\nlevel: low\ntitle: u\nb: 1\nb: 2\nc: 1\nc: 2\n"
        let first = NativeLoader.load(file: "d.yml", text: text).errors.map(\.description)
        #expect(first == ["d.yml:7:1: YAML: duplicate key(s) 'b', 'c', 'id', 'title' in one mapping"])
        for _ in 0..<20 { #expect(NativeLoader.load(file: "d.yml", text: text).errors.map(\.description) == first) }
    }

    /// FuzzScan (matching as `picket scan` does): a log line dated 1531 gets the earliest time a
    /// timestamp holds (1677-09-21T00:12:43.145224192Z), written to the microsecond; reading
    /// that finding back for a summary went below Int64 nanoseconds and trapped, so
    /// `picket scan --summary` crashed on the line. Now a finding's time is held within ±2^62 ns
    /// for ordering, and what is shown is its own text.
    @Test func findingTimeBeyondNanosecondRangeDoesNotTrapTheSummary() throws {
        let log = Paths.temporary("year-1531.log"), sigs = Paths.temporary("root.yml"), summary = Paths.temporary("year-1531.json")
        try ("1531-11-27T03:00:00.000000+00:00 gw CRON[3300]: (root) CMD x\n"
             + "9999-11-27T03:00:00.000000+00:00 gw CRON[3301]: (root) CMD y\n"
             + "2026-11-27T03:00:00.000000+00:00 gw CRON[3302]: (root) CMD z\n").write(toFile: log, atomically: true, encoding: .utf8)
        try "title: root\nid: root\narea: cyber\nlevel: low\nlogsource: {category: text}\ndetection:\n  sel:\n    payload|contains|cased: root\n  condition: sel\n"
            .write(toFile: sigs, atomically: true, encoding: .utf8)
        let r = try picket(["scan", "-s", sigs, log, "--format", "eve", "--summary", summary])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 3)
        let text = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(text.contains("1677-09-21T00:12:43") && text.contains("2026-11-27T03:00:00"), "\(text)")
        #expect(FindingRecord.parseTime("1677-09-21T00:12:43.145224+0000") == -FindingRecord.nanosLimit)
        #expect(FindingRecord.parseTime("9999-12-31T23:59:59.999999+0000") == FindingRecord.nanosLimit)
        #expect(FindingRecord.parseTime("2026-11-27T00:00:00.5+0000") == 1_795_737_600_500_000_000)
    }

    // The same kind of bug, found reading the code after that one: time arithmetic on dates held
    // at the ends of the nanosecond range, and durations too long for it.

    /// A syslog line dated 1531 or 9999 matched by the default set's SSH signature fed the SSH
    /// brute-force correlation, whose window start (`now - timespan`) overflowed and trapped:
    /// `picket scan` with the default set crashed on the line.
    @Test func correlationWindowAtTheEndsOfTimeDoesNotTrap() throws {
        let log = Paths.temporary("ssh-ends-of-time.log")
        let line = " gw sshd[1]: Failed password for root from 203.0.113.9 port 2222 ssh2\n"
        try (Array(repeating: "1531-11-27T03:00:00.000000+00:00" + line, count: 6)
             + Array(repeating: "9999-11-27T03:00:00.000000+00:00" + line, count: 6)).joined()
            .write(toFile: log, atomically: true, encoding: .utf8)
        let r = try picket(["scan", log, "--format", "eve"])
        #expect(r.status == 0, "\(r.stderr)")
        // Five failures within a minute fire once: once among the lines of 1531, once among 9999's.
        #expect(r.stdout.components(separatedBy: "\"signature\":\"SSH brute force against one host\"").count - 1 == 2, "\(r.stdout)")
    }

    /// A correlation `timespan` longer than nanoseconds can count (`9999999999999999d`)
    /// overflowed while the signature loaded; now it is an error at its place.
    @Test func timespanTooLongIsAnErrorNotATrap() {
        let text = "title: base\nid: base\narea: cyber\nlevel: low\nlogsource: {category: text}\ndetection:\n  sel:\n"
            + "    payload|contains: root\n  condition: sel\n---\ntitle: corr\nid: corr\narea: cyber\nlevel: high\ncorrelation:\n"
            + "  type: event_count\n  rules: [base]\n  group-by: [host]\n  timespan: 9999999999999999d\n  condition: {gte: 2}\n"
        let errors = NativeLoader.load(file: "t.yml", text: text).errors.map(\.description)
        #expect(errors == ["t.yml:19:13: timespan '9999999999999999d' is not a duration like 60s, 5m, 1h, 1d"])
    }

    /// A Suricata `threshold` of more seconds than nanoseconds can count overflowed on the
    /// first packet it was checked for.
    @Test func thresholdSecondsBeyondNanosecondsDoNotTrap() throws {
        let rules = Paths.temporary("huge-threshold.rules")
        try "alert tcp any any -> any any (msg:\"any tcp\"; threshold: type limit, track by_src, count 1, seconds 99999999999; sid:1;)\n"
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let r = try picket(["scan", "-s", rules, Paths.corpus("suricata-verify/bug-5162/input.pcap"), "--format", "eve"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.isEmpty)
    }

    /// FuzzNative: a control character in a signature file was reported at 1:1 with Yams' own
    /// message, which carried the offending line (hostile text echoed to the terminal). Now it
    /// is placed at its line and column (lines broken as YAML breaks them) and not echoed.
    @Test func yamlControlCharacterIsPlacedNotEchoed() {
        let text = "title: t\r\nid: x\rarea: cyber\nlevel: low\ndescription: a\u{1B}[31mb\n"
        let errors = NativeLoader.load(file: "c.yml", text: text).errors.map(\.description)
        #expect(errors == ["c.yml:5:15: YAML: control characters are not allowed"])
    }

    /// FuzzSuricata: an empty item in an address list (`-> ,10.0.0.0/8 any`) trapped with an
    /// index out of range in `IPNetwork("")`, which the native `cidr` modifier shares
    /// (`src_ip|cidr: ''` crashed the loader too). Now both are reported as errors.
    @Test func emptyNetworkIsAnErrorNotATrap() {
        #expect(IPNetwork("") == nil)
        #expect(IPNetwork("/") == nil)
        #expect(IPNetwork("/24") == nil)
        let rules = SuricataLoader(file: "e.rules").load("alert tcp any any -> ,192.168.1.0/24 any (msg:\"x\"; sid:4;)\n")
        #expect(rules.rules.isEmpty && rules.errors.count == 1)
        let text = """
            title: t
            id: x
            area: cyber
            level: low
            logsource: {category: packet}
            detection:
              s:
                src_ip|cidr: ''
              condition: s
            """
        let (sigs, errors) = NativeLoader.load(file: "e.yml", text: text)
        #expect(sigs.isEmpty && errors.count == 1)
    }

    /// FuzzHTTP: after four protocol passes over one chunk the rest waited for the next
    /// segment, so pipelined CONNECT requests (each re-detects what follows) arriving in one
    /// segment gave fewer http events than the same bytes in several — none for those left
    /// over when no segment followed. Now a chunk is decoded to its end while passes make progress.
    @Test func pipelinedConnectsInOneSegmentAllDecoded() throws {
        var text = ""
        for i in 0..<6 { text += "CONNECT h\(i).example:443 HTTP/1.1\r\nHost: h\(i).example:443\r\n\r\n" }
        text += "GET /last HTTP/1.1\r\nHost: last.example\r\n\r\n"
        let data = Array(text.utf8)
        func hosts(_ cuts: [Int]) -> [String] {
            var packets = [Build.seg(true, seq: 9, flags: F.syn), Build.seg(false, seq: 70, ack: 10, flags: F.syn | F.ack)]
            for (a, b) in zip(cuts, cuts.dropFirst()) {
                packets.append(Build.seg(true, seq: 10 + UInt32(a), ack: 71, Array(data[a..<b])))
            }
            return runPipeline(packets).events.filter { $0.kind == .http }.compactMap { $0.value("http.hostname") as? String }
        }
        let expected = (0..<6).map { "h\($0).example" } + ["last.example"]
        #expect(hosts([0, data.count]) == expected)
        #expect(hosts(Array(stride(from: 0, to: data.count, by: 7)) + [data.count]) == expected)
    }

    /// FuzzSyslog (Foundation's parser, which the targets use on one event in eight): a JSON line
    /// `{"":1e047883200}` was copied into the event as it was. That is valid JSON, but the number
    /// is beyond a double, and Foundation, Go and serde_json refuse the whole event: one hostile
    /// log line made the decoded stream unreadable to them. Such numbers are written as strings.
    @Test func jsonNumberBeyondDoubleIsWrittenAsItsText() throws {
        let path = Paths.temporary("huge-number.jsonl")
        try Data(#"{"":1e047883200,"b":1e308,"c":"1e400","d":[-1.8e308,1]}"#.utf8 + [10]).write(to: URL(fileURLWithPath: path))
        let r = try picket(["decode", path])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let json = try #require(object["json"] as? [String: Any], "\(r.stdout)")
        #expect(json[""] as? String == "1e047883200")
        #expect(json["b"] as? Double == 1e308)
        #expect(json["c"] as? String == "1e400")
        #expect((json["d"] as? [Any])?.first as? String == "-1.8e308")
    }

    /// FuzzNMEA, FuzzGNSS: a leading 13-digit number (epoch milliseconds) above 9223372036854
    /// overflowed Int64 when scaled to nanoseconds: `9999999999999 …` at the start of a log or
    /// NMEA line trapped. Now only milliseconds from 2001 to 2262 are taken as a time.
    @Test func epochMillisecondsBeyondNanosecondRangeAreNotATime() throws {
        var d = DecodedLine()
        let decoder = LogDecoder()
        for text in ["9999999999999 hello", "9223372036855 x", "0000000000001 too early"] {
            let line = Array(text.utf8)
            line.withUnsafeBytes { decoder.decode($0, into: &d) }
            #expect(d.timestamp == nil, "\(text)")
        }
        let ok = Array("1795780800123 epoch milliseconds".utf8)
        ok.withUnsafeBytes { decoder.decode($0, into: &d) }
        #expect(d.timestamp?.nanoseconds == 1_795_780_800_123_000_000)
        var stats = ScanStats()
        let events = decodeLines(["9999999999999" + nmea("$GPGGA,130714,5012.7914,N,00806.8796,W,1,08,1.0,100,M,48,M,,")], stats: &stats)
        #expect(events.count == 1 && stats.lines.total == 1)
    }
}

