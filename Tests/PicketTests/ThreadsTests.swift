import Foundation
import Testing

/// `--threads`: with 2 or more, framing and decoding run ahead of matching on another thread
/// (and captures' payloads are prefiltered there). Findings, messages, counts and exit status
/// must be exactly those of a single-threaded scan, on clean and damaged input alike.
@Suite struct ThreadsTests {
    /// What must not depend on the thread count: exit status, stderr, findings (times taken
    /// from the clock, `time_source: read`, masked) and the stats without `seconds`.
    struct Outcome: Equatable {
        var status: Int32
        var stderr: String
        var findings: [String]
        var stats: String
    }

    static func outcome(_ arguments: [String], threads: Int, stdinFile: String? = nil) throws -> Outcome {
        let stats = Paths.temporary("threads-\(threads)-\(UUID().uuidString).json")
        // --decode-ahead-from 0: every file through the decode-ahead thread, however small.
        let r = try picket(["scan", "--format", "eve", "--no-progress", "--threads", "\(threads)", "--decode-ahead-from", "0",
                            "--stats-json", stats] + arguments,
                           stdinFile: stdinFile)
        // Lines without a time of their own carry the clock's (in `timestamp` and correlations'
        // `first_seen`/`last_seen`): those times differ from run to run, so they are masked.
        let clock = try NSRegularExpression(pattern: "\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\\+0000\"")
        let findings = r.stdout.split(separator: "\n").map { line -> String in
            let l = String(line)
            guard l.contains("\"time_source\":\"read\"") else { return l }
            return clock.stringByReplacingMatches(in: l, range: NSRange(l.startIndex..., in: l), withTemplate: "<clock>")
        }
        var s = (try? statsJSON(stats)) ?? [:]
        s["seconds"] = nil
        let text = String(decoding: try JSONSerialization.data(withJSONObject: s, options: [.sortedKeys]), as: UTF8.self)
        return Outcome(status: r.status, stderr: r.stderr.replacingOccurrences(of: stats, with: "STATS"), findings: findings, stats: text)
    }

    static func damagedInputs() throws -> [String] {
        let cut = Paths.temporary("threads-cut.pcap")
        try shell("head -c 100000 '\(Paths.corpus("suricata-verify/bug-5162/input.pcap"))' > '\(cut)'")
        let gz = Paths.temporary("threads-flipped.log.gz")
        let log = Paths.corpus("nmea/ais/gpsd/ais-nmea-type6-fid55.log")
        try shell("for i in 1 2 3 4 5 6 7 8 9 10; do cat '\(log)'; done | gzip -c > '\(gz)'")
        try shell("python3 -c \"import sys;p=sys.argv[1];d=bytearray(open(p,'rb').read());m=len(d)//2\nfor i in range(m,m+16): d[i]^=0xff\nopen(p,'wb').write(d)\" '\(gz)'")
        let garbage = Paths.temporary("threads-garbage.log")
        try shell("(echo '<13>Nov 27 10:00:00 host app: ok'; head -c 4000 /dev/urandom; echo; echo '{\"a\": [1, 2'; echo '   '; echo '{\"user\":\"x\"}') > '\(garbage)'")
        return [cut, gz, garbage]
    }

    @Test("the same findings, messages, counts and exit status with 1, 2 and 3 threads", arguments: [
        "suricata-verify captures, default set, --payload",
        "Samples/, default set",
        "NMEA corpus (AIS, GNSS, packets)",
        "damaged inputs: cut pcap, flipped gzip, binary garbage and bad JSON",
        "--filter on captures",
        "stdin capture",
        "suricata-verify captures, literal packet signatures (the batch prefilter)",
        "logs, literal text signatures (the batch prefilter)",
    ])
    func sameResults(_ name: String) throws {
        var arguments: [String] = []
        var stdinFile: String?
        switch name {
        case "suricata-verify captures, default set, --payload": arguments = ["--payload"] + Paths.suricataVerifyCaptures()
        case "Samples/, default set": arguments = [Paths.repo.appendingPathComponent("Samples").path]
        case "NMEA corpus (AIS, GNSS, packets)": arguments = [Paths.corpus("nmea")]
        case "damaged inputs: cut pcap, flipped gzip, binary garbage and bad JSON": arguments = try Self.damagedInputs()
        case "--filter on captures": arguments = ["--filter", "tcp port 80 or udp"] + Array(Paths.suricataVerifyCaptures().prefix(20))
        case "suricata-verify captures, literal packet signatures (the batch prefilter)":
            // Only literals on payload: the decode-ahead thread scans each batch in one call.
            let literals = ["GET ", "HTTP/1.1", "Host: ", "User-Agent", "Content-Length", ".com", "www.", "example",
                            "Accept", "\r\n\r\n", "a", "ab", "00"]
            let path = Paths.temporary("threads-literals.yml")
            try literals.enumerated().map { i, l in
                "title: literal \(i)\nid: lit-\(i)\narea: cyber\nlevel: low\nlogsource: {category: packet}\ndetection:\n  sel:\n    payload|contains|cased: \"\(l)\"\n  condition: sel\n"
            }.joined(separator: "---\n").write(toFile: path, atomically: true, encoding: .utf8)
            arguments = ["-s", path, "--payload"] + Paths.suricataVerifyCaptures()
        case "logs, literal text signatures (the batch prefilter)":
            // (No literal as common as a quote or a vowel: lines of every kind must also go
            // without a hit, to be counted without being decoded.)
            let literals = ["sshd", "Failed password", "error", "root", "GPGGA", "AIVDM", ",,", "host", "\\u00", "ary r"]
            let path = Paths.temporary("threads-text-literals.yml")
            try literals.enumerated().map { i, l in
                "title: text literal \(i)\nid: text-\(i)\narea: cyber\nlevel: low\nlogsource: {category: text}\ndetection:\n  sel:\n    payload|contains|cased: '\(l)'\n  condition: sel\n"
            }.joined(separator: "---\n").write(toFile: path, atomically: true, encoding: .utf8)
            // Lines of every format and problem, with and without a literal: lines without one
            // are only classified and counted, the others decoded and matched.
            let mixed = Paths.temporary("threads-mixed.log")
            let deep = "{\"x\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
            let lines = ["<34>Oct 11 22:14:15 gw sshd: Failed password for root", "<34>Oct 11 22:14:15 gw cron: ok",
                         "<165>1 2003-10-11T22:14:15.003Z gw sshd 8710 - - error here", "<165>1 2003-10-11T22:14:15.003Z gw x 1 - - fine",
                         "Nov 27 06:32:51 gw sshd[1234]: nothing", #"{"msg":"error","ts":"2026-11-27T06:32:51Z"}"#, #"{"ok":1}"#,
                         #"{"broken": "error"#, #"{"broken": }"#, deep, deep.replacingOccurrences(of: "x", with: "root"),
                         "bin\u{0}ary root", "bin\u{0}ary", "1795780800 root", "plain", "{broken", #"{"a":[1,}"#, "\u{1}\u{2}\u{3}\u{4}x"]
            try (0..<3000).map { lines[$0 % lines.count] }.joined(separator: "\n").write(toFile: mixed, atomically: true, encoding: .utf8)
            arguments = ["-s", path, mixed, Paths.repo.appendingPathComponent("Samples").path, Paths.corpus("nmea")]
                + (try Self.damagedInputs())
        default:
            arguments = ["-"]
            stdinFile = Paths.corpus("suricata-verify/bug-5162/input.pcap")
        }
        let one = try Self.outcome(arguments, threads: 1, stdinFile: stdinFile)
        #expect(!one.stats.isEmpty && one.stats != "{}")
        for threads in [2, 3] {
            let more = try Self.outcome(arguments, threads: threads, stdinFile: stdinFile)
            #expect(more.status == one.status)
            #expect(more.stderr == one.stderr)
            #expect(more.stats == one.stats)
            #expect(more.findings.count == one.findings.count)
            let firstDifference = more.findings.indices.first { $0 < one.findings.count && more.findings[$0] != one.findings[$0] }
            #expect(firstDifference == nil, "finding \(firstDifference ?? -1): \(firstDifference.map { more.findings[$0] } ?? "")")
        }
    }

    @Test("--threads 0 is refused")
    func zeroThreads() throws {
        let r = try picket(["scan", "--threads", "0", Paths.corpus("suricata-verify/bug-5162/input.pcap")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--threads must be between 1 and 1024"), "\(r.stderr)")
    }
}

@Suite struct ProgressTests {
    @Test("--progress draws bytes read and the rate on stderr while a slow stdin is read, and clears the line before messages and at the end")
    func progressOnSlowStdin() throws {
        let pcap = Paths.corpus("suricata-verify/bug-5162/input.pcap")
        let r = try shell("(head -c 100000 '\(pcap)'; sleep 1) | '\(Paths.picket)' scan --progress -o /dev/null -")
        let clear = "\r\u{1B}[K"
        #expect(r.stderr.contains(clear + "picket: "), "\(r.stderr.debugDescription)")
        #expect(r.stderr.contains(" read, "), "\(r.stderr.debugDescription)")
        #expect(r.stderr.contains("/s"), "\(r.stderr.debugDescription)")
        // The damage message starts on a cleared line and ends the output: the bar is gone.
        let damage = try #require(r.stderr.range(of: "picket: -: offset 99974: pcap: record cut short"))
        #expect(r.stderr[..<damage.lowerBound].hasSuffix(clear), "\(r.stderr.debugDescription)")
        #expect(r.stderr.hasSuffix("\n"))
        #expect(r.status == 3)
    }

    @Test("no progress bar when stderr is not a terminal, unless asked")
    func noProgressByDefault() throws {
        let log = Paths.corpus("nmea/ais/gpsd/ais-nmea-type6-fid55.log")
        let r = try shell("(cat '\(log)'; sleep 1) | '\(Paths.picket)' scan -o /dev/null -")
        #expect(!r.stderr.contains("\u{1B}[K"), "\(r.stderr.debugDescription)")
        #expect(r.status == 0)
    }
}
