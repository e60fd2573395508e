// TCP reassembly (StreamReassembler inside NetworkPipeline), from a sequence of synthetic
// segments the input describes (6 bytes each):
//   control: bit 0 direction (client→server or back), bits 1–2 sequence mode (next, ahead,
//            behind: a retransmission or overlap, far: a jump), bits 3–4 time step (0, 1, 11,
//            700 s), bits 5–7 how the ACK relates to the other side's next byte
//   flags:   bit 0 SYN, bit 1 FIN, bits 2+3 RST, bit 4 ACK, bit 5 PSH, bit 6 second client port
//   delta (16 bits), length (8 bits), ack adjustment (8 bits)
// The byte at sequence number s is always s mod 256, so every chunk handed on must be a run
// of consecutive bytes, and each chunk must continue the previous one of its direction after
// exactly the gap it reports. Invariants besides: chunks never pass the depth, nothing is
// handed on for a direction after it ended, the memcap holds, and nothing is left after the end.
import FuzzSupport
import PicketCore
import PicketNet

import Foundation

/// `FUZZ_VERBOSE=1 FuzzTCP crash-file` prints the segments and chunks.
let verbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil
func say(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

final class StreamCheck {
    struct State { var end: Int64; var last: UInt8 }
    var states: [StreamKey: State] = [:]
    var ended: Set<StreamKey> = []
    var depth: Int64 = 0
    var chunks = 0

    func chunk(_ e: StreamEvent) {
        chunks += 1
        if verbose {
            say("  chunk flow \(e.context.flowID) toServer \(e.context.toServer) offset \(e.offset) gap \(e.gap) len \(e.payload.count) first \(e.payload.first ?? 0) last \(e.payload.last ?? 0)")
        }
        let key = StreamKey(flowID: e.context.flowID, toServer: e.context.toServer)
        let b = e.payload
        require(!ended.contains(key), "a chunk of \(key) after the direction ended")
        require(b.count > 0, "an empty chunk")
        require(e.gap >= 0 && e.offset >= 0, "negative offset \(e.offset) or gap \(e.gap)")
        if depth > 0 { require(e.offset + Int64(b.count) <= depth, "chunk \(e.offset)+\(b.count) past the depth \(depth)") }
        for i in 1..<b.count where b[i] != b[i - 1] &+ 1 {
            invariantFailed("chunk at stream offset \(e.offset): byte \(i) is \(b[i]) after \(b[i - 1]); the data is not in sequence order")
        }
        if let s = states[key] {
            require(e.offset == s.end + e.gap, "chunk at \(e.offset) with gap \(e.gap) does not continue the previous chunk ending at \(s.end)")
            let expected = s.last &+ 1 &+ UInt8(truncatingIfNeeded: e.gap)
            require(b[0] == expected, "chunk at \(e.offset) starts with \(b[0]), expected \(expected) after gap \(e.gap)")
        } else {
            require(e.offset == e.gap, "first chunk of a direction at offset \(e.offset) with gap \(e.gap)")
        }
        states[key] = State(end: e.offset + Int64(b.count), last: b[b.count - 1])
    }
}

/// Eight fixed sets of limits (picked by the input's hash), each with its own pipeline, reused
/// from input to input: depth none, small or default; memcap and per-stream hold small or
/// default; one or two flows at most.
func variantOptions(_ v: Int) -> NetworkOptions {
    var options = NetworkOptions()
    options.stream.depth = [0, 300, 5000, 1 << 20][v & 3]
    options.stream.memcap = v & 4 == 0 ? 32 << 20 : 3000
    options.stream.maxPendingPerStream = v & 4 == 0 ? 1 << 20 : 700 + 300 * (v & 1)
    options.flows.maxFlows = 1 + (v >> 1 & 1)
    return options
}
let harnesses = (0..<8).map { NetHarness(options: variantOptions($0), withNMEA: false) }

runFuzzer { input in
    var r = FuzzReader(input)
    let h = inputHash(input)
    let variant = Int(h % 8)
    let options = variantOptions(variant)
    if verbose { say("variant \(variant): \(options.stream) flows \(options.flows.maxFlows)") }
    let check = StreamCheck()
    check.depth = options.stream.depth
    let net = harnesses[variant]
    net.reset()
    net.sink.validateJSON = h >> 40 & 7 == 0  // JSON is checked elsewhere; keep this target fast
    net.sink.checkOnly = { $0.kind == .stream }
    net.sink.onEvent = { e in
        if let s = e as? StreamEvent { check.chunk(s) }
    }
    net.sink.onEnded = { k in
        if verbose { say("  ended \(k)") }
        require(!check.ended.contains(k), "direction \(k) ended twice")
        check.ended.insert(k)
    }
    // Initial sequence numbers, sometimes just below the 32-bit wrap.
    var next: [UInt32] = [UInt32(truncatingIfNeeded: h >> 32), UInt32(truncatingIfNeeded: h)]
    if h >> 5 & 1 == 1 { next = [0xFFFF_FF00, 0xFFFF_FFF0] }
    var seconds: Int64 = 1_800_000_000
    var segments = 0
    while !r.isAtEnd && segments < 512 {
        segments += 1
        let control = r.u8(), flags = r.u8()
        let delta = r.u16(), length = Int(r.u8()), ackAdjust = Int8(bitPattern: r.u8())
        let dir = Int(control & 1)
        var seq = next[dir]
        switch control >> 1 & 3 {
        case 0: break
        case 1: seq &+= UInt32(delta & 0x3FF)
        case 2: seq &-= UInt32(delta & 0x3FF)
        default: seq &+= UInt32(delta) << 12
        }
        seconds += [0, 1, 11, 700][Int(control >> 3 & 3)]
        var tcpFlags: UInt8 = 0
        if flags & 1 != 0 { tcpFlags |= 0x02 }
        if flags & 2 != 0 { tcpFlags |= 0x01 }
        if flags & 12 == 12 { tcpFlags |= 0x04 }
        if flags & 16 != 0 { tcpFlags |= 0x10 }
        if flags & 32 != 0 { tcpFlags |= 0x08 }
        let ackBase = next[1 - dir]
        let ack: UInt32
        switch control >> 5 {
        case 0: ack = ackBase
        case 1: ack = ackBase &+ UInt32(bitPattern: Int32(ackAdjust))
        case 2: ack = ackBase &+ UInt32(delta)
        default: ack = ackBase &+ UInt32(bitPattern: Int32(ackAdjust) * 64)
        }
        // Data starts after the SYN's own sequence number.
        let dataSeq = tcpFlags & 0x02 != 0 ? seq &+ 1 : seq
        var payload = [UInt8](repeating: 0, count: length)
        for i in 0..<length { payload[i] = UInt8(truncatingIfNeeded: dataSeq &+ UInt32(i)) }
        let clientPort: UInt16 = flags & 64 != 0 ? 40001 : 40000
        let tcp = Frames.tcp(sport: dir == 0 ? clientPort : 8080, dport: dir == 0 ? 8080 : clientPort, seq: seq, ack: ack,
                             flags: tcpFlags, payload: payload)
        let ip = Frames.ipv4(src: dir == 0 ? 0x0A00_0001 : 0x0A00_0002, dst: dir == 0 ? 0x0A00_0002 : 0x0A00_0001, proto: 6, payload: tcp)
        if verbose { say("segment dir \(dir) seq \(seq) ack \(ack) flags \(String(tcpFlags, radix: 16)) len \(length) port \(clientPort) t \(seconds)") }
        net.feed(Frames.ethernet(0x0800, ip), timestamp: Timestamp(seconds: seconds, nanos: 0))
        // The sender's idea of its next byte: past this segment when it moved forward.
        let end = dataSeq &+ UInt32(length) &+ (tcpFlags & 0x01 != 0 ? 1 : 0)
        if Int32(bitPattern: end &- next[dir]) > 0 || tcpFlags & 0x02 != 0 { next[dir] = end }
        require(net.pipeline.heldStreamBytes >= 0 && net.pipeline.heldStreamBytes <= options.stream.memcap,
                "\(net.pipeline.heldStreamBytes) bytes held, memcap \(options.stream.memcap)")
        require(net.pipeline.flowCount <= options.flows.maxFlows, "\(net.pipeline.flowCount) flows, cap \(options.flows.maxFlows)")
    }
    net.finish()
    // Every direction that handed on data has ended by the end of the input.
    for k in check.states.keys { require(check.ended.contains(k), "direction \(k) handed on data but never ended") }
}
