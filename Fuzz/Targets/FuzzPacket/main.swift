// L2–L4 decoding (PacketDecoder), every link type, then the network stages. The first byte
// picks the link type, the second whether the capture was cut short (snap length); the rest
// is the frame. Invariants:
// - offsets stay inside the captured bytes: l3, payload, IP end, the fragmentable part;
// - a packet without a decoder event has consistent layers (ports only for TCP/UDP, IP
//   version 4 or 6 with an IP header, VLAN count within the cap);
// - decoding is a function of the bytes alone (reusing the decoded struct changes nothing);
// - the packet event answers every field and writes valid JSON; the network stages take it.
import FuzzSupport
import PicketCore
import PicketNet

let linkTypes: [UInt32] = [
    LinkType.ethernet, LinkType.null, LinkType.loop, LinkType.raw, LinkType.rawBSD, LinkType.rawOpenBSD,
    LinkType.ipv4, LinkType.ipv6, LinkType.linuxSLL, LinkType.linuxSLL2, LinkType.ppp, LinkType.pppHDLC,
    147, 0xFFFF_FFFF,
]

func summary(_ p: DecodedPacket) -> String {
    "\(p.linkType) v\(p.vlanCount):\(p.vlan0):\(p.vlan1) ip\(p.ipVersion) \(p.src)>\(p.dst) p\(p.ipProto) ttl\(p.ttl) id\(p.ipID) "
        + "f\(p.isFragment):\(p.fragmentOffset):\(p.moreFragments):\(p.fragmentDataOffset):\(p.ipEnd):\(p.ipv6FragmentHeaderOffset):\(p.ipv6FragmentNextHeaderAt) "
        + "ports\(p.hasPorts):\(p.srcPort):\(p.dstPort) tcp\(p.tcpFlags):\(p.tcpSeq):\(p.tcpAck):\(p.tcpWindow) "
        + "icmp\(p.hasICMP):\(p.icmpType):\(p.icmpCode) l3\(p.l3Offset) pl\(p.payloadOffset):\(p.payloadLength) s\(p.snapped) e\(String(describing: p.event))"
}

func check(_ p: DecodedPacket, count n: Int) {
    require(p.payloadOffset >= 0 && p.payloadLength >= 0 && p.payloadOffset + p.payloadLength <= n,
            "payload \(p.payloadOffset)+\(p.payloadLength) outside \(n) bytes: \(summary(p))")
    require(p.l3Offset >= -1 && p.l3Offset <= n, "l3 offset \(p.l3Offset) outside \(n) bytes")
    require(p.vlanCount <= PacketDecoder.maxVLANLayers, "vlan count \(p.vlanCount) above the cap")
    guard p.event == nil else { return }
    if p.ipVersion != 0 {
        require(p.ipVersion == 4 || p.ipVersion == 6, "IP version \(p.ipVersion)")
        require(p.l3Offset >= 0 && p.l3Offset + (p.ipVersion == 4 ? 20 : 40) <= n, "IP header outside the frame: \(summary(p))")
        require(p.ipEnd <= n && p.ipEnd >= p.l3Offset, "IP end \(p.ipEnd) outside the frame: \(summary(p))")
        require(p.payloadOffset + p.payloadLength <= p.ipEnd, "payload past the IP end: \(summary(p))")
        if p.isFragment {
            require(p.fragmentDataOffset >= p.l3Offset && p.fragmentDataOffset <= p.ipEnd, "fragment data outside the datagram: \(summary(p))")
        }
    } else {
        require(!p.hasPorts && !p.hasICMP && !p.isFragment, "transport without IP: \(summary(p))")
    }
    if p.hasPorts { require(p.ipProto == 6 || p.ipProto == 17, "ports on protocol \(p.ipProto)") }
}

let decoder = PacketDecoder()
nonisolated(unsafe) var scratch = DecodedPacket()
let harness = NetHarness()

runFuzzer { input in
    var r = FuzzReader(input)
    let link = linkTypes[Int(r.u8()) % linkTypes.count]
    let cut = r.u8()
    let frame = Array(r.take(r.remaining))
    let wire = cut & 0x80 != 0 ? frame.count + Int(cut & 0x7f) + 1 : frame.count
    var p = DecodedPacket()
    frame.withUnsafeBytes { b in
        decoder.decode(linkType: link, b, wireLength: wire, into: &p)
        check(p, count: b.count)
        // The reused struct from the last input must give the same answer as a fresh one.
        decoder.decode(linkType: link, b, wireLength: wire, into: &scratch)
        require(summary(scratch) == summary(p), "decoding depends on the struct's previous content:\n\(summary(scratch))\n\(summary(p))")
    }
    // Through the network stages (one pipeline, emptied after every input).
    harness.reset()
    harness.feed(frame, linkType: link, timestamp: Timestamp(seconds: 1_800_000_000, nanos: 0), wireLength: wire)
    harness.finish()
}
