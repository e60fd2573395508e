import Foundation
import PicketCore
import PicketNMEA
import PicketNet
import Testing

@testable import PicketSignatures

/// Bugs a review of hostile-input handling found (not the fuzzers), each named after what broke.
extension DamagedInputTests {
    /// A pcapng interface whose `if_tsoffset` is near Int64.max: adding it to a packet's
    /// seconds overflowed and killed the process, file or stdin.
    @Test(arguments: [false, true])
    func pcapngTimeOffsetAtTheEndOfTimeDoesNotTrap(stdin: Bool) throws {
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            var b = body
            while b.count % 4 != 0 { b.append(0) }
            let total = UInt32(12 + b.count)
            return le(type) + le(total) + b + le(total)
        }
        func le(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        let shb = block(0x0A0D_0D0A, le(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8))
        let offset = withUnsafeBytes(of: Int64.max.littleEndian, Array.init)
        let idb = block(1, le16(1) + le16(0) + le(65535) + le16(14) + le16(8) + offset + le16(0) + le16(0))
        let frame = udpFrame(Array("hello".utf8))
        let epb = block(6, le(0) + le(0x0006_0000) + le(0) + le(UInt32(frame.count)) + le(UInt32(frame.count)) + frame)
        let o = try scan(shb + idb + epb, "tsoffset-\(stdin).pcapng", stdin: stdin)
        expectClean(o)
        #expect(o.packets.decoded == 1, "\(o.stats)")
    }

    /// Text whose first two bytes also form a zlib header (`X` and a tab, `H` and a CR) was
    /// inflated, failed, and its lines went unread.
    @Test(arguments: ["X\tuser=root action=login\nY\tuser=bob action=logout\n", "H\r\n<34>Oct 11 22:14:15 mymachine su: 'su root' failed\r\n"])
    func textThatStartsLikeZlibIsText(_ text: String) throws {
        let o = try scan(Array(text.utf8), "zlib-like-\(text.utf8.first!).log")
        expectClean(o)
        #expect(o.lines.total == 2 && o.lines.skipped == 0, "\(o.stats)")
    }

    /// Standard input that cannot be read at all (a folder) is no readable input: exit 2, as a
    /// missing file is, not "damaged" (exit 3).
    @Test func unreadableStandardInputIsNoReadableInput() throws {
        let dir = Paths.temporary("stdin-is-a-folder")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let o = try scanFile(dir, stdin: true)
        #expect(o.status == 2, "\(o.stderr)")
        #expect(o.stderr.contains("read error") && o.stderr.contains("picket: no readable input"), "\(o.stderr)")
    }

    /// A folder with nothing to read is no readable input, said so, not a silent exit 0.
    @Test func emptyFolderIsNoReadableInput() throws {
        let dir = Paths.temporary("empty-folder")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try picket(["scan", dir, "-s", Self.noSignatures])
        #expect(r.status == 2 && r.stderr.contains("no readable input"), "\(r.stderr)")
    }
}

@Suite struct SigmaEscapeTests {
    /// A backslash escapes only `*`, `?` and a backslash (the Sigma specification); before
    /// anything else it is a plain backslash. Every Windows-path rule depends on it.
    @Test(arguments: [
        (#"C:\Windows\System32"#, [#"C:\Windows\System32"#], false),
        (#"\System32\evil.exe"#, [#"\System32\evil.exe"#], false),
        (#"a\*b"#, ["a*b"], false),
        (#"a\?b"#, ["a?b"], false),
        (#"a\\*"#, [#"a\"#, ""], true),
        (#"a\\\*"#, [#"a\*"#], false),
        (#"a\\\\b"#, [#"a\\b"#], false),
        (#"C:\Win*\x"#, [#"C:\Win"#, #"\x"#], true),
        (#"end\"#, [#"end\"#], false),
    ])
    func glob(_ value: String, _ pieces: [String], _ wildcard: Bool) {
        let (p, w) = NativeLoader.glob(value)
        #expect(p == pieces && w == wildcard)
    }

    @Test func windowsPathRuleMatches() throws {
        let sigs = Paths.temporary("sigma-backslash.yml")
        try #"""
            title: System32 binary
            id: sys32
            area: cyber
            level: high
            logsource: {category: json}
            detection:
              sel:
                cmd|endswith: '\System32\evil.exe'
              wild:
                cmd|contains: '\Temp\\*.ps1'
              condition: sel or wild
            """#.write(toFile: sigs, atomically: true, encoding: .utf8)
        let log = Paths.temporary("sigma-backslash.log")
        try #"""
            {"cmd":"C:\\Windows\\System32\\evil.exe"}
            {"cmd":"C:WindowsSystem32evil.exe"}
            {"cmd":"C:\\Users\\x\\AppData\\Local\\Temp\\run.ps1"}
            {"cmd":"C:\\Temp.ps1"}

            """#.write(toFile: log, atomically: true, encoding: .utf8)
        let r = try picket(["scan", "--signatures", sigs, "--format", "eve", "--no-progress", log])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["line"] as? Int
        }
        #expect(lines == [1, 3], "\(r.stdout)")
    }
}

/// Control segments an endpoint would ignore (RFC 5961: a RST or SYN whose sequence number is
/// not the next one, a FIN behind data already sent) ended the flow or its direction, so the
/// request after them went unseen: one forged packet blinded the whole connection.
@Suite struct ForgedControlSegmentTests {
    static let request = "GET /evil HTTP/1.1\r\nHost: x\r\n\r\n"

    @Test(arguments: [
        ("RST from the client, out of sequence", Build.seg(true, seq: 6000, ack: 5000, flags: F.rst)),
        ("RST from the server, out of sequence", Build.seg(false, seq: 9999, ack: 1000, flags: F.rst | F.ack)),
        ("SYN of another sequence space", Build.seg(true, seq: 77777, flags: F.syn)),
        ("FIN behind the next byte", Build.seg(true, seq: 900, ack: 5000, flags: F.fin | F.ack)),
    ])
    func forgedSegmentIsIgnored(_ name: String, _ forged: [UInt8]) {
        var p = connection([])
        p.append(forged)
        p.append(Build.seg(true, seq: 1000, ack: 5000, Self.request))
        let r = runPipeline(p)
        #expect(streams(r.events)["to_server"] == Self.request, "\(name)")
        #expect(r.events.contains { $0.kind == .http && $0.value("http.url") as? String == "/evil" }, "\(name)")
        #expect(Set(r.events.compactMap(\.flowID)).count == 1, "\(name)")
    }

    /// Past the stream depth `next` stops: a real RST must still end the connection, or the
    /// next connection on the same ports (within a minute) was never inspected.
    @Test func rstPastTheDepthStillEndsTheConnection() {
        var options = NetworkOptions()
        options.stream.depth = 100
        let upload = "POST /up HTTP/1.1\r\nContent-Length: 400\r\n\r\n" + String(repeating: "x", count: 400)
        let bytes = Array(upload.utf8)  // (cut as bytes: "\r\n" is one Character)
        var p = connection([(0, String(decoding: bytes[0..<60], as: UTF8.self)), (60, String(decoding: bytes[60..<260], as: UTF8.self)),
                            (260, String(decoding: bytes[260...], as: UTF8.self))])
        p.append(Build.seg(true, seq: 1000 + UInt32(upload.utf8.count), ack: 5000, flags: F.rst))
        p += [Build.seg(true, seq: 70000, flags: F.syn), Build.seg(false, seq: 80000, ack: 70001, flags: F.syn | F.ack),
              Build.seg(true, seq: 70001, ack: 80001, flags: F.ack), Build.seg(true, seq: 70001, ack: 80001, "GET /second HTTP/1.1\r\n\r\n")]
        let r = runPipeline(p, options: options)
        #expect(r.events.filter { $0.kind == .http }.compactMap { $0.value("http.url") as? String } == ["/up", "/second"],
                "\(r.events.map { "\($0.kind) \($0.flowID ?? 0) \($0.pcapCount)" })")
    }

    @Test func inSequenceRSTStillEndsTheConnection() {
        var p = connection([(0, "ABC")])
        p.append(Build.seg(true, seq: 1003, ack: 5000, flags: F.rst))
        let r = runPipeline(p)
        #expect(r.ended.count == 2)
        #expect(streams(r.events)["to_server"] == "ABC")
    }

    /// A SYN after a minute of silence is a new connection on reused ports (the old one
    /// vanished without FIN or RST): a new flow, its data seen.
    @Test func synAfterSilenceStartsANewFlow() {
        var p = connection([(0, "OLD")])
        p += [Build.seg(true, seq: 70000, flags: F.syn), Build.seg(false, seq: 80000, ack: 70001, flags: F.syn | F.ack),
              Build.seg(true, seq: 70001, ack: 80001, flags: F.ack), Build.seg(true, seq: 70001, ack: 80001, "NEW")]
        let r = runPipeline(p, times: [0, 1, 2, 3, 200, 201, 202, 203])
        #expect(Set(r.events.compactMap(\.flowID)).count == 2)
        #expect(r.events.filter { $0.kind == .stream }.map(\.text) == ["OLD", "NEW"])
    }
}

/// Two stations' fragments interleaved in one feed (tag block `s:` names the station) were
/// put together across stations: one vessel's name with the other's destination, and the
/// other vessel lost.
@Test func aisFragmentsOfDifferentStationsAreNotSpliced() throws {
    let log = Paths.temporary("ais-two-stations.nmea")
    try #"""
        \s:st1,c:1700000000*0C\!AIVDM,2,1,3,A,53KF5P@0Bm`L44440004i0P4000000000000,0*32
        \s:st2,c:1700000000*0F\!AIVDM,2,1,3,A,53KF5PP0Bm`L8888000985Ht000000000000,0*23
        \s:st1*7F\!AIVDM,2,2,3,A,0016<PD::5E<N<R1C4jCRj@000000000000,2*43
        \s:st2*7C\!AIVDM,2,2,3,A,0016<PD::5E<N<U0C32CSP0000000000000,2*51

        """#.write(toFile: log, atomically: true, encoding: .utf8)
    let r = try picket(["decode", log])
    #expect(r.status == 0, "\(r.stderr)")
    let vessels = r.stdout.split(separator: "\n").compactMap { line -> String? in
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let ais = o["ais"] as? [String: Any], let name = ais["name"] as? String else { return nil }
        return "\(ais["mmsi"] ?? "") \(name) \(ais["destination"] ?? "")"
    }
    #expect(vessels.sorted() == ["230000001 ALPHA HELSINKI", "230000002 BRAVO TALLINN"], "\(r.stdout)")

    // NMEA 4.10 groups: only the first sentence names the station; the rest carry the group.
    let grouped = Paths.temporary("ais-grouped.nmea")
    try [tag("g:1-2-77,s:st1,c:1700000000") + "!AIVDM,2,1,3,A,53KF5P@0Bm`L44440004i0P4000000000000,0*32",
         tag("g:2-2-77") + "!AIVDM,2,2,3,A,0016<PD::5E<N<R1C4jCRj@000000000000,2*43", ""]
        .joined(separator: "\n").write(toFile: grouped, atomically: true, encoding: .utf8)
    let g = try picket(["decode", grouped])
    #expect(g.stdout.contains("\"name\":\"ALPHA\""), "\(g.stdout)")
}

/// Request starts servers accept that made Picket give up on the connection, so the request
/// after them went undecoded.
@Suite struct HTTPRequestStartTests {
    /// An absolute-form target names the host the server uses, whatever Host says.
    @Test(arguments: [
        ("GET http://evil.example/x HTTP/1.1\r\nHost: benign.example\r\n\r\n", "evil.example"),
        ("GET HTTPS://user:pw@Evil.example:8443/x?y HTTP/1.1\r\nHost: benign.example\r\n\r\n", "evil.example"),  // lower case, as Suricata normalises it
        ("GET /x HTTP/1.1\r\nHost: benign.example:8080\r\n\r\n", "benign.example"),
        ("GET httpx://a/ HTTP/1.1\r\nHost: benign.example\r\n\r\n", "benign.example"),
    ])
    func absoluteFormTargetNamesTheHost(_ client: String, _ hostname: String) {
        let r = runPipeline(connection([(0, client)]))
        #expect(r.events.filter { $0.kind == .http }.compactMap { $0.value("http.hostname") as? String } == [hostname])
    }

    @Test(arguments: [
        ("blank lines before the request", "\r\n\r\nGET /evil HTTP/1.1\r\nHost: x\r\n\r\n", ["/evil"]),
        ("an unknown method first", "FOO / HTTP/1.1\r\nHost: x\r\n\r\nGET /evil HTTP/1.1\r\nHost: x\r\n\r\n", ["/", "/evil"]),
        ("an unknown method later", "GET / HTTP/1.1\r\nHost: x\r\n\r\nBREW /pot HTTP/1.1\r\n\r\nGET /evil HTTP/1.1\r\n\r\n", ["/", "/pot", "/evil"]),
        ("Content-Length with leading zeros",
         "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 00000000000000005\r\n\r\nhelloGET /evil HTTP/1.1\r\nHost: x\r\n\r\n", ["/", "/evil"]),
        ("chunk size with leading zeros",
         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000000005\r\nhello\r\n0\r\n\r\nGET /evil HTTP/1.1\r\n\r\n", ["/", "/evil"]),
        ("SMTP is not HTTP", "EHLO mail.example\r\nMAIL FROM:<a@b.example>\r\n", []),
        ("a token without a request line is not HTTP", "HELLO world and more\r\n", []),
        // Methods longer than 32 bytes are not taken, wherever the bytes are cut.
        ("a 33-byte method", String(repeating: "M", count: 33) + " / HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n", []),
        ("a 33-byte method later", "GET / HTTP/1.1\r\n\r\n" + String(repeating: "M", count: 33) + " / HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n", ["/"]),
        // Detection looks at 64 bytes in all, blank lines included.
        ("62 blank bytes, then GET (its space would be byte 66)", String(repeating: "\r\n", count: 31) + "GET /late HTTP/1.1\r\n\r\n", []),
        ("58 blank bytes, then GET", String(repeating: "\r\n", count: 29) + "GET /early HTTP/1.1\r\n\r\n", ["/early"]),
        ("blank line, then another method's line past 64 bytes",
         "\r\nFOO /" + String(repeating: "x", count: 50) + " HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n", []),
    ])
    func requestsAreDecoded(_ name: String, _ client: String, _ urls: [String]) {
        let r = runPipeline(connection([(0, client)]))
        #expect(r.events.filter { $0.kind == .http }.compactMap { $0.value("http.url") as? String } == urls, "\(name)")
        // The same bytes a few at a time: the same requests (FuzzHTTP caught the first cut of
        // the unknown-method rule deciding on a request line it had only part of).
        for size in [1, 3, 7] {
            let bytes = Array(client.utf8)
            let pieces = stride(from: 0, to: bytes.count, by: size).map { ($0, String(decoding: bytes[$0..<min(bytes.count, $0 + size)], as: UTF8.self)) }
            let cut = runPipeline(connection(pieces))
            #expect(cut.events.filter { $0.kind == .http }.compactMap { $0.value("http.url") as? String } == urls, "\(name), \(size)-byte segments")
        }
    }
}

/// An AIS message whose last fragment never came was dropped without a trace when its input
/// ended (fragments join only within one input); now counted as `ais_fragment_timeout`.
@Test func aisMessageIncompleteAtTheEndOfItsInputIsCounted() throws {
    let log = Paths.temporary("ais-incomplete.nmea")
    try "!AIVDM,2,1,3,A,53KF5P@0Bm`L44440004i0P4000000000000,0*32\n".write(toFile: log, atomically: true, encoding: .utf8)
    let statsPath = Paths.temporary("ais-incomplete-stats.json")
    let r = try picket(["scan", log, "--stats-json", statsPath, "--no-progress"])
    #expect(r.status == 0, "\(r.stderr)")
    let stats = try statsJSON(statsPath)
    #expect((stats["caps_hit"] as? [String: Any])?["ais_fragment_timeout"] as? Int == 1, "\(stats)")
    #expect(counts(stats, "lines").total == 1)
}

extension DamagedInputTests {
    /// Garbage after a gzip member whose first byte looks like a zlib header (`H`, `x`, `(`)
    /// was reported as a corrupt member two bytes further on; it is trailing garbage where it
    /// starts, as other garbage is.
    @Test(arguments: ["Hello", "xyzzy", "(junk", "8bits"])
    func garbageAfterGzipThatLooksLikeZlib(_ garbage: String) throws {
        let gz = Paths.temporary("garbage-\(garbage.first!).pcap.gz")
        _ = try shell("gzip -c -n '\(Self.capturePath)' > '\(gz)'")
        var bytes = try Self.read(gz)
        let end = bytes.count
        bytes += Array(garbage.utf8)
        let o = try scan(bytes, "garbage-\(garbage.first!)-2.pcap.gz")
        expectDamage(o, offset: end, "gzip: trailing garbage after the last complete member")
    }

    /// A corrupt member inside another gzip layer: its offset is in the outer layer's output,
    /// and the message says so (it was given as if it were an offset in the file).
    @Test func damageInsideAnInnerLayerIsMarked() throws {
        let inner = Paths.temporary("inner.pcap.gz")
        _ = try shell("gzip -c -n '\(Self.capturePath)' > '\(inner)'")
        var bytes = try Self.read(inner)
        bytes[bytes.count - 6] ^= 0xFF  // the CRC32
        try Data(bytes).write(to: URL(fileURLWithPath: inner))
        let outer = Paths.temporary("outer.pcap.gz.gz")
        _ = try shell("gzip -c -n '\(inner)' > '\(outer)'")
        let o = try scanFile(outer)
        #expect(o.status == 3)
        #expect(o.stderr.contains("corrupt gzip data: incorrect data check") && o.stderr.contains("(offset in the decompressed data)"), "\(o.stderr)")
    }
}

/// A log file saved with a byte order mark (Windows editors do): its first JSON line was text.
@Test func byteOrderMarkOpeningALogIsNotPartOfTheFirstLine() throws {
    let log = Paths.temporary("bom.jsonl")
    try Data([0xEF, 0xBB, 0xBF] + Array("{\"msg\":\"first\"}\n{\"msg\":\"second\"}\n".utf8)).write(to: URL(fileURLWithPath: log))
    let r = try picket(["decode", log])
    #expect(r.status == 0, "\(r.stderr)")
    let kinds = r.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["kind"] as? String }
    #expect(kinds == ["json", "json"], "\(r.stdout)")
}

/// Checks against DESIGN.md a review ran.
@Suite(.serialized) struct ContractReviewTests {
    static let samples = Paths.repo.appendingPathComponent("Samples").path

    /// DESIGN.md 3: the default zones are always there, plus `zones/` in any signature folder.
    /// With `--signatures`, a user's own cable rule saw no zone at all.
    @Test func ownSignaturesStillSeeTheDefaultZones() throws {
        let dir = Paths.temporary("own-cable-rule")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
            title: On a cable
            id: on-cable
            area: maritime
            level: low
            logsource: {category: ais}
            detection:
              z:
                ais.zone|startswith: 'cable:'
              condition: z
            """.write(toFile: dir + "/cable.yml", atomically: true, encoding: .utf8)
        let r = try picket(["scan", "-s", dir, "--format", "eve", "--no-progress", Self.samples + "/baltic-ais.log.gz"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count > 10, "\(r.stderr)")
    }

    /// `--area` given twice: both areas (the last one alone was kept).
    @Test func repeatedAreaOptionsAddUp() throws {
        func areas(_ args: [String]) throws -> Set<String> {
            let r = try picket(["scan", Self.samples, "--format", "eve", "--no-progress"] + args)
            return Set(r.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["area"] as? String
            })
        }
        #expect(try areas(["--area", "maritime", "--area", "cyber"]) == ["maritime", "cyber"])
        #expect(try areas(["--area", "maritime,space"]) == ["maritime", "space"])
    }
}

/// Maritime false alarms a review of the default signatures found.
@Suite struct MaritimeReviewTests {
    /// A type 9 search-and-rescue aircraft report.
    static func aircraft(mmsi: Int64, lat: Double, lon: Double, knots: Int64) -> String {
        let (p, fill) = armour([(9, 6), (0, 2), (mmsi, 30), (300, 12), (knots, 10), (1, 1),
                                (Int64((lon * 600_000).rounded()), 28), (Int64((lat * 600_000).rounded()), 27),
                                (900, 12), (0, 6), (0, 8), (1, 1), (0, 3), (0, 1), (0, 1), (0, 20)])
        return nmea("!AIVDM,1,1,,A,\(p),\(fill)")
    }

    func highFindings(_ lines: [String], _ name: String) throws -> [String] {
        let log = Paths.temporary(name)
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let r = try picket(["scan", log, "--format", "eve", "--no-progress", "--min-level", "high"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["alert"] as? [String: Any])?["signature"] as? String
        }
    }

    /// 140 knots, reports 30 s apart: an aircraft flies that; the impossible-speed rule is for
    /// ships (19 high findings before).
    @Test func searchAndRescueAircraftAreNotImpossiblySlowShips() throws {
        let lines = (0..<20).map { k in stamp(30 * k) + " " + Self.aircraft(mmsi: 111_230_001, lat: 59.5, lon: 24.0 + Double(k) * 0.0389, knots: 140) }
        #expect(try highFindings(lines, "sar-aircraft.log") == [])
    }

    static func move(_ lat: Double, _ lon: Double, bearing: Double, nm: Double) -> (Double, Double) {
        let dlat = nm / 60 * cos(bearing * .pi / 180)
        return (lat + dlat, lon + nm / 60 * sin(bearing * .pi / 180) / cos(lat * .pi / 180))
    }

    func findings(_ lines: [String], _ name: String) throws -> [String] {
        let log = Paths.temporary(name)
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let r = try picket(["scan", log, "--format", "eve", "--no-progress"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["alert"] as? [String: Any])?["signature"] as? String
        }
    }

    /// Two hours creeping at 1.2 knots along Estlink 2's corridor, every eighth report a few
    /// hundred metres outside: the dwell restarted at each, so the anchor-drag rule never fired.
    @Test func creepingAlongACorridorEdgeIsLoitering() throws {
        let lines = (0..<40).map { i -> String in
            let f = Double(i) / 40
            let (la, lo) = Self.move(59.85 - 0.15 * f, 26.0 + 0.25 * f, bearing: 45, nm: (i % 8 == 7 ? 2.1 : 1.9) / 1.852)
            return stamp(180 * i) + " " + aisPosition(mmsi: 230_888_888, lat: la, lon: lo, sog: 1.2, cog: 135)
        }
        #expect(try findings(lines, "edge-creep.log").contains("Vessel loitering over an undersea cable or pipeline (anchor-drag pattern)"))
    }

    /// Four hours stopped over the cable, reporting "under way": no rule looked (the loitering
    /// rule wants 0.5 to 3 knots, the anchored one status 1).
    @Test func stoppedOverACableIsSeen() throws {
        let lines = (0..<80).map { i in stamp(180 * i) + " " + aisPosition(mmsi: 230_666_666, lat: 59.70 + 0.0001 * Double(i % 3), lon: 26.25, sog: 0.2) }
        #expect(try findings(lines, "stopped-on-cable.log").contains("Vessel stopped inside a cable or pipeline corridor"))
    }

    /// A spoofed track at 180 knots in 0.3-mile steps every 6 s: no single step reaches the
    /// one-mile jump threshold, so no rule fired; two minutes of them add up to six miles.
    @Test func spoofedTrackInSmallStepsIsImpossiblyFast() throws {
        let lines = (0..<100).map { i -> String in
            let (la, lo) = Self.move(59.3, 22.0, bearing: 90, nm: 0.3 * Double(i))
            return stamp(6 * i) + " " + aisPosition(mmsi: 230_222_222, lat: la, lon: lo, sog: 12, cog: 90)
        }
        #expect(try findings(lines, "small-steps.log").contains("AIS position implies an impossible speed"))
    }

    /// A transponder whose GNSS gave nothing sends 0,0: not a position (it made the vessel jump
    /// across the globe and back: impossible speeds, "one MMSI in two places").
    @Test func nullIslandIsNotAPosition() throws {
        let lines = (0..<30).map { k in
            stamp(60 * k) + " " + (k % 10 == 5 ? aisPosition(mmsi: 230_111_000, lat: 0, lon: 0)
                                                : aisPosition(mmsi: 230_111_000, lat: 59.5 + Double(k) * 0.002, lon: 24.9))
        }
        #expect(try highFindings(lines, "null-island.log") == [])
    }
}

extension ContractReviewTests {
    /// A Suricata rule's metadata reaches EVE as Suricata writes it: each key once with its
    /// values in a list (it came out as "tag": ["former_category:MALWARE", …]).
    @Test func suricataMetadataKeepsItsKeys() throws {
        let rules = Paths.temporary("metadata.rules")
        try """
            alert http any any -> any any (msg:"evil path"; http.uri; content:"/evil"; metadata: former_category MALWARE, signature_severity Major, tag one, tag two, area cyber; sid:77; rev:1;)
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let pcap = Paths.temporary("metadata.pcap")
        let request = Array("GET /evil HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let frames = connection([(0, String(decoding: request, as: UTF8.self))]).map { Array(repeating: UInt8(0), count: 12) + [8, 0] + $0 }
        try writePcap(pcap, frames: frames)
        let r = try picket(["scan", "-s", rules, "--format", "eve", "--no-progress", pcap])
        #expect(r.status == 0, "\(r.stderr)")
        let alert = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n").first.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any])?["alert"] as? [String: Any])
        let metadata = try #require(alert["metadata"] as? [String: [String]])
        #expect(metadata["former_category"] == ["MALWARE"] && metadata["signature_severity"] == ["Major"], "\(metadata)")
        #expect(metadata["tag"] == ["one", "two"], "\(metadata)")  // a key given twice: both values, in order
    }
}

/// A JSON line ending in NULs is JSON (the NULs are a C string's terminator), and what Picket
/// writes of it stays valid JSON (the fuzzers caught the first cut copying the NULs into it).
@Test func jsonLineEndingInNULsIsJSONAndWritesValidJSON() throws {
    let log = Paths.temporary("json-nul.log")
    try Data(Array("{\"msg\":\"EVIL\"}".utf8) + [0, 0, 10] + Array("{\"a\":1} \u{0}\n".utf8)).write(to: URL(fileURLWithPath: log))
    let r = try picket(["decode", log])
    #expect(r.status == 0, "\(r.stderr)")
    let objects = r.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    #expect(objects.count == 2 && objects.allSatisfy { $0?["kind"] as? String == "json" }, "\(r.stdout)")
}

/// `gnss.jump_speed_kn`: the speed a jump implies since that position (3 nm in 10 minutes:
/// 18 knots), so a fix that comes back after an outage is not taken for a spoofed jump.
@Test func gnssJumpCarriesItsSpeed() throws {
    let events = decodeLines([nmea("$GPRMC,080000.00,A,5924.0000,N,02442.0000,E,18.0,0.0,271126,,,A"),
                              nmea("$GPRMC,081000.00,A,5927.0000,N,02442.0000,E,18.0,0.0,271126,,,A")])
    let gnss = try #require(events.last?["gnss"] as? [String: Any])
    #expect(abs((number(gnss["jump_m"]) ?? 0) - 5556) < 5, "\(gnss)")
    #expect(abs((number(gnss["jump_speed_kn"]) ?? 0) - 18) < 0.1, "\(gnss)")
}

/// Zones across the antimeridian: a cable from 179.8 to -179.8 is 0.4 degrees long. It was taken
/// the long way round (a vessel at longitude 0 was "on" it) and missed vessels actually on it.
@Test(arguments: [("LineString", "[[179.8,-17.0],[-179.8,-17.0]]"),
                  ("Polygon", "[[[179.8,-17.1],[-179.8,-17.1],[-179.8,-16.9],[179.8,-16.9],[179.8,-17.1]]]")])
func zonesAcrossTheAntimeridian(_ type: String, _ coordinates: String) throws {
    let path = Paths.temporary("antimeridian-\(type).geojson")
    try """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"cable:Pacific","buffer_m":2000},
         "geometry":{"type":"\(type)","coordinates":\(coordinates)}}]}
        """.write(toFile: path, atomically: true, encoding: .utf8)
    let zones = try ZoneSet.load(paths: [path])
    for lon in [179.9, -179.9, 180.0, -180.0, 179.85] { #expect(zones.zone(containingLat: -17.0, lon: lon) == 0, "\(lon)") }
    for lon in [0.0, 179.0, -179.0, 90.0] { #expect(zones.zone(containingLat: -17.0, lon: lon) == nil, "\(lon)") }
}

/// A polygon across the antimeridian with a hole across it too: the hole is unwrapped against
/// its outer ring (on its own it was shifted a turn and never matched).
@Test func holesAcrossTheAntimeridian() throws {
    let path = Paths.temporary("antimeridian-hole.geojson")
    try """
        {"type":"Feature","properties":{"name":"area:ring"},"geometry":{"type":"Polygon","coordinates":[
          [[179.0,-18.0],[-179.0,-18.0],[-179.0,-16.0],[179.0,-16.0],[179.0,-18.0]],
          [[-179.5,-17.5],[179.5,-17.5],[179.5,-16.5],[-179.5,-16.5],[-179.5,-17.5]]]}}
        """.write(toFile: path, atomically: true, encoding: .utf8)
    let zones = try ZoneSet.load(paths: [path])
    for lon in [179.2, -179.2] { #expect(zones.zone(containingLat: -17.0, lon: lon) == 0, "\(lon)") }
    for lon in [179.8, -179.7, 180.0] { #expect(zones.zone(containingLat: -17.0, lon: lon) == nil, "\(lon) is in the hole") }
}

/// Record times at the ends of Int64 (a tag block `c:` in milliseconds wraps): the two-minute
/// track speed subtracted them plainly and trapped.
@Test func trackSpeedAtTheEndsOfTimeDoesNotTrap() throws {
    let events = decodeLines([tag("c:9223372036855") + aisPosition(mmsi: 230_111_000, lat: 59.5, lon: 24.9),
                              tag("c:1700000000") + aisPosition(mmsi: 230_111_000, lat: 59.6, lon: 24.9)])
    #expect(events.count == 2)
}

/// IPv6 text may end in a dotted quad, and only end in one.
@Test func dottedQuadOnlyAtTheEndOfIPv6() {
    #expect(IPNetwork.parseAddress("::ffff:10.1.2.3") != nil)
    #expect(IPNetwork.parseAddress("1.2.3.4::") == nil)
    #expect(IPNetwork.parseAddress("::1.2.3.4:1") == nil)
}

/// A receiver coasting on dead reckoning (GGA quality 6, RMC/GLL/GNS mode E) has no satellite
/// fix: that is what jamming leaves, and counting it as a fix hid the fix-lost rules.
@Test(arguments: [("$GPGGA,080000.00,5924.0000,N,02442.0000,E,6,04,1.0,10.0,M,18.0,M,,", false),
                  ("$GPGGA,080000.00,5924.0000,N,02442.0000,E,1,08,1.0,10.0,M,18.0,M,,", true),
                  ("$GPRMC,080000.00,A,5924.0000,N,02442.0000,E,11.2,48.0,271126,,,E", false),
                  ("$GPRMC,080000.00,A,5924.0000,N,02442.0000,E,11.2,48.0,271126,,,A", true),
                  ("$GPRMC,080000.00,A,5924.0000,N,02442.0000,E,11.2,48.0,271126,,", true),
                  ("$GPGLL,5924.0000,N,02442.0000,E,080000.00,A,E", false),
                  ("$GNGNS,080000.00,5924.0000,N,02442.0000,E,EE,08,1.0,10.0,18.0,,", false),
                  ("$GNGNS,080000.00,5924.0000,N,02442.0000,E,EA,08,1.0,10.0,18.0,,", true)])
func deadReckoningIsNoFix(_ sentence: String, _ fix: Bool) throws {
    let events = decodeLines([nmea(sentence)])
    let gnss = try #require(events.last?["gnss"] as? [String: Any])
    #expect(gnss["fix"] as? Bool == fix, "\(gnss)")
}

/// A jammed receiver that stops sending a constellation's satellite list: that list's last
/// strong values stood for the sky for ever (sats_strong stayed 4, the jamming rule never
/// fired). A group not reported for 30 s of receiver time has left the sky.
@Test func satelliteGroupsNotReportedAgainLeaveTheSky() throws {
    func rmc(_ t: Int) -> String {
        nmea(String(format: "$GPRMC,08%02d%02d.00,A,5924.0000,N,02442.0000,E,10.0,90.0,271126,,,A", t / 60, t % 60))
    }
    var lines: [String] = []
    for t in 0..<60 {
        lines.append(rmc(t))
        let gps = t < 10 ? "40,02,17,308,41,03,07,344,42,04,22,228,43" : "12,02,17,308,11,03,07,344,10,04,22,228,12"
        lines.append(nmea("$GPGSV,1,1,04,01,40,083,\(gps)"))
        if t < 10 { lines.append(nmea("$GLGSV,1,1,04,65,40,083,44,66,17,308,45,67,07,344,46,68,22,228,47")) }
    }
    let events = decodeLines(lines)
    let strong = events.compactMap { ($0["gnss"] as? [String: Any]).flatMap { number($0["sats_strong"]) } }
    #expect(strong.first == 4 || strong.first == 8, "\(strong.prefix(3))")
    #expect(strong.last == 0, "\(strong.suffix(5))")

    // The receiver stops sending GSV at all while its fix is gone: after 30 s no sky either.
    var quiet: [String] = []
    for t in 0..<60 {
        quiet.append(nmea(String(format: "$GPRMC,08%02d%02d.00,%@,5924.0000,N,02442.0000,E,10.0,90.0,271126,,,%@", t / 60, t % 60,
                                 t < 10 ? "A" : "V", t < 10 ? "A" : "N")))
        if t < 10 { quiet.append(nmea("$GPGSV,1,1,04,01,40,083,40,02,17,308,41,03,07,344,42,04,22,228,43")) }
    }
    let after = decodeLines(quiet).compactMap { ($0["gnss"] as? [String: Any]).flatMap { number($0["sats_strong"]) } }
    #expect(after.first == 4 && after.last == 0, "\(after.prefix(3)) … \(after.suffix(3))")
}
