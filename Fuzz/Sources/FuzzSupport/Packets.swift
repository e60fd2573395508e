import PicketCore
import PicketNet
import PicketNMEA

/// Builders of synthetic frames (checksums left zero, as offloading NICs capture them). Each
/// writes its header and body into one array sized up front: the packet targets build hundreds
/// of frames per input, and piecing them together from small arrays was a tenth of their time.
public enum Frames {
    private static let macs: [UInt8] = [0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10]

    public static func ethernet(_ type: UInt16, _ body: [UInt8]) -> [UInt8] {
        var f = [UInt8]()
        f.reserveCapacity(14 + body.count)
        f.append(contentsOf: macs)
        put16(&f, type)
        f.append(contentsOf: body)
        return f
    }

    /// IPv4 header (`options` padded to 4 bytes, at most 40) around `payload`.
    public static func ipv4(src: UInt32, dst: UInt32, proto: UInt8, id: UInt16 = 1, flagsAndOffset: UInt16 = 0x4000,
                            options: [UInt8] = [], payload: [UInt8], totalLength: Int? = nil) -> [UInt8] {
        let optionBytes = min(40, (options.count + 3) / 4 * 4)
        let hlen = 20 + optionBytes
        let total = totalLength ?? (hlen + payload.count)
        var h = [UInt8]()
        h.reserveCapacity(hlen + payload.count)
        h.append(0x40 | UInt8(hlen / 4)); h.append(0)
        put16(&h, UInt16(truncatingIfNeeded: total)); put16(&h, id); put16(&h, flagsAndOffset)
        h.append(64); h.append(proto); h.append(0); h.append(0)
        put32(&h, src); put32(&h, dst)
        h.append(contentsOf: options.prefix(optionBytes))
        while h.count < hlen { h.append(0) }
        h.append(contentsOf: payload)
        return h
    }

    /// IPv6 fixed header around `payload` (extension headers are part of the payload).
    public static func ipv6(src: UInt64, dst: UInt64, next: UInt8, payload: [UInt8]) -> [UInt8] {
        var h = [UInt8]()
        h.reserveCapacity(40 + payload.count)
        h.append(0x60); h.append(0); h.append(0); h.append(0)
        put16(&h, UInt16(truncatingIfNeeded: payload.count)); h.append(next); h.append(64)
        put64(&h, 0x2001_0DB8_0000_0000); put64(&h, src); put64(&h, 0x2001_0DB8_0000_0000); put64(&h, dst)
        h.append(contentsOf: payload)
        return h
    }

    public static func tcp(sport: UInt16, dport: UInt16, seq: UInt32, ack: UInt32, flags: UInt8, payload: [UInt8],
                           window: UInt16 = 65535) -> [UInt8] {
        var t = [UInt8]()
        t.reserveCapacity(20 + payload.count)
        put16(&t, sport); put16(&t, dport); put32(&t, seq); put32(&t, ack)
        t.append(0x50); t.append(flags); put16(&t, window); put32(&t, 0)
        t.append(contentsOf: payload)
        return t
    }

    public static func udp(sport: UInt16, dport: UInt16, payload: [UInt8]) -> [UInt8] {
        var u = [UInt8]()
        u.reserveCapacity(8 + payload.count)
        put16(&u, sport); put16(&u, dport); put16(&u, UInt16(truncatingIfNeeded: 8 + payload.count)); put16(&u, 0)
        u.append(contentsOf: payload)
        return u
    }

    public static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 255)] }
    public static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    public static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xFFFF_FFFF)) }

    @inline(__always) static func put16(_ a: inout [UInt8], _ v: UInt16) {
        a.append(UInt8(v >> 8)); a.append(UInt8(truncatingIfNeeded: v))
    }
    @inline(__always) static func put32(_ a: inout [UInt8], _ v: UInt32) {
        put16(&a, UInt16(v >> 16)); put16(&a, UInt16(truncatingIfNeeded: v))
    }
    @inline(__always) static func put64(_ a: inout [UInt8], _ v: UInt64) {
        put32(&a, UInt32(v >> 32)); put32(&a, UInt32(truncatingIfNeeded: v))
    }
}

/// L2–L4 decoding and the network stages, fed one frame at a time, as the scanner feeds them.
public final class NetHarness {
    public let decoder = PacketDecoder()
    public let pipeline: NetworkPipeline
    public let nmea = NMEADecoder()
    public var sink = CheckingSink()
    public private(set) var packets = 0
    private var decoded = DecodedPacket()

    public init(options: NetworkOptions = NetworkOptions(), withNMEA: Bool = true) {
        pipeline = NetworkPipeline(options: options)
        if withNMEA { pipeline.sentenceConsumer = nmea }
    }

    /// Decode and process one frame; returns the decoded packet's summary.
    @discardableResult
    public func feed(_ frame: [UInt8], linkType: UInt32 = 1, timestamp: Timestamp, wireLength: Int? = nil) -> DecodedPacket {
        packets += 1
        let origin = Origin(input: 0, position: .packet(packets))
        frame.withUnsafeBytes { b in
            decoder.decode(linkType: linkType, b, wireLength: wireLength ?? b.count, into: &decoded)
            withUnsafePointer(to: decoded) { p in
                let ok = pipeline.process(p, data: b, wireLength: wireLength ?? b.count, origin: origin, timestamp: timestamp,
                                          input: "fuzz", sink: &sink)
                require(ok, "the pipeline stopped although the sink never asked it to")
            }
        }
        return decoded
    }

    /// Start over for the next input: a fresh sink and packet count. Call after `finish()`,
    /// which leaves no flow, stream or fragment behind; reusing the pipeline (its pools and
    /// tables) instead of building one per input keeps the fuzzer fast.
    public func reset() {
        sink = CheckingSink()
        packets = 0
    }

    /// End of input: flush flows. Afterwards nothing may be held.
    public func finish() {
        let ok = pipeline.finish(input: "fuzz", sink: &sink)
        require(ok, "finish reported a stop")
        require(pipeline.flowCount == 0, "\(pipeline.flowCount) flows left after finish")
        require(pipeline.heldStreamBytes == 0, "\(pipeline.heldStreamBytes) out-of-order bytes held after finish")
    }
}

extension NetHarness {
    /// A TCP connection from 10.0.0.1:`clientPort` to 10.0.0.2:`port`: the handshake, then
    /// `segments` of client data in order, then FIN from both sides. All packets carry the same
    /// time, so events differ only by what the data says.
    public func tcpSession(port: UInt16, clientPort: UInt16 = 40000, segments: [[UInt8]], ipv6: Bool = false) {
        let ts = Timestamp(seconds: 1_800_000_000, nanos: 0)
        var cseq: UInt32 = 1000, sseq: UInt32 = 5000
        func send(_ fromClient: Bool, _ flags: UInt8, _ payload: [UInt8]) {
            let tcp = Frames.tcp(sport: fromClient ? clientPort : port, dport: fromClient ? port : clientPort,
                                 seq: fromClient ? cseq : sseq, ack: fromClient ? sseq : cseq, flags: flags, payload: payload)
            let frame: [UInt8]
            if ipv6 {
                frame = Frames.ethernet(0x86DD, Frames.ipv6(src: fromClient ? 1 : 2, dst: fromClient ? 2 : 1, next: 6, payload: tcp))
            } else {
                frame = Frames.ethernet(0x0800, Frames.ipv4(src: fromClient ? 0x0A00_0001 : 0x0A00_0002,
                                                            dst: fromClient ? 0x0A00_0002 : 0x0A00_0001, proto: 6, payload: tcp))
            }
            feed(frame, timestamp: ts)
            let used = UInt32(payload.count) + (flags & 0x03 != 0 ? 1 : 0)
            if fromClient { cseq &+= used } else { sseq &+= used }
        }
        send(true, 0x02, [])
        send(false, 0x12, [])
        send(true, 0x10, [])
        for s in segments where !s.isEmpty { send(true, 0x18, s) }
        send(true, 0x11, [])
        send(false, 0x11, [])
        send(true, 0x10, [])
    }

    /// One UDP datagram from 10.0.0.1:`sport` to 10.0.0.2:`dport`.
    public func udp(sport: UInt16, dport: UInt16, payload: [UInt8]) {
        let frame = Frames.ethernet(0x0800, Frames.ipv4(src: 0x0A00_0001, dst: 0x0A00_0002, proto: 17,
                                                        payload: Frames.udp(sport: sport, dport: dport, payload: payload)))
        feed(frame, timestamp: Timestamp(seconds: 1_800_000_000, nanos: 0))
    }
}

/// Cut `bytes` into pieces of pseudo-random sizes (1 to `maxPiece`) chosen by `seed`.
public func split(_ bytes: [UInt8], seed: UInt64, maxPiece: Int) -> [[UInt8]] {
    var rng = SplitMix(seed: seed)
    var out: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
        let n = min(bytes.count - i, 1 + Int(rng.next() % UInt64(max(1, maxPiece))))
        out.append(Array(bytes[i..<(i + n)]))
        i += n
    }
    return out
}
