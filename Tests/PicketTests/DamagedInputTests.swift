import Foundation
import PicketCore
import PicketScan
import Testing

/// Damaged input, end to end through the real `picket` binary: every case checks the exit
/// status, the damage message (file and byte offset, on stderr and in `damaged_inputs`) and
/// that `total = decoded + malformed + skipped` for packets and lines in `--stats-json`.
/// Expected outcomes come from the formats themselves (a plain walk of the record headers),
/// not from Picket's own output.
@Suite(.serialized) struct DamagedInputTests {
    /// What `picket scan --stats-json` said about one input.
    struct Outcome {
        var path: String
        var status: Int32
        var stderr: String
        var stats: [String: Any]
        var packets: (total: Int, decoded: Int, malformed: Int, skipped: Int) { counts(stats, "packets") }
        var lines: (total: Int, decoded: Int, malformed: Int, skipped: Int) { counts(stats, "lines") }
        var damaged: [[String: Any]] { stats["damaged_inputs"] as? [[String: Any]] ?? [] }
        func cap(_ name: String) -> Int { (stats["caps_hit"] as? [String: Any])?[name] as? Int ?? -1 }
    }

    /// An empty signature folder: these tests look at decoding and damage, not findings.
    static let noSignatures: String = {
        let dir = Paths.temporary("no-signatures")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Write `bytes` to a file and scan it (or feed it on stdin).
    func scan(_ bytes: [UInt8], _ name: String, _ extra: [String] = [], stdin: Bool = false) throws -> Outcome {
        let path = Paths.temporary(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try scanFile(path, extra, stdin: stdin)
    }

    func scanFile(_ path: String, _ extra: [String] = [], stdin: Bool = false) throws -> Outcome {
        let statsPath = Paths.temporary("stats-\(UUID().uuidString).json")
        let r = try picket(["scan"] + (stdin ? ["-"] : [path]) + ["-s", Self.noSignatures, "--stats-json", statsPath] + extra,
                           stdinFile: stdin ? path : nil)
        let stats = try statsJSON(statsPath)
        try? FileManager.default.removeItem(atPath: statsPath)
        let o = Outcome(path: stdin ? "-" : path, status: r.status, stderr: r.stderr, stats: stats)
        expectBalanced(o)
        return o
    }

    func expectBalanced(_ o: Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        let p = o.packets, l = o.lines
        #expect(p.total >= 0 && p.total == p.decoded + p.malformed + p.skipped, "packets \(p) in \(o.path)", sourceLocation: sourceLocation)
        #expect(l.total >= 0 && l.total == l.decoded + l.malformed + l.skipped, "lines \(l) in \(o.path)", sourceLocation: sourceLocation)
    }

    /// Exit 0, nothing reported damaged.
    func expectClean(_ o: Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 0, "\(o.path): exit \(o.status): \(o.stderr)", sourceLocation: sourceLocation)
        #expect(o.damaged.isEmpty, "\(o.path): \(o.damaged)", sourceLocation: sourceLocation)
    }

    /// Exit 3 and exactly one damage: at `offset`, its reason starting with `reason`, named
    /// on stderr as `picket: FILE: offset N: REASON`.
    func expectDamage(_ o: Outcome, offset: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 3, "\(o.path): exit \(o.status): \(o.stderr)", sourceLocation: sourceLocation)
        #expect(o.stderr.contains("picket: \(o.path): offset \(offset): \(reason)"),
                "expected 'offset \(offset): \(reason)' in: \(o.stderr)", sourceLocation: sourceLocation)
        #expect(o.damaged.count == 1, "\(o.damaged)", sourceLocation: sourceLocation)
        if let d = o.damaged.first {
            #expect(d["input"] as? String == o.path, sourceLocation: sourceLocation)
            #expect(d["offset"] as? Int == offset, "\(d)", sourceLocation: sourceLocation)
            #expect((d["reason"] as? String ?? "").hasPrefix(reason), "\(d)", sourceLocation: sourceLocation)
        }
    }

    // MARK: The formats, walked by their headers alone

    /// Offsets and captured lengths of the records of a little-endian classic pcap.
    static func pcapRecords(_ b: [UInt8]) -> [(offset: Int, length: Int)] {
        var out: [(Int, Int)] = []
        var pos = 24
        while pos + 16 <= b.count {
            let incl = Int(le32(b, pos + 8))
            guard pos + 16 + incl <= b.count else { break }
            out.append((pos, incl))
            pos += 16 + incl
        }
        return out
    }

    /// What a pcap reader must do with `b`: the whole records before the first damage, and
    /// the offset of the damage (nil for a clean end).
    static func referencePcap(_ b: [UInt8], maxRecord: Int = 16 << 20) -> (records: Int, damageAt: Int?) {
        if b.isEmpty { return (0, nil) }
        guard b.count >= 24 else { return (0, 0) }
        var pos = 24, records = 0
        while pos < b.count {
            guard b.count - pos >= 16 else { return (records, pos) }
            let incl = Int(le32(b, pos + 8))
            guard incl <= maxRecord, b.count - pos - 16 >= incl else { return (records, pos) }
            records += 1
            pos += 16 + incl
        }
        return (records, nil)
    }

    /// Offsets, lengths and types of the blocks of a little-endian pcapng.
    static func pcapngBlocks(_ b: [UInt8]) -> [(offset: Int, length: Int, type: UInt32)] {
        var out: [(Int, Int, UInt32)] = []
        var pos = 0
        while pos + 12 <= b.count {
            let length = Int(le32(b, pos + 4))
            guard length >= 12, pos + length <= b.count else { break }
            out.append((pos, length, le32(b, pos)))
            pos += length
        }
        return out
    }

    static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func setLE32(_ b: inout [UInt8], _ i: Int, _ v: UInt32) {
        for k in 0..<4 { b[i + k] = UInt8(v >> (8 * UInt32(k)) & 255) }
    }

    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// A real capture of an HTTP conversation: 13 records, Ethernet, IPv4, TCP.
    static let capturePath = Paths.corpus("suricata-verify/bug-78-http-uri/input.pcap")
    /// A real pcapng: section header, interface, four enhanced packet blocks, statistics.
    static let pcapngPath = Paths.corpus("nmea/pcap/nmea0183udp.pcapng")

    // MARK: Truncation

    @Test("a real capture cut at every record boundary, inside every record header and inside every record")
    func pcapTruncatedAtEveryRecordBoundaryAndInside() throws {
        let b = try Self.read(Self.capturePath)
        let records = Self.pcapRecords(b)
        #expect(records.count == 13)
        expectDamage(try scan(Array(b[0..<10]), "cut-10.pcap"), offset: 0, "pcap: file header cut short (10 of 24 bytes)")
        for (i, r) in records.enumerated() {
            let boundary = try scan(Array(b[0..<r.offset]), "cut-boundary-\(i).pcap")
            expectClean(boundary)
            #expect(boundary.packets.total == i)
            let inHeader = try scan(Array(b[0..<(r.offset + 7)]), "cut-header-\(i).pcap")
            expectDamage(inHeader, offset: r.offset, "pcap: record header cut short (7 of 16 bytes); the \(i) whole packet(s) before it were read")
            #expect(inHeader.packets.total == i)
            let half = r.length / 2
            let inData = try scan(Array(b[0..<(r.offset + 16 + half)]), "cut-data-\(i).pcap")
            expectDamage(inData, offset: r.offset, "pcap: record cut short (\(half) of \(r.length) captured bytes)")
            #expect(inData.packets.total == i)
        }
        let whole = try scan(b, "whole.pcap")
        expectClean(whole)
        #expect(whole.packets.total == 13 && whole.packets.decoded == 13)
        // The same through stdin: the message names `-`.
        let viaStdin = try scan(Array(b[0..<(records[5].offset + 20)]), "cut-stdin.pcap", stdin: true)
        expectDamage(viaStdin, offset: records[5].offset, "pcap: record cut short (4 of \(records[5].length) captured bytes)")
        #expect(viaStdin.packets.total == 5)
    }

    @Test("a real capture cut after every byte, plain and gzip'd: whole records read, damage where the format says")
    func pcapTruncatedAtEveryByte() throws {
        let b = try Self.read(Self.capturePath)
        let path = Paths.temporary("every-byte.pcap")
        // (Fewer than 4 bytes cannot be told from text: those cuts are not checked here.)
        for cut in 4...b.count {
            try Data(b[0..<cut]).write(to: URL(fileURLWithPath: path))
            let scanner = try PicketScan.Scanner(options: ScanOptions(), sink: CountingSink(), report: { _ in })
            scanner.scan([.file(path)])
            let s = scanner.stats
            let expected = Self.referencePcap(Array(b[0..<cut]))
            #expect(s.packets.total == expected.records, "cut at \(cut)")
            #expect(s.packets.total == s.packets.decoded + s.packets.malformed + s.packets.skipped)
            #expect(s.damaged.map(\.offset) == (expected.damageAt.map { [Int64($0)] } ?? []), "cut at \(cut): \(s.damaged)")
        }
        // gzip'd and then cut: damage is reported at the end of the compressed bytes, in the
        // compressed file, and the packets inflated before it are counted.
        let gz = Paths.temporary("every-byte.pcap.gz")
        _ = try shell("gzip -c -n '\(Self.capturePath)' > '\(gz)'")
        let z = try Self.read(gz)
        for cut in stride(from: 11, to: z.count - 8, by: max(1, z.count / 60)) {
            let o = try scan(Array(z[0..<cut]), "cut-gz-\(cut).pcap.gz")
            expectDamage(o, offset: cut, "gzip data cut short: the member that starts at offset 0 does not end")
            #expect(o.packets.total <= 13)
        }
    }

    @Test("a real pcapng cut at every block boundary, inside every block header and inside every block")
    func pcapngTruncatedAtEveryBlockBoundaryAndInside() throws {
        let b = try Self.read(Self.pcapngPath)
        let blocks = Self.pcapngBlocks(b)
        #expect(blocks.map(\.type) == [0x0A0D_0D0A, 1, 6, 6, 6, 6, 5])
        for (i, blk) in blocks.enumerated() {
            let packetsBefore = blocks[0..<i].filter { $0.type == 6 }.count
            if i > 0 {
                let boundary = try scan(Array(b[0..<blk.offset]), "ng-boundary-\(i).pcapng")
                expectClean(boundary)
                #expect(boundary.packets.total == packetsBefore)
            }
            let inHeader = try scan(Array(b[0..<(blk.offset + 6)]), "ng-header-\(i).pcapng")
            expectDamage(inHeader, offset: blk.offset, "pcapng: block header cut short (6 of 12 bytes)")
            #expect(inHeader.packets.total == packetsBefore)
            let inBlock = try scan(Array(b[0..<(blk.offset + blk.length - 2)]), "ng-block-\(i).pcapng")
            expectDamage(inBlock, offset: blk.offset, "pcapng: block cut short (\(blk.length - 2) of \(blk.length) bytes)")
            #expect(inBlock.packets.total == packetsBefore)
        }
        // Every byte, in-process: damage is where the block that was cut starts.
        let path = Paths.temporary("ng-every-byte.pcapng")
        for cut in 4...b.count {
            try Data(b[0..<cut]).write(to: URL(fileURLWithPath: path))
            let scanner = try PicketScan.Scanner(options: ScanOptions(), sink: CountingSink(), report: { _ in })
            scanner.scan([.file(path)])
            let cutBlock = blocks.last { $0.offset < cut && $0.offset + $0.length > cut }
            #expect(scanner.stats.damaged.map(\.offset) == (cutBlock.map { [Int64($0.offset)] } ?? []), "cut at \(cut)")
            #expect(scanner.stats.packets.total == blocks.filter { $0.type == 6 && $0.offset + $0.length <= cut }.count, "cut at \(cut)")
        }
    }

    // MARK: Length fields

    @Test("pcap incl_len of a record set to 0, 1, huge and negative-looking values",
          arguments: [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, (16 << 20) + 1] as [UInt32])
    func pcapCapturedLength(_ value: UInt32) throws {
        var b = try Self.read(Self.capturePath)
        let r = Self.pcapRecords(b)[3]
        Self.setLE32(&b, r.offset + 8, value)
        let expected = Self.referencePcap(b)
        let o = try scan(b, "incl-\(value).pcap")
        #expect(o.packets.total == expected.records)
        if let at = expected.damageAt {
            if value > 16 << 20 {
                #expect(at == r.offset)
                expectDamage(o, offset: at, "pcap: record claims \(value) captured bytes, above the 16777216-byte record_length cap; framing lost")
                #expect(o.cap("record_length") == 1)
            } else {
                #expect(o.status == 3 && o.damaged.count == 1 && o.damaged.first?["offset"] as? Int == at, "\(o.stderr)")
                #expect(o.stderr.contains("picket: \(o.path): offset \(at): pcap: "), "\(o.stderr)")
            }
        } else {
            expectClean(o)
        }
    }

    @Test("pcap orig_len set to 0 and to a huge value: framing is unaffected, the packet still decodes",
          arguments: [0, 0xFFFF_FFFF] as [UInt32])
    func pcapOriginalLength(_ value: UInt32) throws {
        var b = try Self.read(Self.capturePath)
        Self.setLE32(&b, Self.pcapRecords(b)[2].offset + 12, value)
        let o = try scan(b, "orig-\(value).pcap")
        expectClean(o)
        #expect(o.packets.total == 13 && o.packets.decoded == 13)
    }

    @Test("pcapng block total length set to 0, 1, 13, huge and negative-looking values",
          arguments: [0, 1, 8, 13, 0x7FFF_FFFC, 0x8000_0000, 0xFFFF_FFFC] as [UInt32])
    func pcapngBlockLength(_ value: UInt32) throws {
        var b = try Self.read(Self.pcapngPath)
        let blk = Self.pcapngBlocks(b)[3]  // the second enhanced packet block
        Self.setLE32(&b, blk.offset + 4, value)
        let o = try scan(b, "ng-len-\(value).pcapng")
        #expect(o.packets.total == 1)
        if value < 12 {
            expectDamage(o, offset: blk.offset, "pcapng: block length \(value) is below the 12-byte minimum; framing lost")
        } else if value % 4 != 0 {
            expectDamage(o, offset: blk.offset, "pcapng: block length \(value) is not a multiple of 4; framing lost")
        } else {
            expectDamage(o, offset: blk.offset, "pcapng: block length \(value) is above the record_length cap (16777216 bytes); framing lost")
            #expect(o.cap("record_length") == 1)
        }
    }

    @Test("pcapng blocks with wrong trailing lengths: damage at the trailer, the packets before it read")
    func pcapngWrongTrailingLength() throws {
        let original = try Self.read(Self.pcapngPath)
        let blocks = Self.pcapngBlocks(original)
        for (i, blk) in blocks.enumerated() {
            for wrong in [blk.length + 4, 0, blk.length - 1] {
                var b = original
                Self.setLE32(&b, blk.offset + blk.length - 4, UInt32(wrong))
                let o = try scan(b, "ng-trailer-\(i)-\(wrong).pcapng")
                expectDamage(o, offset: blk.offset + blk.length - 4,
                             "pcapng: trailing block length \(wrong) differs from the leading \(blk.length); framing lost")
                #expect(o.packets.total == blocks[0..<i].filter { $0.type == 6 }.count)
            }
        }
    }

    @Test("pcapng captured_len beyond its block: that packet is malformed, the file is not damaged")
    func pcapngCapturedLengthTooBig() throws {
        var b = try Self.read(Self.pcapngPath)
        Self.setLE32(&b, Self.pcapngBlocks(b)[2].offset + 20, 0xFFFF_FFF0)
        let o = try scan(b, "ng-captured.pcapng")
        expectClean(o)
        #expect(o.packets.total == 4 && o.packets.malformed == 1)
        let events = try picket(["decode", o.path]).stdout.split(separator: "\n")
        #expect(events.first?.contains("\"decoder_event\":\"capture.pcapng.captured_length_too_big\"") == true, "\(events.first ?? "")")
    }

    /// One synthetic frame with a header field overwritten; the packet is malformed with the
    /// named decoder event, counted, and the scan goes on to the next packet.
    func expectMalformedPacket(_ frame: [UInt8], _ name: String, event: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = Paths.temporary(name)
        let good = udpFrame(Array("after".utf8))
        try writePcap(path, frames: [frame, good])
        let o = try scanFile(path)
        expectClean(o, sourceLocation: sourceLocation)
        #expect(o.packets.total == 2 && o.packets.malformed == 1 && o.packets.decoded == 1, "\(o.packets)", sourceLocation: sourceLocation)
        let first = try picket(["decode", path]).stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("\"pcap_cnt\":1") && first.contains("\"decoder_event\":\"\(event)\""), "\(first)", sourceLocation: sourceLocation)
    }

    @Test("IPv4 total length set to 0, 1, 19 and huge", arguments: [(0, "decoder.ipv4.iplen_smaller_than_hlen"),
                                                                   (1, "decoder.ipv4.iplen_smaller_than_hlen"),
                                                                   (19, "decoder.ipv4.iplen_smaller_than_hlen"),
                                                                   (0xFFFF, "decoder.ipv4.trunc_pkt")])
    func ipv4TotalLength(_ value: Int, _ event: String) throws {
        var f = udpFrame(Array("payload".utf8))
        f[16] = UInt8(value >> 8)
        f[17] = UInt8(value & 255)
        try expectMalformedPacket(f, "ipv4-total-\(value).pcap", event: event)
    }

    @Test("UDP length set to 0, 1, 7 and huge", arguments: [0, 1, 7, 0xFFFF])
    func udpLength(_ value: Int) throws {
        var f = udpFrame(Array("payload".utf8))
        f[38] = UInt8(value >> 8)
        f[39] = UInt8(value & 255)
        try expectMalformedPacket(f, "udp-length-\(value).pcap", event: "decoder.udp.hlen_invalid")
    }

    @Test("TCP data offset set to 0, 1, 4 and 15 words", arguments: [(0, "decoder.tcp.hlen_too_small"), (1, "decoder.tcp.hlen_too_small"),
                                                                     (4, "decoder.tcp.hlen_too_small"), (15, "decoder.tcp.pkt_too_small")])
    func tcpDataOffset(_ words: Int, _ event: String) throws {
        let tcp = Build.tcp(sport: 40000, dport: 80, seq: 1, flags: F.ack, Array("data".utf8))
        var f: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00] + Build.ipv4(src: Build.client, dst: Build.server, proto: 6, tcp)
        f[14 + 20 + 12] = UInt8(words << 4)
        try expectMalformedPacket(f, "tcp-offset-\(words).pcap", event: event)
    }

    /// A DNS message to port 53 in a capture, scanned and decoded.
    func dnsCapture(_ message: [UInt8], _ name: String) throws -> (Outcome, [String]) {
        let path = Paths.temporary(name)
        try writePcap(path, frames: [udpFrame(message, sport: 53, dport: 40000)])
        let o = try scanFile(path)
        let events = try picket(["decode", path]).stdout.split(separator: "\n").map(String.init)
        return (o, events)
    }

    @Test("DNS question and answer counts set to 0, 1 and 65535")
    func dnsCounts() throws {
        // Response: id, flags (QR, RD, RA), counts, question www.example.com A, one answer A.
        let header = hex("1234 8180")
        let question = hex("03 777777 07 6578616d706c65 03 636f6d 00 0001 0001")
        let answer = hex("c00c 0001 0001 0000003c 0004 c0000201")
        for (qd, an, dnsEvents) in [(0, 1, 1), (1, 0, 1), (1, 1, 1), (0xFFFF, 1, 0), (1, 0xFFFF, 1), (0xFFFF, 0xFFFF, 0)] {
            let counts = Build.be16(qd) + Build.be16(an) + hex("0000 0000")
            let (o, events) = try dnsCapture(header + counts + question + answer, "dns-\(qd)-\(an).pcap")
            expectClean(o)
            #expect(o.packets.total == 1 && o.packets.decoded == 1)
            #expect(events.filter { $0.contains("\"kind\":\"dns\"") }.count == dnsEvents, "qd \(qd) an \(an): \(events)")
        }
        // 70 questions (each a pointer to the first name): the first 64 are kept (dns_records cap).
        var many = header + Build.be16(70) + hex("0000 0000 0000") + question
        for _ in 1..<70 { many += hex("c00c 0001 0001") }
        let (o, events) = try dnsCapture(many, "dns-70-questions.pcap")
        expectClean(o)
        #expect(o.cap("dns_records") == 1)
        #expect(events.filter { $0.contains("\"kind\":\"dns\"") }.count == 64)
    }

    @Test("DNS compression loops: a name pointing at itself, two names pointing at each other, a long chain")
    func dnsCompressionLoops() throws {
        let header = hex("abcd 8180 0001 0001 0000 0000")
        let cases: [(String, [UInt8], Int)] = [
            // question name at 12 is a pointer to 12
            ("self", header + hex("c00c 0001 0001"), 0),
            // question: label "a" then a pointer to 18; at 18 a label "b" and a pointer back to 12
            ("mutual", header + hex("01 61 c014 0001 0001") + hex("01 62 c00c"), 0),
            // a good question, then an answer whose name is a chain of 20 pointers, each to the next
            ("chain", header + hex("01 61 00 0001 0001") + (0..<20).flatMap { i in Build.be16(0xC000 | (19 + 2 * (i + 1))) } + hex("00 0001 0001 0000003c 0004 01020304"), 1),
        ]
        for (name, message, dnsEvents) in cases {
            let (o, events) = try dnsCapture(message, "dns-loop-\(name).pcap")
            expectClean(o)
            #expect(o.packets.total == 1 && o.packets.decoded == 1)
            #expect(o.cap("dns_pointer_hops") == 1, "\(name)")
            #expect(events.filter { $0.contains("\"kind\":\"dns\"") }.count == dnsEvents, "\(name): \(events)")
        }
    }

    // MARK: Garbage

    @Test("garbage between capture records and blocks: damage where the garbage starts, the packets before it read")
    func garbageBetweenRecords() throws {
        let garbage = Array("GARBAGE".utf8)
        var b = try Self.read(Self.capturePath)
        let at = Self.pcapRecords(b)[5].offset
        b.insert(contentsOf: garbage, at: at)
        let expected = Self.referencePcap(b)
        #expect(expected.records == 5 && expected.damageAt == at)
        let o = try scan(b, "garbage.pcap")
        #expect(o.packets.total == 5)
        expectDamage(o, offset: at, "pcap: record claims")

        var ng = try Self.read(Self.pcapngPath)
        let blk = Self.pcapngBlocks(ng)[4]
        ng.insert(contentsOf: hex("de ad be ef fc ff ff 7f"), at: blk.offset)
        let ngOutcome = try scan(ng, "garbage.pcapng")
        #expect(ngOutcome.packets.total == 2)
        expectDamage(ngOutcome, offset: blk.offset, "pcapng: block length 2147483644 is above the record_length cap")
    }

    @Test("garbage between log lines and between gzip members")
    func garbageBetweenLines() throws {
        // Enough text around the garbage that the file is still text (at most 1 NUL in 256).
        var text: [UInt8] = []
        for i in 0..<20 { text += Array("Nov 27 06:32:\(10 + i) gw sshd[1]: line \(i)\n".utf8) }
        text += [0, 1, 2, 3, 0xFF, 0xFE, 10]
        for i in 20..<40 { text += Array("Nov 27 06:32:\(10 + i) gw sshd[1]: line \(i)\n".utf8) }
        let o = try scan(text, "garbage.log")
        expectClean(o)
        #expect(o.lines.total == 41 && o.lines.decoded == 40 && o.lines.malformed == 1)

        let member1 = Paths.temporary("m1.log.gz"), member2 = Paths.temporary("m2.log.gz")
        _ = try shell("printf 'Nov 27 06:32:01 gw a: one\\nNov 27 06:32:02 gw a: two\\n' | gzip -n > '\(member1)'")
        _ = try shell("printf 'Nov 27 06:32:03 gw a: three\\n' | gzip -n > '\(member2)'")
        let m1 = try Self.read(member1), m2 = try Self.read(member2)
        let padded = try scan(m1 + [0, 0, 0, 0] + m2, "padded.log.gz")
        expectClean(padded)
        #expect(padded.lines.total == 3)
        let trailing = try scan(m1 + m2 + Array("trailing junk".utf8), "trailing.log.gz")
        expectDamage(trailing, offset: m1.count + m2.count, "gzip: trailing garbage after the last complete member")
        #expect(trailing.lines.total == 3)
    }

    // MARK: Lines and compressed data

    @Test("a 100 MB line with no newline is skipped as it streams past: bounded memory, line_length counted")
    func hundredMegabyteLine() throws {
        let path = Paths.temporary("long-line.log")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.write(Data("Nov 27 06:32:01 gw sshd[1]: before\n".utf8))
        let block = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<100 { handle.write(block) }
        try handle.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        for stdin in [false, true] {
            let statsPath = Paths.temporary("long-line-stats.json")
            let input = stdin ? "-" : path
            let r = try shell("/usr/bin/time -v '\(Paths.picket)' scan \(input) -s '\(Self.noSignatures)' --stats-json '\(statsPath)' \(stdin ? "< '\(path)'" : "") 2>&1 >/dev/null")
            let stats = try statsJSON(statsPath)
            let o = Outcome(path: input, status: r.status, stderr: r.stdout, stats: stats)
            expectBalanced(o)
            #expect(o.status == 0, "\(r.stdout)")
            #expect(o.damaged.isEmpty)
            #expect(o.lines.total == 2 && o.lines.decoded == 1 && o.lines.skipped == 1)
            #expect(o.cap("line_length") == 1)
            let rssLine = r.stdout.split(separator: "\n").first { $0.contains("Maximum resident set size") } ?? ""
            let rssKB = Int(rssLine.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? -1
            // The line cap is 1 MiB; the whole process stays far below the line's 100 MB.
            #expect(rssKB > 0 && rssKB < 64 * 1024, "peak RSS \(rssKB) kB\(stdin ? " (stdin)" : "")")
        }
    }

    @Test("a gzip member cut short: in its header, in its data, in its trailer, and in a second member")
    func gzipMemberCutShort() throws {
        var text = ""
        for i in 0..<400 { text += "Nov 27 06:\(10 + i / 60):\(String(format: "%02d", i % 60)) gw sshd[\(i)]: line \(i) of the log\n" }
        let src = Paths.temporary("cut-source.log"), gz = Paths.temporary("cut-source.log.gz")
        try text.write(toFile: src, atomically: true, encoding: .utf8)
        _ = try shell("gzip -c -n '\(src)' > '\(gz)'")
        let z = try Self.read(gz)
        var lastLines = -1
        for cut in [5, 12, z.count / 3, z.count / 2, z.count - 8, z.count - 3] {
            let o = try scan(Array(z[0..<cut]), "cut-\(cut).log.gz")
            expectDamage(o, offset: cut, "gzip data cut short: the member that starts at offset 0 does not end")
            #expect(o.lines.total <= 400 && o.lines.total >= lastLines, "cut \(cut): \(o.lines)")
            lastLines = o.lines.total
        }
        #expect(lastLines == 400)  // cut in the trailer: every line was inflated
        let two = z + z
        let o = try scan(Array(two[0..<(z.count + z.count / 2)]), "cut-second.log.gz")
        expectDamage(o, offset: z.count + z.count / 2, "gzip data cut short: the member that starts at offset \(z.count) does not end")
        #expect(o.lines.total >= 400)
        // Corrupt data (not cut): named as corrupt, at its compressed offset.
        var bad = z
        for i in (z.count / 2)..<(z.count / 2 + 16) { bad[i] ^= 0x55 }
        let corrupt = try scan(bad, "corrupt.log.gz")
        #expect(corrupt.status == 3 && corrupt.damaged.count == 1)
        #expect(corrupt.stderr.contains("picket: \(corrupt.path): offset "), "\(corrupt.stderr)")
        #expect((corrupt.damaged.first?["reason"] as? String ?? "").contains("gzip"), "\(corrupt.damaged)")
        #expect((corrupt.damaged.first?["offset"] as? Int ?? -1) <= z.count)
    }

    // MARK: NMEA

    @Test("AIS fragment groups that never complete: the oldest are dropped past 1024, the rest time out or end with their input")
    func aisFragmentsThatNeverComplete() throws {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let payload = "55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53"
        var lines: [String] = []
        outer: for a in letters {
            for b in letters {
                for channel in ["A", "B"] {
                    for seq in 0...9 {
                        lines.append(nmea("!\(a)\(b)VDM,2,1,\(seq),\(channel),\(payload),0"))
                        if lines.count == 3000 { break outer }
                    }
                }
            }
        }
        let firsts = try scan(Array((lines.joined(separator: "\n") + "\n").utf8), "ais-firsts.log")
        expectClean(firsts)
        #expect(firsts.lines.total == 3000 && firsts.lines.decoded == 3000)
        #expect(firsts.cap("ais_fragment_groups") == 3000 - 1024)
        #expect(firsts.cap("ais_fragment_timeout") == 1024)  // still waiting when the input ended
        // Then ten thousand complete reports: every group still waiting is dropped as too old.
        for i in 0..<10_500 { lines.append(aisPosition(mmsi: 230_000_000 + Int64(i % 50), lat: 60, lon: 25)) }
        let aged = try scan(Array((lines.joined(separator: "\n") + "\n").utf8), "ais-aged.log")
        expectClean(aged)
        #expect(aged.lines.total == 13_500 && aged.lines.malformed == 0)
        #expect(aged.cap("ais_fragment_groups") == 3000 - 1024)
        #expect(aged.cap("ais_fragment_timeout") == 1024)
        // A second fragment whose first never came, and a group missing its middle fragment.
        let broken = [nmea("!AIVDM,2,2,7,A,1@0000000000000,2"),
                      nmea("!AIVDM,3,1,8,A,\(payload),0"), nmea("!AIVDM,3,3,8,A,1@0000000000000,2")]
        let o = try scan(Array((broken.joined(separator: "\n") + "\n").utf8), "ais-broken.log")
        expectClean(o)
        #expect(o.lines.total == 3 && o.lines.decoded == 1 && o.lines.malformed == 2)
    }
}
