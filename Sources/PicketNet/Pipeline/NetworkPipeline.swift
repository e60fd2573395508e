import PicketCore

/// Limits of the network stages, all counted as caps when hit.
public struct NetworkOptions: Sendable {
    public var defrag = Defragmenter.Limits()
    public var flows = FlowTable.Limits()
    public var stream = StreamReassembler.Limits()
    /// Bytes of unfinished app-layer messages held across all flows (`app_memcap`).
    public var appMemcap = 32 << 20
    public init() {}
}

/// What the app layer of one flow direction is, as far as Picket can tell.
enum AppProtocol: UInt8 {
    /// Not decided yet: the first bytes of the direction decide.
    case unknown
    case http, tls, dns, nmea
    /// Nothing Picket decodes, or the decoder lost its place (a gap, malformed data).
    case none
}

/// App-layer state of one flow direction. `buffer` holds the unfinished message when one
/// spans segments; it is taken from a pool and given back.
struct AppState {
    var proto = AppProtocol.unknown
    var buffer: [UInt8] = []
    /// HTTP: request body bytes still to skip; chunked bodies go through `chunkState`
    /// (0 none, 1 size line, 2 data, 3 CRLF after data, 4 trailer lines).
    var bodyRemaining: Int64 = 0
    var chunkState: UInt8 = 0
    /// TLS: records walked, and whether ChangeCipherSpec was seen (what follows is encrypted
    /// unless it is one whole ClientHello, as after a HelloRetryRequest).
    var tlsRecords = 0
    var tlsSawCCS = false
    var handshake: [UInt8] = []
}

/// The network stages after L2–L4 decoding: IP defragmentation, the flow table, TCP
/// reassembly and the app layers (DNS, HTTP, TLS, NMEA inside packets). The scanner hands
/// every decoded packet to `process` and calls `finish` at the end of each input.
///
/// Events pushed into the sink, in order for each packet: the packet itself (with its
/// `flow_id`); for a fragment that completed a datagram, the reassembled packet; then
/// `stream` chunks that packet made available, and the `dns`, `http` and `tls` events
/// decoded from them (or from a UDP datagram). NMEA sentences go to `sentenceConsumer`.
public final class NetworkPipeline {
    /// Where NMEA sentences found in UDP datagrams and TCP streams go; nil drops them.
    public var sentenceConsumer: SentenceConsumer?
    public let options: NetworkOptions

    private let decoder = PacketDecoder()
    private let defrag: Defragmenter
    private var table: FlowTable
    private let reassembler: StreamReassembler
    /// Per flow slot: [2 * slot] is the to-server direction, [2 * slot + 1] to-client.
    private var streams: [TCPStream] = []
    private var apps: [AppState] = []
    private var reassembledPacket = DecodedPacket()
    private let dns = DNSMessage()
    private let hello = TLSClientHello()
    private var hostLower: [UInt8] = []
    private var pool: [[UInt8]] = []
    private var capHits: [Cap: Int] = [:]
    /// Bytes in app-layer buffers now (counted against `options.appMemcap`).
    private var appHeld = 0
    private var now = Timestamp(nanoseconds: Int64.min)
    private var stopped = false
    private var input = ""
    private var sourceText = ""
    private var sourceKey: (IPAddress, UInt16)? = nil

    /// App-layer passes in a row over one chunk that use no bytes (a CONNECT tunnel re-detects
    /// what follows; a switch that makes no progress cannot loop).
    static let maxProtocolSwitches = 4
    /// TLS records walked per direction before giving up looking for ClientHellos.
    static let maxTLSRecords = 64
    static let maxTLSRecordLength = 18432
    /// Largest ClientHello kept across records and segments (`tls_handshake` cap).
    static let maxHandshakeBytes = 64 << 10
    /// Bytes kept while deciding what protocol a direction speaks.
    static let maxDetectBytes = HTTPRequestParser.detectBytes

    public init(options: NetworkOptions = NetworkOptions()) {
        self.options = options
        defrag = Defragmenter(limits: options.defrag)
        table = FlowTable(limits: options.flows)
        reassembler = StreamReassembler(limits: options.stream)
        hostLower.reserveCapacity(256)
    }

    /// Flows tracked now (for tests and measurements).
    public var flowCount: Int { table.count }
    /// Out-of-order bytes held by the reassembler now.
    public var heldStreamBytes: Int { reassembler.held }

    /// Cap hits since the last call, to add to the scan's stats.
    public func takeCapHits() -> [Cap: Int] {
        var out = capHits
        capHits.removeAll(keepingCapacity: true)
        for (c, n) in defrag.takeCapHits() { out[c, default: 0] += n }
        for (c, n) in reassembler.takeCapHits() { out[c, default: 0] += n }
        return out
    }

    private func hit(_ c: Cap) { capHits[c, default: 0] += 1 }

    private func emit<S: EventSink, E: Event>(_ event: E, _ sink: inout S) {
        guard !stopped else { return }
        if !sink.consume(event, input: input) { stopped = true }
    }

    // MARK: Packets

    /// Take one decoded capture record. Emits its packet event and everything it leads to.
    /// Returns false when the sink asked to stop.
    public func process<S: EventSink>(_ packet: UnsafePointer<DecodedPacket>, data: UnsafeRawBufferPointer, wireLength: Int,
                                      origin: Origin, timestamp: Timestamp, input: String, sink: inout S,
                                      payloadHits: UnsafeBufferPointer<UInt32>? = nil) -> Bool {
        self.input = input
        if timestamp > now { now = timestamp }
        expireFlows(&sink)
        let p = packet.pointee
        if p.event == nil && p.isFragment && (p.ipVersion == 4 || p.ipVersion == 6) {
            emit(PacketEvent(packet: packet, data: data, wireLength: wireLength, origin: origin, timestamp: timestamp,
                             payloadHits: payloadHits), &sink)
            if defrag.add(p, data: data, timestamp: timestamp) {
                let fragments = defrag.reassembledFragments
                defrag.reassembled.withUnsafeBytes { bytes in
                    decoder.decode(linkType: defrag.reassembledLinkType, bytes, wireLength: bytes.count, into: &reassembledPacket)
                    withUnsafePointer(to: reassembledPacket) { rp in
                        if reassembledPacket.event == nil && reassembledPacket.ipVersion != 0 && !reassembledPacket.isFragment {
                            flowPacket(rp, data: bytes, wireLength: bytes.count, origin: origin, timestamp: timestamp,
                                       fragments: fragments, &sink)
                        } else {
                            emit(PacketEvent(packet: rp, data: bytes, wireLength: bytes.count, origin: origin,
                                             timestamp: timestamp, reassembledFragments: fragments), &sink)
                        }
                    }
                }
            }
        } else if p.event == nil && p.ipVersion != 0 {
            flowPacket(packet, data: data, wireLength: wireLength, origin: origin, timestamp: timestamp, fragments: 0,
                       payloadHits: payloadHits, &sink)
        } else {
            emit(PacketEvent(packet: packet, data: data, wireLength: wireLength, origin: origin, timestamp: timestamp,
                             payloadHits: payloadHits), &sink)
        }
        return !stopped
    }

    /// End of an input: flush every flow (streams end cleanly, held data is handed on past
    /// its gaps), drop pending fragments. Returns false when the sink asked to stop.
    public func finish<S: EventSink>(input: String, sink: inout S) -> Bool {
        self.input = input
        var guardCount = table.count + 1
        while let slot = table.anyLive(), guardCount > 0 {
            endFlow(slot, &sink)
            guardCount -= 1
        }
        defrag.clear()
        now = Timestamp(nanoseconds: Int64.min)
        let ok = !stopped
        stopped = false
        return ok
    }

    private func expireFlows<S: EventSink>(_ sink: inout S) {
        var budget = 64  // flows ended per packet; the rest on the next packets
        while budget > 0, let slot = table.expired(at: now) {
            endFlow(slot, &sink)
            budget -= 1
        }
    }

    private func flowPacket<S: EventSink>(_ packet: UnsafePointer<DecodedPacket>, data: UnsafeRawBufferPointer, wireLength: Int,
                                          origin: Origin, timestamp: Timestamp, fragments: Int,
                                          payloadHits: UnsafeBufferPointer<UInt32>? = nil, _ sink: inout S) {
        let p = packet.pointee
        let (key, fromA) = FlowKey.of(p)
        let syn = p.ipProto == 6 && p.tcpFlags & 0x02 != 0
        let ack = p.ipProto == 6 && p.tcpFlags & 0x10 != 0
        var slot = table.lookup(key)
        if let s = slot, syn && !ack {
            // A new connection reusing the ports of a closed one, or of one that vanished
            // without a FIN or RST (its SYN starts a different sequence space). On a live,
            // established connection a SYN with another sequence number is ignored, as the
            // endpoints ignore it (RFC 5961): a forged one must not end the flow and blind
            // reassembly to what follows. Quiet for a minute counts as vanished.
            let k = 2 * s + (fromA == table[s].clientIsA ? 0 : 1)
            let otherSpace = streams[k].hasBase && streams[k].base != p.tcpSeq &+ 1
            let live = table.isEstablished(s) && timestamp.nanoseconds.saturatingSubtract(table[s].lastSeen.nanoseconds) < 60_000_000_000
            if table[s].state == .closed || (otherSpace && !live) {
                endFlow(s, &sink)
                slot = nil
            }
        }
        if slot == nil {
            if table.isFull, let victim = table.oldest() {
                hit(.flows)
                endFlow(victim, &sink)
            }
            // The client sent the first packet, unless that packet answers a SYN.
            let clientIsA = syn && ack ? !fromA : fromA
            let s = table.create(key, clientIsA: clientIsA, at: timestamp, origin: origin)
            while streams.count < 2 * (s + 1) {
                streams.append(TCPStream())
                apps.append(AppState())
            }
            streams[2 * s] = TCPStream()
            streams[2 * s + 1] = TCPStream()
            apps[2 * s] = AppState()
            apps[2 * s + 1] = AppState()
            slot = s
        }
        guard let s = slot else { return }
        let toServer = fromA == table[s].clientIsA
        let first = table[s].packetsToServer == 0 && table[s].packetsToClient == 0
        table.touch(s, at: timestamp, origin: origin, toServer: toServer)
        // For TCP, the packet that completes the handshake is not yet "established" (Suricata).
        var established = table.isEstablished(s)
        if p.ipProto == 6 && p.hasPorts {
            table.trackHandshake(s, flags: p.tcpFlags, toServer: toServer, first: first)
            if table[s].tcpHandshake & FlowTable.midstream != 0 { established = table.isEstablished(s) }
        }
        let flowID = table[s].id
        emit(PacketEvent(packet: packet, data: data, wireLength: wireLength, origin: origin, timestamp: timestamp,
                         flowID: flowID, reassembledFragments: fragments, toServer: toServer,
                         established: established, payloadHits: payloadHits), &sink)
        guard p.hasPorts else { return }
        let ctx = context(s, toServer: toServer)
        let payload = p.payloadLength > 0 && p.payloadOffset + p.payloadLength <= data.count
            ? UnsafeRawBufferPointer(rebasing: data[p.payloadOffset..<(p.payloadOffset + p.payloadLength)])
            : UnsafeRawBufferPointer(start: nil, count: 0)
        switch p.ipProto {
        case 6: tcp(s, toServer: toServer, p, payload, ctx, origin, timestamp, &sink)
        case 17: udp(p, payload, ctx, origin, timestamp, &sink)
        default: break
        }
    }

    /// The context of flow `slot` for data going one way (client to server or back).
    private func context(_ slot: Int, toServer: Bool) -> FlowContext {
        let f = table[slot]
        let fromA = toServer == f.clientIsA
        let k = f.key
        var c = FlowContext(flowID: f.id, src: fromA ? k.a : k.b, dst: fromA ? k.b : k.a,
                            srcPort: fromA ? k.portA : k.portB, dstPort: fromA ? k.portB : k.portA, proto: k.proto,
                            toServer: toServer, vlanCount: k.vlan1 != 0 ? 2 : k.vlan0 != 0 ? 1 : 0, vlan0: k.vlan0, vlan1: k.vlan1)
        c.established = table.isEstablished(slot)
        return c
    }

    // MARK: TCP

    @inline(__always) private func takeStream(_ k: Int) -> TCPStream {
        var s = TCPStream()
        swap(&s, &streams[k])
        return s
    }

    private func tcp<S: EventSink>(_ slot: Int, toServer: Bool, _ p: DecodedPacket, _ payload: UnsafeRawBufferPointer,
                                   _ ctx: FlowContext, _ origin: Origin, _ ts: Timestamp, _ sink: inout S) {
        let k = 2 * slot + (toServer ? 0 : 1)
        let o = k ^ 1
        let flags = p.tcpFlags
        if flags & 0x04 != 0 {
            // RST: both directions end, when its sequence number is the next one expected (RFC
            // 5961: endpoints ignore any other, so a forged one must not blind reassembly) or
            // nothing was seen from its sender to check it against.
            // (Past the depth or behind a hole `next` stops; anything up to the furthest data
            // seen is where the sender may stand.)
            let st = streams[k]
            let d = Int32(bitPattern: p.tcpSeq &- st.next)
            if st.hasBase && !st.ended && !(d >= 0 && d <= Int32(bitPattern: st.seenEnd &- st.next)) { return }
            endDirection(k, slot, &sink)
            endDirection(o, slot, &sink)
            table.setState(slot, .closed)
            return
        }
        var s = takeStream(k)
        let hadBase = s.hasBase
        var seq = p.tcpSeq
        if flags & 0x02 != 0 {
            if !s.hasBase {
                reassembler.setBase(&s, seq &+ 1)
            } else if s.base != seq &+ 1 {
                streams[k] = s  // a SYN of another sequence space on a live connection: ignored
                return
            }
            seq &+= 1  // data on a SYN (TCP Fast Open) follows the SYN's sequence number
        } else if !s.hasBase {
            reassembler.setBase(&s, seq)  // picked up midstream
        }
        if !hadBase || Int32(bitPattern: s.seenEnd &- s.next) < 0 { s.seenEnd = s.next }
        let dataEnd = seq &+ UInt32(truncatingIfNeeded: payload.count)
        if Int32(bitPattern: dataEnd &- s.seenEnd) > 0 && Int32(bitPattern: dataEnd &- s.next) > 0 { s.seenEnd = dataEnd }
        if !payload.isEmpty {
            var tail: (seq: UInt32, range: Range<Int>)?
            if let r = reassembler.segment(&s, seq: seq, data: payload, tail: &tail) {
                deliver(k, &s, UnsafeRawBufferPointer(rebasing: payload[r]), ctx, origin, ts, &sink)
            }
            if let t = tail, !s.ended, !s.depthReached {
                reassembler.hold(&s, seq: t.seq, UnsafeRawBufferPointer(rebasing: payload[t.range]))
            }
            drain(k, &s, ctx, origin, ts, &sink)
        }
        // A FIN ends the direction where it stands; one behind the data already handed on (an
        // old or forged sequence number) is ignored, or everything after it would be dropped.
        let finSeq = seq &+ UInt32(truncatingIfNeeded: payload.count)
        if flags & 0x01 != 0 && !s.finSeen && s.hasBase && Int32(bitPattern: finSeq &- s.next) >= 0 {
            s.finSeen = true
            s.finSeq = finSeq
        }
        let finished = !s.ended && reassembler.finished(s)
        streams[k] = s
        if finished { endDirection(k, slot, &sink) }
        if flags & 0x10 != 0 {
            var t = takeStream(o)
            if t.hasBase && !t.ended {
                reassembler.acknowledged(&t, ack: p.tcpAck)
                drain(o, &t, context(slot, toServer: !toServer), origin, ts, &sink)
            }
            let otherFinished = !t.ended && t.hasBase && reassembler.finished(t)
            streams[o] = t
            if otherFinished { endDirection(o, slot, &sink) }
        }
        if streams[k].ended && streams[o].ended && table[slot].state != .closed { table.setState(slot, .closed) }
    }

    /// Hand on held segments that now continue the stream.
    private func drain<S: EventSink>(_ k: Int, _ s: inout TCPStream, _ ctx: FlowContext, _ origin: Origin, _ ts: Timestamp,
                                     _ sink: inout S) {
        while var seg = reassembler.popReady(&s) {
            seg.withUnsafeBytes { deliver(k, &s, $0, ctx, origin, ts, &sink) }
            reassembler.recycle(&seg)
        }
    }

    /// One in-order chunk: a `stream` event, then the app layer.
    private func deliver<S: EventSink>(_ k: Int, _ s: inout TCPStream, _ bytes: UnsafeRawBufferPointer, _ ctx: FlowContext,
                                       _ origin: Origin, _ ts: Timestamp, _ sink: inout S) {
        let n = reassembler.admit(&s, bytes.count)
        let gap = s.pendingGap
        if n > 0 {
            let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<n])
            var event = StreamEvent(context: ctx, payload: chunk, offset: s.offset, gap: gap, origin: origin, timestamp: ts)
            event.seq = s.base &+ UInt32(truncatingIfNeeded: s.offset)
            event.appProto = Self.name(apps[k].proto) ?? Self.name(apps[k ^ 1].proto)
            emit(event, &sink)
            app(k, chunk, gap: gap, ctx, origin, ts, &sink)
        }
        reassembler.advance(&s, bytes.count)
    }

    /// End one direction: hand on what is held past its gaps, tell the sink.
    private func endDirection<S: EventSink>(_ k: Int, _ slot: Int, _ sink: inout S) {
        var s = takeStream(k)
        defer { streams[k] = s }
        guard s.hasBase, !s.ended else { return }
        let f = table[slot]
        let ctx = context(slot, toServer: k & 1 == 0)
        var rounds = s.pending.count + 1  // each round hands on at least one held segment
        while rounds > 0 && reassembler.skipToFirstPending(&s) {
            drain(k, &s, ctx, f.lastOrigin, f.lastSeen, &sink)
            rounds -= 1
        }
        reassembler.dropPending(&s)
        s.ended = true
        flushPartialHTTP(k, ctx, f.lastOrigin, f.lastSeen, &sink)
        releaseApp(k)
        if !stopped { sink.streamEnded(StreamKey(flowID: f.id, toServer: k & 1 == 0)) }
    }

    private func endFlow<S: EventSink>(_ slot: Int, _ sink: inout S) {
        if table[slot].key.proto == 6 {
            endDirection(2 * slot, slot, &sink)
            endDirection(2 * slot + 1, slot, &sink)
        }
        releaseApp(2 * slot)
        releaseApp(2 * slot + 1)
        table.remove(slot)
    }

    // MARK: App layers over TCP

    /// A request whose header block never ended (the stream ended first) still has its request
    /// line and the headers that came: emit it, as an HTTP parser does when the stream closes.
    private func flushPartialHTTP<S: EventSink>(_ k: Int, _ ctx: FlowContext, _ origin: Origin, _ ts: Timestamp, _ sink: inout S) {
        guard apps[k].proto == .http, !apps[k].buffer.isEmpty, apps[k].bodyRemaining == 0, apps[k].chunkState == 0, !stopped else { return }
        let buffer = apps[k].buffer
        buffer.withUnsafeBytes { b in
            var pos = 0
            while pos < b.count && (b[pos] == 13 || b[pos] == 10) { pos += 1 }
            let rest = UnsafeRawBufferPointer(rebasing: b[pos...])
            guard HTTPRequestParser.looksLikeRequest(rest) == true, rest.contains(10),
                  var req = HTTPRequestParser.parse(b, from: pos, end: b.count) else { return }
            req.partial = true
            emitHTTP(req, rest, base: pos, ctx, origin, ts, &sink)
        }
    }

    private func releaseApp(_ k: Int) {
        var a = AppState()
        swap(&a, &apps[k])
        appHeld -= a.buffer.count + a.handshake.count
        recycle(&a.buffer)
        recycle(&a.handshake)
        apps[k].proto = .none
    }

    private func take() -> [UInt8] { pool.popLast() ?? [] }

    /// Give a buffer back to the pool; `b` is left empty. The buffer is moved, not copied,
    /// so emptying it keeps its storage (a copy would make `removeAll` allocate anew).
    private func recycle(_ b: inout [UInt8]) {
        var mine: [UInt8] = []
        swap(&mine, &b)
        guard pool.count < 256, mine.capacity > 0, mine.capacity <= 1 << 17 else { return }
        mine.removeAll(keepingCapacity: true)
        pool.append(mine)
    }

    private func app<S: EventSink>(_ k: Int, _ bytes: UnsafeRawBufferPointer, gap: Int64, _ ctx: FlowContext,
                                   _ origin: Origin, _ ts: Timestamp, _ sink: inout S) {
        guard apps[k].proto != .none else { return }
        if apps[k].proto == .nmea && sentenceConsumer == nil { return }
        var a = AppState()
        swap(&a, &apps[k])
        let heldBefore = a.buffer.count + a.handshake.count
        defer {
            if a.proto == .none {
                recycle(&a.buffer)
                recycle(&a.handshake)
                a.buffer = []
                a.handshake = []
            }
            var heldAfter = a.buffer.count + a.handshake.count
            if appHeld - heldBefore + heldAfter > options.appMemcap {
                // Too much unfinished data across flows: this direction stops being decoded.
                hit(.appMemcap)
                recycle(&a.buffer)
                recycle(&a.handshake)
                a.buffer = []
                a.handshake = []
                a.proto = .none
                heldAfter = 0
            }
            appHeld += heldAfter - heldBefore
            swap(&a, &apps[k])
        }
        if gap > 0 {
            // The decoder lost its place: NMEA resynchronises at the next line, the others stop.
            recycle(&a.buffer)
            a.buffer = []
            if a.proto != .nmea {
                a.proto = .none
                return
            }
        }
        if a.buffer.isEmpty {
            let used = dispatch(&a, bytes, ctx, origin, ts, &sink)
            if used < bytes.count && a.proto != .none {
                a.buffer = take()
                a.buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...]))
            }
        } else {
            var buf: [UInt8] = []
            swap(&buf, &a.buffer)
            buf.append(contentsOf: bytes)
            let used = buf.withUnsafeBytes { dispatch(&a, $0, ctx, origin, ts, &sink) }
            if a.proto == .none || used >= buf.count {
                recycle(&buf)
            } else {
                buf.removeFirst(used)
                a.buffer = buf
            }
        }
    }

    /// Run the direction's decoder over `b`; returns the bytes it used (the rest is an
    /// unfinished message to keep).
    private func dispatch<S: EventSink>(_ a: inout AppState, _ b: UnsafeRawBufferPointer, _ ctx: FlowContext,
                                        _ origin: Origin, _ ts: Timestamp, _ sink: inout S) -> Int {
        var used = 0
        // Passes in a row that used no bytes. Each CONNECT consumes its request before the
        // tunnel is detected afresh, so a chunk of many pipelined CONNECTs is decoded to its end
        // (stopping after a fixed number of passes left the rest waiting for a next segment
        // that may never come, so what was decoded depended on how the stream was segmented).
        var idle = 0
        while idle < Self.maxProtocolSwitches && used < b.count && !stopped {
            let before = a.proto
            let usedBefore = used
            idle += 1
            let rest = UnsafeRawBufferPointer(rebasing: b[used...])
            switch a.proto {
            case .unknown:
                detect(&a, rest, ctx)
                if a.proto == .unknown {
                    if rest.count > Self.maxDetectBytes { a.proto = .none; return b.count }
                    return used
                }
                continue
            case .http: used += http(&a, rest, ctx, origin, ts, &sink)
            case .tls: used += tls(&a, rest, ctx, origin, ts, &sink)
            case .dns: used += dnsOverTCP(&a, rest, ctx, origin, ts, &sink)
            case .nmea: used += nmea(rest, final: false, ctx, origin, ts, &sink)
            case .none: return b.count
            }
            if a.proto == before || a.proto == .none { break }
            if used > usedBefore { idle = 0 }
        }
        return a.proto == .none ? b.count : used
    }

    /// Decide what a TCP direction speaks from its first bytes (and, for DNS, its ports).
    private func detect(_ a: inout AppState, _ b: UnsafeRawBufferPointer, _ ctx: FlowContext) {
        // Content first (as Suricata's protocol detection), the DNS ports only after.
        if ctx.toServer {
            if b.count >= 3 && b[0] == 0x16 && b[1] == 0x03 && b[2] <= 0x04 { a.proto = .tls; return }
            // The start of a TLS record header in a segment too short to hold all three bytes:
            // wait for the next one rather than give up on the direction.
            if b.count < 3 && b.first == 0x16 && (b.count < 2 || b[1] == 0x03) { return }
            // Empty lines before a request line are skipped (RFC 9112 2.2; servers and libhtp
            // do), at most a few: a client must not slip past detection with one CRLF.
            // Everything is decided within the first `maxDetectBytes`, blank lines included, so
            // how the bytes are cut into segments cannot change the answer.
            var start = 0
            while start < b.count && start < Self.maxDetectBytes && (b[start] == 13 || b[start] == 10) { start += 1 }
            if start == b.count && start < Self.maxDetectBytes { return }
            let request = start < Self.maxDetectBytes
                ? HTTPRequestParser.looksLikeRequest(UnsafeRawBufferPointer(rebasing: b[start...]), window: Self.maxDetectBytes - start)
                : false
            switch request {
            case true?: a.proto = .http; return
            case nil: if !(Self.isDNSPort(ctx.srcPort) || Self.isDNSPort(ctx.dstPort)) { return }
            case false?: break
            }
        }
        if Self.isDNSPort(ctx.srcPort) || Self.isDNSPort(ctx.dstPort) {
            a.proto = .dns
            return
        }
        if NMEASplitter.looksLikeNMEA(b) { a.proto = .nmea; return }
        if b.count < 6 && (b.first == UInt8(ascii: "U") || b.first == UInt8(ascii: "$") ||
                           b.first == UInt8(ascii: "!") || b.first == UInt8(ascii: "\\")) { return }
        a.proto = .none
    }

    static func name(_ p: AppProtocol) -> StaticString? {
        switch p {
        case .http: "http"
        case .tls: "tls"
        case .dns: "dns"
        case .nmea: "nmea"
        default: nil
        }
    }

    static func isDNSPort(_ p: UInt16) -> Bool { p == 53 || p == 5353 || p == 5355 }

    /// HTTP requests, pipelined: header blocks, bodies skipped by Content-Length or chunks.
    private func http<S: EventSink>(_ a: inout AppState, _ b: UnsafeRawBufferPointer, _ ctx: FlowContext,
                                    _ origin: Origin, _ ts: Timestamp, _ sink: inout S) -> Int {
        var pos = 0
        let n = b.count
        while pos < n && !stopped {
            if a.bodyRemaining > 0 {
                let skip = Int(min(a.bodyRemaining, Int64(n - pos)))
                pos += skip
                a.bodyRemaining -= Int64(skip)
                continue
            }
            switch a.chunkState {
            case 1, 4:  // chunk-size line, or trailer lines
                var e = pos
                while e < n && b[e] != 10 { e += 1 }
                guard e < n else {
                    if n - pos > 4096 { a.proto = .none; return n }
                    return pos
                }
                var le = e
                if le > pos && b[le - 1] == 13 { le -= 1 }
                if a.chunkState == 4 {
                    if le == pos { a.chunkState = 0 }
                } else {
                    var size: Int64 = 0
                    var digits = 0
                    var q = pos
                    while q < le && b[q] == 48 { q += 1 }  // leading zeros are not digits of the cap
                    let zeros = q > pos
                    while q < le, digits < 15, let v = Self.hexValue(b[q]) {
                        size = size * 16 + Int64(v)
                        digits += 1
                        q += 1
                    }
                    guard digits > 0 || zeros else { a.proto = .none; return n }
                    if size == 0 {
                        a.chunkState = 4
                    } else {
                        a.bodyRemaining = size
                        a.chunkState = 2
                    }
                }
                pos = e + 1
                continue
            case 2:
                a.chunkState = 3
                continue
            case 3:  // the CRLF after chunk data
                if b[pos] == 13 { pos += 1; continue }
                if b[pos] == 10 { pos += 1 }
                a.chunkState = 1
                continue
            default:
                break
            }
            if b[pos] == 13 || b[pos] == 10 { pos += 1; continue }
            let rest = UnsafeRawBufferPointer(rebasing: b[pos...])
            switch HTTPRequestParser.looksLikeRequest(rest, anyMethod: true) {
            case nil: return pos
            case false?: a.proto = .none; return n
            case true?: break
            }
            guard let end = HTTPRequestParser.headerEnd(b, from: pos) else {
                if n - pos > HTTPRequestParser.maxHeaderBytes {
                    hit(.httpHeaders)
                    a.proto = .none
                    return n
                }
                return pos
            }
            guard let req = HTTPRequestParser.parse(b, from: pos, end: end) else { a.proto = .none; return n }
            emitHTTP(req, UnsafeRawBufferPointer(rebasing: b[pos...]), base: pos, ctx, origin, ts, &sink)
            pos = end
            let method = UnsafeRawBufferPointer(rebasing: b[req.method])
            if HTTPRequestParser.equalsIgnoringCase(method, "CONNECT") {
                a.proto = .unknown  // a tunnel: what follows is detected afresh
                return pos
            }
            if req.chunked {
                a.chunkState = 1
            } else if let l = req.contentLength {
                a.bodyRemaining = l
            }
        }
        return pos
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    /// Emit one request; `bytes` starts at the request, whose ranges are offset by `base`.
    private func emitHTTP<S: EventSink>(_ req0: HTTPRequestView, _ bytes: UnsafeRawBufferPointer, base: Int, _ ctx: FlowContext,
                                        _ origin: Origin, _ ts: Timestamp, _ sink: inout S) {
        func shift(_ r: Range<Int>) -> Range<Int> { (r.lowerBound - base)..<(r.upperBound - base) }
        var req = req0
        req.method = shift(req.method)
        req.uri = shift(req.uri)
        req.protocolVersion = shift(req.protocolVersion)
        req.host = req.host.map(shift)
        req.hostname = req.hostname.map(shift)
        req.userAgent = req.userAgent.map(shift)
        req.connection = req.connection.map(shift)
        hostLower.removeAll(keepingCapacity: true)
        var hostname: UnsafeRawBufferPointer? = nil
        if let h = req.hostname {
            for c in bytes[h] { hostLower.append(c >= 65 && c <= 90 ? c + 32 : c) }
            hostname = borrowedBytes(hostLower)
        }
        emit(HTTPEvent(context: ctx, request: req, bytes: bytes, hostname: hostname, origin: origin, timestamp: ts), &sink)
    }

    /// TLS records of the client direction: ClientHello messages, across records and segments.
    private func tls<S: EventSink>(_ a: inout AppState, _ b: UnsafeRawBufferPointer, _ ctx: FlowContext,
                                   _ origin: Origin, _ ts: Timestamp, _ sink: inout S) -> Int {
        var pos = 0
        let n = b.count
        while pos + 5 <= n && !stopped {
            guard a.tlsRecords < Self.maxTLSRecords else { a.proto = .none; return n }
            let type = b[pos]
            let length = Int(b[pos + 3]) << 8 | Int(b[pos + 4])
            guard type >= 20 && type <= 23, b[pos + 1] == 3, length <= Self.maxTLSRecordLength else {
                a.proto = .none
                return n
            }
            guard pos + 5 + length <= n else { return pos }
            a.tlsRecords += 1
            let fragment = UnsafeRawBufferPointer(rebasing: b[(pos + 5)..<(pos + 5 + length)])
            pos += 5 + length
            switch type {
            case 20:
                a.tlsSawCCS = true
            case 22:
                if a.tlsSawCCS {
                    // Encrypted, unless it is exactly one ClientHello (TLS 1.3 middlebox
                    // compatibility mode sends ChangeCipherSpec before the second hello).
                    if length >= 4 && fragment[0] == 1 &&
                        Int(fragment[1]) << 16 | Int(fragment[2]) << 8 | Int(fragment[3]) == length - 4 {
                        clientHello(fragment, ctx, origin, ts, &sink)
                    }
                    continue
                }
                if a.handshake.isEmpty && a.handshake.capacity == 0 { a.handshake = take() }
                guard a.handshake.count + length <= Self.maxHandshakeBytes else {
                    hit(.tlsHandshake)
                    a.proto = .none
                    return n
                }
                a.handshake.append(contentsOf: fragment)
                // Whole handshake messages: msg_type(8) length(24) body.
                var hp = 0
                var messages = 0
                while a.handshake.count - hp >= 4 && messages < Self.maxTLSRecords {
                    messages += 1
                    let ml = Int(a.handshake[hp + 1]) << 16 | Int(a.handshake[hp + 2]) << 8 | Int(a.handshake[hp + 3])
                    guard a.handshake.count - hp - 4 >= ml else { break }
                    if a.handshake[hp] == 1 {
                        let start = hp
                        a.handshake.withUnsafeBytes { h in
                            clientHello(UnsafeRawBufferPointer(rebasing: h[start..<(start + 4 + ml)]), ctx, origin, ts, &sink)
                        }
                    }
                    hp += 4 + ml
                }
                if hp > 0 { a.handshake.removeFirst(hp) }
                if a.handshake.isEmpty {
                    // Give the buffer back between messages, so finished flows hold nothing.
                    recycle(&a.handshake)
                    a.handshake = []
                }
            case 23:
                a.proto = .none  // application data: the handshake is over
                return n
            default:
                break
            }
        }
        return pos
    }

    private func clientHello<S: EventSink>(_ message: UnsafeRawBufferPointer, _ ctx: FlowContext, _ origin: Origin,
                                           _ ts: Timestamp, _ sink: inout S) {
        guard message.count >= 4, hello.parse(UnsafeRawBufferPointer(rebasing: message[4...])) else { return }
        emit(TLSEvent(context: ctx, hello: hello, payload: message, origin: origin, timestamp: ts), &sink)
    }

    /// DNS over TCP: length(16) then the message, repeated.
    private func dnsOverTCP<S: EventSink>(_ a: inout AppState, _ b: UnsafeRawBufferPointer, _ ctx: FlowContext,
                                          _ origin: Origin, _ ts: Timestamp, _ sink: inout S) -> Int {
        var pos = 0
        while pos + 2 <= b.count && !stopped {
            let len = Int(b[pos]) << 8 | Int(b[pos + 1])
            guard pos + 2 + len <= b.count else { return pos }
            emitDNS(UnsafeRawBufferPointer(rebasing: b[(pos + 2)..<(pos + 2 + len)]), ctx, origin, ts, &sink)
            pos += 2 + len
        }
        return pos
    }

    private func emitDNS<S: EventSink>(_ m: UnsafeRawBufferPointer, _ ctx: FlowContext, _ origin: Origin, _ ts: Timestamp,
                                       _ sink: inout S) {
        let ok = dns.parse(m)
        if dns.pointerHopsHit { hit(.dnsPointerHops) }
        if dns.recordsHit { hit(.dnsRecords) }
        guard ok else { return }
        if dns.questions.isEmpty {
            emit(DNSEvent(context: ctx, message: dns, question: -1, payload: m, origin: origin, timestamp: ts), &sink)
        }
        for q in dns.questions.indices {
            emit(DNSEvent(context: ctx, message: dns, question: q, payload: m, origin: origin, timestamp: ts), &sink)
        }
    }

    /// NMEA lines to the sentence consumer.
    private func nmea<S: EventSink>(_ b: UnsafeRawBufferPointer, final: Bool, _ ctx: FlowContext, _ origin: Origin,
                                    _ ts: Timestamp, _ sink: inout S) -> Int {
        guard let consumer = sentenceConsumer else { return b.count }
        if let k = sourceKey, k.0 == ctx.src, k.1 == ctx.srcPort {
            // The same sender as last time: keep its text.
        } else {
            var text: [UInt8] = []
            ctx.src.append(to: &text)
            sourceText = (ctx.src.isV6 ? "[" : "") + String(decoding: text, as: UTF8.self) + (ctx.src.isV6 ? "]" : "") + ":\(ctx.srcPort)"
            sourceKey = (ctx.src, ctx.srcPort)
        }
        var tooLong = 0
        let source = sourceText
        let inputName = input
        let used = NMEASplitter.split(b, final: final, tooLong: &tooLong) { line in
            if stopped { return false }
            if !consumer.consume(sentence: line, origin: origin, timestamp: ts, source: source, input: inputName, sink: &sink) {
                stopped = true
                return false
            }
            return true
        }
        for _ in 0..<tooLong { hit(.nmeaLine) }
        return used
    }

    // MARK: UDP

    private func udp<S: EventSink>(_ p: DecodedPacket, _ payload: UnsafeRawBufferPointer, _ ctx: FlowContext,
                                   _ origin: Origin, _ ts: Timestamp, _ sink: inout S) {
        guard !payload.isEmpty else { return }
        if Self.isDNSPort(p.srcPort) || Self.isDNSPort(p.dstPort) {
            emitDNS(payload, ctx, origin, ts, &sink)
        } else if p.dstPort == 1900 {
            // SSDP: HTTP requests over UDP (HTTPU), one per datagram.
            guard HTTPRequestParser.looksLikeRequest(payload) == true,
                  let end = HTTPRequestParser.headerEnd(payload, from: 0) ?? Optional(payload.count),
                  let req = HTTPRequestParser.parse(payload, from: 0, end: end) else { return }
            emitHTTP(req, payload, base: 0, ctx, origin, ts, &sink)
        } else if sentenceConsumer != nil && NMEASplitter.looksLikeNMEA(payload) {
            _ = nmea(payload, final: true, ctx, origin, ts, &sink)
        }
    }
}
