import Foundation
import Testing

/// End-to-end runs of the real `picket` binary against the shared corpus and peers (tcpdump,
/// editcap, gzip, zcat), which `.ci/run` installs.
@Suite(.serialized) struct CLITests {
    /// tcpdump's packet count for a capture (it prints one line per packet).
    func tcpdumpCount(_ path: String) throws -> Int {
        let r = try shell("tcpdump -n -r '\(path)' 2>/dev/null | wc -l")
        return try #require(Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    func scanStats(_ args: [String], stdinFile: String? = nil) throws -> (RunResult, [String: Any]) {
        let statsPath = Paths.temporary("stats-\(UUID().uuidString).json")
        let r = try picket(["scan"] + args + ["--stats-json", statsPath], stdinFile: stdinFile)
        return (r, try statsJSON(statsPath))
    }

    @Test("the corpus is there (tests must not pass silently without it)")
    func corpusPresent() {
        #expect(Paths.suricataVerifyCaptures().count >= 52)
        #expect(FileManager.default.fileExists(atPath: Paths.corpus("nmea/INDEX.md")))
    }

    @Test("packet counts equal tcpdump's on every suricata-verify capture")
    func countsEqualTcpdump() throws {
        let captures = Paths.suricataVerifyCaptures()
        #expect(captures.count >= 52)
        for path in captures {
            let (r, stats) = try scanStats([path])
            #expect(r.status == 0, "\(path): \(r.stderr)")
            let c = counts(stats, "packets")
            #expect(c.total == (try tcpdumpCount(path)), "\(path)")
            #expect(c.total == c.decoded + c.malformed + c.skipped)
            #expect(c.malformed == 0, "\(path)")
        }
    }

    @Test("one capture as pcap, pcapng, gzip'd pcapng, zlib and through stdin: same counts")
    func captureForms() throws {
        let original = Paths.corpus("suricata-verify/bug-5162/input.pcap")
        let expected = try tcpdumpCount(original)
        let ng = Paths.temporary("forms.pcapng")
        try shell("editcap -F pcapng '\(original)' '\(ng)' && gzip -c '\(ng)' > '\(ng).gz' && gzip -c '\(original)' > '\(ng).pcap.gz'")
        try shell("python3 -c \"import zlib,sys;open(sys.argv[2],'wb').write(zlib.compress(open(sys.argv[1],'rb').read()))\" '\(original)' '\(ng).z'")
        #expect(try tcpdumpCount(ng) == expected)
        for (args, stdin) in [([original], nil), ([ng], nil), ([ng + ".gz"], nil), ([ng + ".pcap.gz"], nil), ([ng + ".z"], nil),
                              (["-"], ng + ".gz"), ([], original)] as [([String], String?)] {
            let (r, stats) = try scanStats(args, stdinFile: stdin)
            #expect(r.status == 0, "\(args) \(stdin ?? ""): \(r.stderr)")
            #expect(counts(stats, "packets").total == expected, "\(args) \(stdin ?? "")")
            #expect(counts(stats, "packets").decoded == expected)
        }
    }

    @Test("a folder is walked recursively and every capture in it is counted")
    func folder() throws {
        let (r, stats) = try scanStats([Paths.corpus("suricata-verify")])
        #expect(r.status == 0, "\(r.stderr)")
        var expected = 0
        for path in Paths.suricataVerifyCaptures() { expected += try tcpdumpCount(path) }
        #expect(counts(stats, "packets").total == expected)
        let lines = counts(stats, "lines")
        #expect(lines.total == lines.decoded + lines.malformed + lines.skipped)
        #expect(lines.total > 0)  // the rules and JSON files beside the captures are text
    }

    @Test("a capture cut in the middle of a packet: exit 3, file and offset named, whole packets counted")
    func truncatedCapture() throws {
        let original = Paths.corpus("suricata-verify/bug-5162/input.pcap")
        let cut = Paths.temporary("cut.pcap")
        try shell("head -c 100000 '\(original)' > '\(cut)'")
        let (r, stats) = try scanStats([cut])
        #expect(r.status == 3)
        #expect(r.stderr.contains("\(cut): offset 99974: pcap: record cut short"), "\(r.stderr)")
        // tcpdump prints every whole packet before its own truncation error.
        #expect(counts(stats, "packets").total == (try tcpdumpCount(cut)))
        #expect(counts(stats, "packets").total == 808)
        let damaged = try #require(stats["damaged_inputs"] as? [[String: Any]])
        #expect(damaged.count == 1)
        #expect(damaged.first?["offset"] as? Int == 99974)
        #expect(damaged.first?["input"] as? String == cut)
    }

    @Test("1 MB of random bytes: a clear message, exit 3, no crash")
    func randomBytes() throws {
        let path = Paths.temporary("random.bin")
        // Seeded, so the first bytes are not by chance a gzip or zlib header.
        var generator = SeededRandom(state: 42)
        let bytes = (0..<1_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (r, _) = try scanStats([path])
        #expect(r.status == 3)
        #expect(r.stderr.contains("\(path): offset 0: unrecognised content"), "\(r.stderr)")
    }

    @Test("a gzip'd log with bytes flipped in the middle: exit 3, the lines before the damage counted")
    func flippedGzip() throws {
        let log = Paths.corpus("nmea/ais/gpsd/ais-nmea-type6-fid55.log")
        let gz = Paths.temporary("flipped.log.gz")
        try shell("for i in 1 2 3 4 5 6 7 8 9 10; do cat '\(log)'; done | gzip -c > '\(gz)'")
        try shell("python3 -c \"import sys;p=sys.argv[1];d=bytearray(open(p,'rb').read());m=len(d)//2\nfor i in range(m,m+16): d[i]^=0xff\nopen(p,'wb').write(d)\" '\(gz)'")
        let (r, stats) = try scanStats([gz])
        #expect(r.status == 3)
        #expect(r.stderr.contains("\(gz): offset"), "\(r.stderr)")
        #expect(r.stderr.contains("corrupt gzip data"), "\(r.stderr)")
        // zcat also stops at the damage; everything it got out before it, Picket counted.
        let zcatLines = try #require(Int(try shell("zcat '\(gz)' 2>/dev/null | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let lines = counts(stats, "lines")
        #expect(lines.total >= zcatLines)
        #expect(zcatLines > 1000)
        #expect(lines.total == lines.decoded + lines.malformed + lines.skipped)
    }

    @Test("line counts of a gzip'd log equal zcat | wc -l, from a file and from stdin")
    func gzipLogLines() throws {
        let gz = Paths.temporary("all.log.gz")
        try shell("cat '\(Paths.corpus("nmea"))'/*/*/*.log | gzip -c > '\(gz)'")
        let expected = try #require(Int(try shell("zcat '\(gz)' | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(expected > 5000)
        for (args, stdin) in [([gz], nil), (["-"], gz)] as [([String], String?)] {
            let (r, stats) = try scanStats(args, stdinFile: stdin)
            #expect(r.status == 0, "\(r.stderr)")
            let c = counts(stats, "lines")
            #expect(c.total == expected)
            #expect(c.total == c.decoded + c.malformed + c.skipped)
        }
    }

    @Test("--stats-json has exactly the DESIGN.md keys")
    func statsKeys() throws {
        let (_, stats) = try scanStats([Paths.corpus("suricata-verify/bug-130/input.pcap")])
        #expect(Set(stats.keys) == ["inputs", "bytes_in", "seconds", "packets", "lines", "findings", "damaged_inputs", "caps_hit"])
        #expect(Set((stats["findings"] as? [String: Any] ?? [:]).keys) == ["total", "maritime", "cyber", "space"])
        #expect(stats["inputs"] as? Int == 1)
        #expect(stats["bytes_in"] as? Int == 5020 || (stats["bytes_in"] as? Int ?? 0) > 0)
    }

    @Test("an unreadable input among readable ones: exit 3 and named; only unreadable ones: exit 2")
    func unreadable() throws {
        let missing = Paths.temporary("does-not-exist.pcap")
        let (r, stats) = try scanStats([Paths.corpus("suricata-verify/bug-130/input.pcap"), missing])
        #expect(r.status == 3)
        #expect(r.stderr.contains(missing))
        #expect(counts(stats, "packets").total == 14)
        let only = try picket(["scan", missing])
        #expect(only.status == 2)
        #expect(only.stderr.contains("no readable input"))
    }

    @Test("--filter applies a BPF expression before decoding; a bad one is a usage error")
    func filter() throws {
        let path = Paths.corpus("suricata-verify/bug-5162/input.pcap")
        let expected = try #require(Int(try shell("tcpdump -n -r '\(path)' 'tcp port 80' 2>/dev/null | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let (r, stats) = try scanStats([path, "--filter", "tcp port 80"])
        #expect(r.status == 0)
        let c = counts(stats, "packets")
        #expect(c.total == (try tcpdumpCount(path)))
        #expect(c.decoded == expected)
        #expect(c.skipped == c.total - expected)
        let bad = try picket(["scan", path, "--filter", "tcp port nonsense("])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("invalid --filter"))
    }

    @Test("decode prints one JSON object per event with kind, input and position")
    func decodeOutput() throws {
        let path = Paths.corpus("suricata-verify/bug-5758/input.pcap")
        let r = try picket(["decode", path])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        // One packet event per capture record; stream and tls events come on top.
        #expect(lines.filter { $0.contains("\"kind\":\"packet\"") }.count == (try tcpdumpCount(path)))
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["kind"] as? String == "packet")
        #expect(first["pcap_cnt"] as? Int == 1)
        #expect(first["input"] as? String == path)
        #expect(first["src_ip"] as? String == "10.84.1.13")
        #expect(first["dest_port"] as? Int == 443)
        #expect(first["proto"] as? String == "TCP")
        #expect((first["timestamp"] as? String)?.hasPrefix("2025-01-11T12:37:35.884655+0000") == true)
        // Every line is valid JSON.
        for l in lines { #expect((try? JSONSerialization.jsonObject(with: Data(l.utf8))) != nil) }
    }

    @Test("decode of log lines: syslog, JSON and text, hostile bytes escaped")
    func decodeLines() throws {
        let path = Paths.temporary("mixed.log")
        let text = "<34>Oct 11 22:14:15 gw su: bad \u{1b}[31mred\u{7}\n{\"ts\":\"2026-01-02T03:04:05Z\",\"q\":{\"name\":\"x.example\"}}\nplain text\n\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let r = try picket(["decode", path])
        #expect(r.status == 0)
        #expect(!r.stdout.contains("\u{1b}"))
        let events = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(events.map { $0["kind"] as? String } == ["syslog", "json", "text"])
        #expect(events.map { $0["line"] as? Int } == [1, 2, 3])
        #expect((events[0]["syslog"] as? [String: Any])?["msg"] as? String == "bad \u{1b}[31mred\u{7}")
        #expect(((events[1]["json"] as? [String: Any])?["q"] as? [String: Any])?["name"] as? String == "x.example")
        #expect(events[1]["timestamp"] as? String == "2026-01-02T03:04:05.000000+0000")
        #expect((events[2]["picket"] as? [String: Any])?["time_source"] as? String == "read")
    }

    @Test("an over-long line is counted as skipped with its cap, and the scan goes on")
    func overLongLine() throws {
        let path = Paths.temporary("long.log")
        try shell("(echo first; head -c 3000000 /dev/zero | tr '\\0' a; echo; echo last) > '\(path)'")
        let (r, stats) = try scanStats([path, "--max-line-bytes", "65536"])
        #expect(r.status == 0)
        let c = counts(stats, "lines")
        #expect(c.total == 3 && c.decoded == 2 && c.skipped == 1)
        #expect((stats["caps_hit"] as? [String: Any])?["line_length"] as? Int == 1)
    }

    @Test("--help of each command shows an example")
    func help() throws {
        for command in ["scan", "decode"] {
            let r = try picket([command, "--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("Examples:"))
            #expect(r.stdout.contains("picket \(command)"))
        }
    }
}
