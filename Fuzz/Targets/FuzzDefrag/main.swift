// IP defragmentation (Defragmenter), IPv4 and IPv6, from a sequence of synthetic fragments
// the input describes (5 bytes each):
//   control: bit 0 IPv6, bit 1 more-fragments, bits 2–3 which datagram (id), bit 4 poisoned
//            data, bit 5 IPv4 options / IPv6 hop-by-hop header before the Fragment header,
//            bits 6–7 time step (0, 1, 30 or 61 seconds: the timeout is 60)
//   offset (16 bits, 8-byte units, 13 used), length (8 bits: low 7 bits, times 8 if bit 7), protocol
// Every fragment of datagram k carries, at datagram offset o, the byte f(k, o) (or its
// complement when poisoned), so any correct reassembly is predictable. Invariants:
// - a reassembled datagram decodes as IP of its version, its length fields match its size,
//   and each data byte is f(k, o) — exactly, when no fragment of k was poisoned;
// - held bytes stay under the memcap and pending datagrams under their cap;
// - the same fragments through the whole network pipeline break nothing and leave nothing held.
import FuzzSupport
import PicketCore
import PicketNet

func f(_ key: Int, _ o: Int) -> UInt8 { UInt8(truncatingIfNeeded: o &* 7 &+ key &* 13 &+ 1) }

/// Which datagram a reassembled payload belongs to, from its first byte.
func keyOf(_ first: UInt8) -> (key: Int, poisoned: Bool)? {
    for k in 0..<8 {
        if f(k, 0) == first { return (k, false) }
        if f(k, 0) ^ 0xFF == first { return (k, true) }
    }
    return nil
}

/// Eight fixed sets of limits (picked by the input's hash), each with its own defragmenter
/// and pipeline, reused from input to input (both are emptied at the end of each input).
func variantLimits(_ v: Int) -> Defragmenter.Limits {
    var limits = Defragmenter.Limits()
    limits.memcap = v & 1 == 0 ? 1 << 20 : 2048 + 1000 * (v >> 1)
    limits.maxTrackers = 1 + (v >> 1 & 3)
    limits.maxFragments = v & 4 == 0 ? 256 : 3 + v
    return limits
}
let defrags = (0..<8).map { Defragmenter(limits: variantLimits($0)) }
let nets = (0..<8).map { v -> NetHarness in
    var options = NetworkOptions()
    options.defrag = variantLimits(v)
    return NetHarness(options: options)
}

runFuzzer { input in
    var r = FuzzReader(input)
    let h = inputHash(input)
    let variant = Int(h % 8)
    let limits = variantLimits(variant)
    let defrag = defrags[variant]
    let net = nets[variant]
    net.reset()
    net.sink.checkOnly = { ($0 as? PacketEvent)?.reassembledFragments ?? 0 > 0 }
    let decoder = PacketDecoder()
    var poisoned = [Bool](repeating: false, count: 8)
    var seconds: Int64 = 1_800_000_000
    var fragments = 0
    while !r.isAtEnd && fragments < 256 {
        fragments += 1
        let control = r.u8()
        let v6 = control & 1 != 0
        let more = control & 2 != 0
        let key = Int(control >> 2 & 3) + (v6 ? 4 : 0)
        let poison = control & 16 != 0
        let extra = control & 32 != 0
        seconds += [0, 1, 30, 61][Int(control >> 6)]
        let offsetUnits = Int(r.u16() & 0x1FFF)
        let l = r.u8()
        let length = l & 0x80 != 0 ? Int(l & 0x7F) * 8 : Int(l)
        let proto: UInt8 = r.u8() & 1 == 0 ? 253 : 17
        if poison { poisoned[key] = true }
        var data = [UInt8](repeating: 0, count: length)
        for i in 0..<length { data[i] = f(key, offsetUnits * 8 + i) ^ (poison ? 0xFF : 0) }
        let frame: [UInt8]
        if v6 {
            let fo = UInt16(offsetUnits << 3) | (more ? 1 : 0)
            let id = UInt32(0x1000 + key)
            var body: [UInt8] = []
            var first: UInt8 = 44
            if extra {
                first = 0  // hop-by-hop (8 bytes), then the Fragment header
                body += [44, 0, 1, 4, 0, 0, 0, 0]
            }
            body += [proto, 0] + Frames.be16(fo) + Frames.be32(id) + data
            frame = Frames.ethernet(0x86DD, Frames.ipv6(src: 1, dst: 2, next: first, payload: body))
        } else {
            let fo = UInt16(offsetUnits) | (more ? 0x2000 : 0)
            frame = Frames.ethernet(0x0800, Frames.ipv4(src: 0x0A00_0001, dst: 0x0A00_0002, proto: proto, id: UInt16(key),
                                                        flagsAndOffset: fo, options: extra ? [1, 1, 1, 1] : [], payload: data))
        }
        let ts = Timestamp(seconds: seconds, nanos: 0)
        var p = DecodedPacket()
        frame.withUnsafeBytes { b in
            decoder.decode(linkType: LinkType.ethernet, b, wireLength: b.count, into: &p)
            guard p.event == nil, p.isFragment else { return }
            if defrag.add(p, data: b, timestamp: ts) {
                let fragmentsUsed = defrag.reassembledFragments
                require(fragmentsUsed >= 1 && fragmentsUsed <= limits.maxFragments, "reassembled from \(fragmentsUsed) fragments")
                defrag.reassembled.withUnsafeBytes { d in
                    var q = DecodedPacket()
                    decoder.decode(linkType: defrag.reassembledLinkType, d, wireLength: d.count, into: &q)
                    let version: UInt8 = v6 ? 6 : 4
                    require(q.ipVersion == 4 || q.ipVersion == 6, "reassembled datagram is not IP: \(String(describing: q.event))")
                    require(!q.isFragment, "reassembled datagram is still a fragment")
                    let l3 = 14
                    let headerEnd: Int
                    if q.ipVersion == 4 {
                        let total = Int(d[l3 + 2]) << 8 | Int(d[l3 + 3])
                        require(total == d.count - l3, "IPv4 total length \(total) for \(d.count - l3) bytes")
                        headerEnd = l3 + Int(d[l3] & 15) * 4
                    } else {
                        let plen = Int(d[l3 + 4]) << 8 | Int(d[l3 + 5])
                        require(plen == d.count - l3 - 40, "IPv6 payload length \(plen) for \(d.count - l3 - 40) bytes")
                        // Hop-by-hop header (8 bytes) when the first fragment had one.
                        headerEnd = l3 + 40 + (d[l3 + 6] == 0 ? 8 : 0)
                    }
                    _ = version
                    require(headerEnd <= d.count, "reassembled datagram shorter than its headers")
                    let payload = UnsafeRawBufferPointer(rebasing: d[headerEnd...])
                    guard let first = payload.first else { return }
                    guard let (k, _) = keyOf(first) else {
                        invariantFailed("reassembled payload starts with \(first), which no datagram sent")
                    }
                    for o in 0..<payload.count {
                        let plain = f(k, o)
                        if poisoned[k] {
                            require(payload[o] == plain || payload[o] == plain ^ 0xFF, "datagram \(k) byte \(o) is \(payload[o]), sent as \(plain) or \(plain ^ 0xFF)")
                        } else {
                            require(payload[o] == plain, "datagram \(k) byte \(o) is \(payload[o]), sent as \(plain)")
                        }
                    }
                }
            }
        }
        require(defrag.heldBytes >= 0 && defrag.heldBytes <= limits.memcap, "held \(defrag.heldBytes) bytes, memcap \(limits.memcap)")
        require(defrag.pendingDatagrams <= limits.maxTrackers, "\(defrag.pendingDatagrams) datagrams pending, cap \(limits.maxTrackers)")
        net.feed(frame, timestamp: ts)
    }
    defrag.clear()
    require(defrag.heldBytes == 0 && defrag.pendingDatagrams == 0, "defragmenter holds data after clear")
    _ = defrag.takeCapHits()
    net.finish()
}
