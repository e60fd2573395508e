import Foundation
import PicketCore
import PicketNet
import Testing

/// A client that opens a connection (client ISN 999, server ISN 4999) and then sends the
/// given segments: (sequence offset from the first data byte, text).
func connection(_ segments: [(Int, String)], serverAck: UInt32? = nil, close: Bool = false) -> [[UInt8]] {
    var p = [Build.seg(true, seq: 999, flags: F.syn), Build.seg(false, seq: 4999, ack: 1000, flags: F.syn | F.ack),
             Build.seg(true, seq: 1000, ack: 5000, flags: F.ack)]
    for (off, text) in segments { p.append(Build.seg(true, seq: 1000 + UInt32(off), ack: 5000, text)) }
    if let a = serverAck { p.append(Build.seg(false, seq: 5000, ack: a, flags: F.ack)) }
    if close {
        let end = segments.map { $0.0 + $0.1.utf8.count }.max() ?? 0
        p.append(Build.seg(true, seq: 1000 + UInt32(end), ack: 5000, flags: F.fin | F.ack))
        p.append(Build.seg(false, seq: 5000, ack: 1001 + UInt32(end), flags: F.fin | F.ack))
        p.append(Build.seg(true, seq: 1001 + UInt32(end), ack: 5001, flags: F.ack))
    }
    return p
}

struct StreamCase: CustomTestStringConvertible, Sendable {
    var name: String
    var segments: [(Int, String)]
    var serverAck: UInt32? = nil
    var expected: String
    var testDescription: String { name }
}

let streamCases: [StreamCase] = [
    StreamCase(name: "in order", segments: [(0, "HEL"), (3, "LO")], expected: "HELLO"),
    StreamCase(name: "out of order", segments: [(4, "EFGH"), (0, "ABCD")], expected: "ABCDEFGH"),
    StreamCase(name: "three segments in reverse", segments: [(6, "ghi"), (3, "def"), (0, "abc")], expected: "abcdefghi"),
    StreamCase(name: "retransmission is handed on once", segments: [(0, "ABCD"), (0, "ABCD"), (4, "EF")], expected: "ABCDEF"),
    StreamCase(name: "exact overlap: the first copy wins", segments: [(0, "GOOD"), (0, "EVIL")], expected: "GOOD"),
    StreamCase(name: "partial overlap with handed-on data: the first copy wins", segments: [(0, "GOOD"), (1, "XXXYZ")], expected: "GOODYZ"),
    StreamCase(name: "overlap with held data: the held (first) copy wins", segments: [(2, "XYZ"), (0, "ABCDEFG")], expected: "ABXYZFG"),
    StreamCase(name: "held segments overlapping each other", segments: [(4, "4567"), (2, "2345"), (0, "01")], expected: "01234567"),
    StreamCase(name: "gap declared when the receiver acknowledges past it", segments: [(0, "VERY"), (8, "DATA")],
               serverAck: 1012, expected: "VERY[4 missing]DATA"),
    StreamCase(name: "gap declared at the end of the input", segments: [(0, "VERY"), (8, "DATA")], expected: "VERY[4 missing]DATA"),
    StreamCase(name: "leading gap", segments: [(4, "GOOD"), (8, "DATA")], serverAck: 1012, expected: "[4 missing]GOODDATA"),
]

@Suite struct TCPReassemblyTests {
    @Test(arguments: streamCases)
    func reassembles(_ c: StreamCase) {
        let r = runPipeline(connection(c.segments, serverAck: c.serverAck))
        #expect(streams(r.events)["to_server"] == c.expected)
        #expect(streams(r.events)["to_client"] == nil)
        // Offsets count every byte before the chunk, gaps included.
        var expectedOffset = 0
        for e in r.events where e.kind == .stream {
            expectedOffset += e.value("stream.gap") as? Int ?? 0
            #expect(e.value("stream.offset") as? Int == expectedOffset)
            #expect(e.value("stream.length") as? Int == e.payload.count)
            expectedOffset += e.payload.count
        }
    }

    @Test("a gap is reported when the ACK arrives, before the end of the input")
    func gapOnAck() {
        let r = runPipeline(connection([(0, "VERY"), (8, "DATA")], serverAck: 1012))
        let chunks = r.events.filter { $0.kind == .stream }
        #expect(chunks.map(\.pcapCount) == [4, 6])  // DATA came out with the server's ACK (packet 6)
    }

    @Test("FIN ends each direction once; the flow's streams share a flow id")
    func finEnds() throws {
        let r = runPipeline(connection([(0, "GET / HTTP/1.0\r\n\r\n")], close: true))
        #expect(r.ended.count == 2)
        #expect(Set(r.ended.map(\.toServer)) == [true, false])
        let ids = Set(r.events.compactMap(\.flowID))
        #expect(ids.count == 1)
        #expect(r.ended.allSatisfy { $0.flowID == ids.first })
        let chunk = try #require(r.events.first { $0.kind == .stream })
        #expect(chunk.streamKey == StreamKey(flowID: try #require(ids.first), toServer: true))
        // Ended when the FINs were reached, before the end of the input.
        #expect(r.events.filter { $0.kind == .http }.count == 1)
    }

    @Test("RST ends both directions and hands on held data past the hole")
    func rst() {
        var p = connection([(4, "LATE")])
        p.append(Build.seg(false, seq: 5000, flags: F.rst))
        let r = runPipeline(p)
        #expect(streams(r.events)["to_server"] == "[4 missing]LATE")
        #expect(r.ended.count == 2)
    }

    @Test("TCP Fast Open: data on the SYN is the start of the stream")
    func fastOpen() {
        let r = runPipeline([
            Build.seg(true, seq: 100, flags: F.syn, "Hi!"),
            Build.seg(false, seq: 700, ack: 104, flags: F.syn | F.ack),
            Build.seg(true, seq: 104, ack: 701, " there"),
            Build.seg(false, seq: 701, ack: 110, "Hello!"),
        ])
        #expect(streams(r.events) == ["to_server": "Hi! there", "to_client": "Hello!"])
    }

    @Test("midstream pickup: the first sender is the client")
    func midstream() {
        let r = runPipeline([
            Build.seg(false, seq: 300, ack: 50, "response "),  // the server speaks first in the capture
            Build.seg(true, seq: 50, ack: 309, "request"),
            Build.seg(false, seq: 309, ack: 57, "more"),
        ])
        let s = streams(r.events)
        #expect(s["to_server"] == "response more")
        #expect(s["to_client"] == "request")
        let first = r.events.first { $0.kind == .stream }
        #expect(first?.fields["src_ip"] as? String == "10.0.0.2")
    }

    @Test("split handshake: the side that sent the first SYN is the client")
    func splitHandshake() {
        let r = runPipeline([
            Build.seg(true, seq: 1000, flags: F.syn),
            Build.seg(false, seq: 3000, flags: F.syn),
            Build.seg(true, seq: 1000, ack: 3001, flags: F.syn | F.ack),
            Build.seg(false, seq: 3001, ack: 1001, flags: F.ack),
            Build.seg(true, seq: 1001, ack: 3001, "EVIL"),
        ])
        #expect(streams(r.events) == ["to_server": "EVIL"])
    }

    @Test("sequence numbers that wrap past 2^32")
    func wrap() {
        let r = runPipeline([
            Build.seg(true, seq: 0xFFFF_FFFC, flags: F.syn),
            Build.seg(true, seq: 0xFFFF_FFFD, "abc"),
            Build.seg(true, seq: 0x0000_0003, "ghi"),
            Build.seg(true, seq: 0x0000_0000, "def"),
        ])
        #expect(streams(r.events)["to_server"] == "abcdefghi")
    }

    @Test("stream depth: bytes past it are not handed on, the cap is counted once per direction")
    func depth() {
        var options = NetworkOptions()
        options.stream.depth = 10
        let r = runPipeline(connection([(0, "0123456"), (7, "789abc"), (13, "def")]), options: options)
        #expect(streams(r.events)["to_server"] == "0123456789")
        #expect(r.caps[.streamDepth] == 1)
    }

    @Test("stream memcap: out-of-order data that does not fit is dropped and counted")
    func memcap() {
        var options = NetworkOptions()
        options.stream.memcap = 100  // one 4-byte segment and its 64-byte overhead fit, two do not
        let r = runPipeline(connection([(4, "AAAA"), (10, "BBBB"), (0, "0123")]), options: options)
        #expect(r.caps[.streamMemcap] == 1)
        // BBBB did not fit and nothing came after it, so no gap is reported either.
        #expect(streams(r.events)["to_server"] == "0123AAAA")
    }

    @Test("a lost segment and no ACKs: past the per-stream hold limit, one gap, then the stream goes on")
    func perStreamLimit() {
        var options = NetworkOptions()
        options.stream.maxPendingPerStream = 300  // four 10-byte segments with their 64-byte overhead
        let letters = Array("ABCDEFGHIJ")
        let segments = (1...10).map { i in (i * 10, String(repeating: letters[i - 1], count: 10)) }
        let r = runPipeline(connection(segments), options: options)
        #expect(r.caps[.streamMemcap] == 1)
        #expect(streams(r.events)["to_server"] == "[10 missing]" + segments.map(\.1).joined())
        // The gap was declared while the connection was still going, not at the end.
        let firstChunk = r.events.first { $0.kind == .stream }
        #expect(firstChunk?.pcapCount == 8)
    }

    @Test("a port reused after a closed connection starts a new flow")
    func portReuse() {
        var p = connection([(0, "one")], close: true)
        p += [Build.seg(true, seq: 7000, flags: F.syn), Build.seg(false, seq: 8000, ack: 7001, flags: F.syn | F.ack),
              Build.seg(true, seq: 7001, ack: 8001, "two")]
        let r = runPipeline(p)
        let chunks = r.events.filter { $0.kind == .stream }
        #expect(chunks.map(\.text) == ["one", "two"])
        #expect(Set(chunks.compactMap(\.flowID)).count == 2)
    }

    @Test("a SYN with a new sequence number on a flow that never closed starts a new flow; a retransmitted SYN does not")
    func newISN() {
        let p = [Build.seg(true, seq: 10, flags: F.syn), Build.seg(true, seq: 10, flags: F.syn), Build.seg(true, seq: 11, "old"),
                 Build.seg(true, seq: 90000, flags: F.syn), Build.seg(true, seq: 90001, "new")]
        let r = runPipeline(p)
        let chunks = r.events.filter { $0.kind == .stream }
        #expect(chunks.map(\.text) == ["old", "new"])
        #expect(Set(chunks.compactMap(\.flowID)).count == 2)
        #expect(Set(r.events.prefix(3).compactMap(\.flowID)).count == 1)
    }
}

@Suite struct FlowTableTests {
    @Test("the flow cap evicts the least recently active flow and counts it")
    func eviction() {
        var options = NetworkOptions()
        options.flows.maxFlows = 2
        let r = runPipeline([
            Build.seg(true, seq: 1, "a", sport: 1001),
            Build.seg(true, seq: 1, "b", sport: 1002),
            Build.seg(true, seq: 2, "a", sport: 1001),   // 1001 is now more recent than 1002
            Build.seg(true, seq: 1, "c", sport: 1003),   // evicts 1002
            Build.seg(true, seq: 2, "b", sport: 1002),   // a new flow again, evicting 1001
        ], options: options)
        #expect(r.caps[.flows] == 2)
        let flowOf = Dictionary(grouping: r.events.filter { $0.kind == .packet }, by: { $0.fields["src_port"] as? Int ?? 0 })
            .mapValues { Set($0.compactMap(\.flowID)) }
        #expect(flowOf[1001]?.count == 1)
        #expect(flowOf[1002]?.count == 2)
        // Ended: 1002 (evicted), 1001 (evicted), then 1003 and the second 1002 at the end.
        #expect(r.ended.count == 4)
    }

    @Test("flows time out in packet time")
    func timeout() {
        var options = NetworkOptions()
        options.flows.otherNew = 30
        let udp = Build.ipv4(src: Build.client, dst: Build.server, proto: 17, Build.udp(sport: 1, dport: 2, [1]))
        let r = runPipeline([udp, udp, udp], options: options, times: [0, 10, 100])
        let ids = r.events.compactMap(\.flowID)
        #expect(ids.count == 3)
        #expect(ids[0] == ids[1])
        #expect(ids[1] != ids[2])
    }

    @Test("20,000 packets over 3,000 flows under a cap of 1,000: flow identity as a least-recently-used table says")
    func lookupsAgreeWithAnLRUModel() {
        var options = NetworkOptions()
        options.flows.maxFlows = 1000
        options.flows.otherNew = 1 << 30
        var rng = SplitMix64(state: 7)
        let ports = (0..<20_000).map { _ in 1024 + Int(rng.next() % 3000) }
        let packets = ports.map { sport in
            Build.ipv4(src: Build.client, dst: Build.server, proto: 17, Build.udp(sport: sport, dport: 53, [1]))
        }
        let r = runPipeline(packets, options: options)
        let ids = r.events.filter { $0.kind == .packet }.compactMap(\.flowID)
        #expect(ids.count == ports.count)
        // The model: a flow lives until it is the least recently used when a new one needs room.
        var live: [Int: (flow: Int, last: Int)] = [:]
        var flowOfPacket: [Int] = []
        var next = 0
        var evicted = 0
        for (i, port) in ports.enumerated() {
            if let f = live[port] {
                live[port] = (f.flow, i)
            } else {
                if live.count == 1000, let lru = live.min(by: { $0.value.last < $1.value.last }) {
                    live[lru.key] = nil
                    evicted += 1
                }
                live[port] = (next, i)
                next += 1
            }
            flowOfPacket.append(live[port]!.flow)
        }
        // Same partition of packets into flows, and the same number of evictions.
        var idOfFlow: [Int: UInt64] = [:]
        var agree = true
        for (i, f) in flowOfPacket.enumerated() {
            if let id = idOfFlow[f] { agree = agree && id == ids[i] } else { idOfFlow[f] = ids[i] }
        }
        #expect(agree)
        #expect(Set(ids).count == next)
        #expect(r.caps[.flows] == evicted)
    }

    @Test("both directions of a flow, and VLANs, key the same and different flows")
    func keys() {
        let eth = { (vlan: Int, fromClient: Bool) -> [UInt8] in
            hex("000000000001 000000000002 8100") + Build.be16(vlan) + [0x08, 0x00] +
                Build.seg(fromClient, seq: 1, flags: F.ack)
        }
        let r = runPipeline([eth(5, true), eth(5, false), eth(6, true)], linkType: 1)
        let ids = r.events.compactMap(\.flowID)
        #expect(ids[0] == ids[1])
        #expect(ids[0] != ids[2])
        #expect(r.events[1].fields["vlan"] as? [Int] == [5])
    }
}

@Suite struct DefragTests {
    /// A TCP SYN with 24 bytes of options-free payload, cut into IPv4 fragments.
    static let tcpPayload = Build.tcp(sport: 12345, dport: 8080, seq: 1, flags: F.syn, Array("ABCDEFGHIJKLMNOPQRSTUVWX".utf8))

    static func fragment(_ offset: Int, _ bytes: [UInt8], more: Bool, id: Int = 7) -> [UInt8] {
        Build.ipv4(src: Build.client, dst: Build.server, proto: 6, id: id, flagsOffset: (more ? 0x2000 : 0) | offset / 8, bytes)
    }

    @Test("IPv4 fragments out of order: one reassembled packet, decoded and flowed")
    func ipv4() throws {
        let t = Self.tcpPayload  // 44 bytes: fragments of 16, 16 and 12
        let r = runPipeline([Self.fragment(32, Array(t[32...]), more: false), Self.fragment(0, Array(t[0..<16]), more: true),
                             Self.fragment(16, Array(t[16..<32]), more: true)])
        let packets = r.events.filter { $0.kind == .packet }
        #expect(packets.count == 4)  // three fragments and the reassembled datagram
        let whole = try #require(packets.last)
        #expect(whole.packet == Build.ipv4(src: Build.client, dst: Build.server, proto: 6, id: 7, t))
        #expect(whole.value("reassembled.fragments") as? Int == 3)
        #expect(whole.value("tcp.syn") as? Bool == true)
        #expect(whole.flowID != nil)
        #expect(streams(r.events)["to_server"] == "ABCDEFGHIJKLMNOPQRSTUVWX")
    }

    @Test("overlapping fragments: the bytes seen first win")
    func overlap() throws {
        let t = Self.tcpPayload
        var evil = Array(t[16..<32])
        for i in evil.indices { evil[i] = UInt8(ascii: "Z") }
        let r = runPipeline([Self.fragment(0, Array(t[0..<24]), more: true),   // header and "ABCD"
                             Self.fragment(16, evil, more: true),               // overlaps 16..<24, then Zs
                             Self.fragment(32, Array(t[32...]), more: false)])
        let whole = try #require(r.events.last { $0.kind == .packet })
        #expect(whole.value("reassembled.fragments") as? Int == 3)
        // Bytes 16..<24 came first with the first fragment ("ABCD" after the TCP header).
        #expect(streams(r.events)["to_server"] == "ABCDZZZZZZZZMNOPQRSTUVWX")
    }

    @Test("IPv6 fragments: the Fragment header is removed, payload length rewritten")
    func ipv6() throws {
        let src = hex("20010db8000000000000000000000001"), dst = hex("20010db8000000000000000000000002")
        let t = Self.tcpPayload
        func frag(_ off: Int, _ bytes: [UInt8], more: Bool) -> [UInt8] {
            [0x60, 0, 0, 0] + Build.be16(8 + bytes.count) + [44, 64] + src + dst +
                [6, 0] + Build.be16(off | (more ? 1 : 0)) + [0, 0, 0, 9] + bytes
        }
        let r = runPipeline([frag(0, Array(t[0..<24]), more: true), frag(24, Array(t[24...]), more: false)])
        let whole = try #require(r.events.last { $0.kind == .packet })
        #expect(whole.packet == [0x60, 0, 0, 0] + Build.be16(t.count) + [6, 64] + src + dst + t)
        #expect(streams(r.events)["to_server"] == "ABCDEFGHIJKLMNOPQRSTUVWX")
    }

    @Test("fragments that never complete time out; the memcap drops what does not fit")
    func limits() {
        var options = NetworkOptions()
        options.defrag.memcap = 20
        let t = Self.tcpPayload
        let r = runPipeline([Self.fragment(0, Array(t[0..<16]), more: true), Self.fragment(16, Array(t[16..<32]), more: true),
                             Self.fragment(32, Array(t[32...]), more: false)], options: options)
        #expect(r.caps[.defragMemcap] ?? 0 >= 1)
        #expect(r.events.filter { $0.kind == .packet }.count == 3)
        var short = NetworkOptions()
        short.defrag.timeoutNanos = 5_000_000_000
        let late = runPipeline([Self.fragment(0, Array(t[0..<16]), more: true), Self.fragment(16, Array(t[16..<32]), more: true),
                                Self.fragment(32, Array(t[32...]), more: false)], options: short, times: [0, 1, 60])
        #expect(late.events.filter { $0.kind == .packet }.count == 3)
    }
}

/// Sentences the network stage found, as the NMEA decoder would receive them.
final class SentenceRecorder: SentenceConsumer {
    var sentences: [String] = []
    var sources: [String] = []
    func consume<S: EventSink>(sentence: UnsafeRawBufferPointer, origin: Origin, timestamp: Timestamp,
                               source: String, input: String, sink: inout S) -> Bool {
        sentences.append(String(decoding: sentence, as: UTF8.self))
        sources.append(source)
        return true
    }
}

@Suite struct NMEAInPacketsTests {
    @Test("UDP datagrams, IEC 61162-450 frames and TCP streams are split into sentences")
    func sentences() {
        let rec = SentenceRecorder()
        let gga = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"
        let ais = "!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24"
        let tagged = "\\s:r003669945,c:1241544035*4A\\" + ais
        let udp = Build.ipv4(src: Build.client, dst: Build.server, proto: 17,
                             Build.udp(sport: 10110, dport: 10110, Array((gga + "\r\n" + ais + "\r\n").utf8)))
        let frame450 = Build.ipv4(src: Build.client, dst: 0xEF00_0001, proto: 17,
                                  Build.udp(sport: 60001, dport: 60001, Array("UdPbC".utf8) + [0] + Array((tagged + "\r\n").utf8)))
        let stream = Array((gga + "\r\n" + ais + "\r\n" + gga + "\r\n").utf8)
        let tcp = [Build.seg(false, seq: 1, ack: 1, Array(stream[0..<30]), sport: 40001, dport: 10110),
                   Build.seg(false, seq: 31, ack: 1, Array(stream[30...]), sport: 40001, dport: 10110)]
        _ = runPipeline([udp, frame450] + tcp, consumer: rec)
        #expect(rec.sentences == [gga, ais, tagged, gga, ais, gga])
        #expect(rec.sources.first == "10.0.0.1:10110")
        #expect(rec.sources.last == "10.0.0.2:10110")
    }

    @Test("without a consumer, NMEA is left alone and nothing breaks")
    func noConsumer() {
        let r = runPipeline([Build.ipv4(src: Build.client, dst: Build.server, proto: 17, Build.udp(sport: 1, dport: 2, Array("$GPGGA,1*00\r\n".utf8)))])
        #expect(r.events.count == 1)
    }
}
