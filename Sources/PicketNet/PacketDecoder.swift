import PicketCore

/// What the L2–L4 decoder found in one packet. Offsets index the captured bytes; nothing is
/// copied, and the struct is reused from packet to packet.
public struct DecodedPacket {
    public var linkType: UInt32 = 0
    /// Up to two 802.1Q/802.1ad VLAN ids, outermost first.
    public var vlanCount = 0
    public var vlan0: UInt16 = 0
    public var vlan1: UInt16 = 0
    /// 0 (no IP), 4 or 6.
    public var ipVersion: UInt8 = 0
    public var src = IPAddress(v4: 0)
    public var dst = IPAddress(v4: 0)
    /// IP protocol number of the transport (after IPv6 extension headers).
    public var ipProto: UInt8 = 0
    public var ttl: UInt8 = 0
    public var ipID: UInt32 = 0
    /// A fragment (first or later); only the first carries the transport header.
    public var isFragment = false
    public var fragmentOffset = 0
    public var moreFragments = false
    /// Where the fragmentable part (the bytes fragments carry) starts and where the IP
    /// datagram ends, as offsets into the captured bytes (for reassembly).
    public var fragmentDataOffset = 0
    public var ipEnd = 0
    /// IPv6: offset of the fragment header, and of the next-header byte that names it
    /// (in the fixed header or the extension header before it).
    public var ipv6FragmentHeaderOffset = -1
    public var ipv6FragmentNextHeaderAt = -1
    public var hasPorts = false
    public var srcPort: UInt16 = 0
    public var dstPort: UInt16 = 0
    public var tcpFlags: UInt8 = 0
    public var tcpSeq: UInt32 = 0
    public var tcpAck: UInt32 = 0
    public var tcpWindow: UInt16 = 0
    public var hasICMP = false
    public var icmpType: UInt8 = 0
    public var icmpCode: UInt8 = 0
    public var l3Offset = -1
    public var payloadOffset = 0
    public var payloadLength = 0
    /// The capture kept fewer bytes than the wire carried (snap length).
    public var snapped = false
    /// Set when the packet is malformed; decoding stopped at that layer.
    public var event: DecoderEvent?

    public init() {}

    mutating func reset(linkType: UInt32) { self = DecodedPacket(); self.linkType = linkType }

    /// The transport protocol's EVE name (`TCP`, `UDP`, `ICMP`, `IPv6-ICMP`) or its number.
    public var protoName: String {
        switch ipProto {
        case 6: "TCP"
        case 17: "UDP"
        case 1: "ICMP"
        case 58: "IPv6-ICMP"
        case 132: "SCTP"
        case 47: "GRE"
        case 50: "ESP"
        case 51: "AH"
        default: String(ipProto)
        }
    }
}

/// Decodes link, network and transport headers in place.
///
/// Limits: `maxVLANLayers` tags per frame and `maxIPv6ExtensionHeaders` per packet; going past
/// either is a decoder event and counted as a cap hit.
public struct PacketDecoder {
    public static let maxVLANLayers = 3
    public static let maxIPv6ExtensionHeaders = 12

    public init() {}

    /// Decode `bytes` captured on `linkType` into `p`. `wireLength` is the packet's length on
    /// the wire: a packet cut by the capture's snap length is decoded as far as it goes, while
    /// one whose headers promise more than the wire carried is malformed.
    public func decode(linkType: UInt32, _ bytes: UnsafeRawBufferPointer, wireLength: Int, into p: inout DecodedPacket) {
        p.reset(linkType: linkType)
        p.snapped = wireLength > bytes.count
        let b = bytes
        switch linkType {
        case LinkType.ethernet:
            guard b.count >= 14 else { return fail(&p, .ethernetPktTooSmall) }
            decodeEthertype(be16(b, 12), b, 14, &p, vlanDepth: 0)
        case LinkType.null, LinkType.loop:
            guard b.count >= 4 else { return fail(&p, .nullPktTooSmall) }
            // The family is in the writer's host order for NULL; accept either order.
            var family = b.loadUnaligned(as: UInt32.self)
            if linkType == LinkType.loop || family > 0xFFFF { family = family.byteSwapped }
            switch family {
            case 2: decodeIPv4(b, 4, &p)
            case 10, 24, 28, 30: decodeIPv6(b, 4, &p)
            default: fail(&p, .nullUnknownFamily)
            }
        case LinkType.raw, LinkType.rawBSD, LinkType.rawOpenBSD:
            guard b.count >= 1 else { return fail(&p, .ipv4PktTooSmall) }
            switch b[0] >> 4 {
            case 4: decodeIPv4(b, 0, &p)
            case 6: decodeIPv6(b, 0, &p)
            default: fail(&p, .rawUnknownIPVersion)
            }
        case LinkType.ipv4: decodeIPv4(b, 0, &p)
        case LinkType.ipv6: decodeIPv6(b, 0, &p)
        case LinkType.linuxSLL:
            // packet_type(2) arphrd_type(2) addr_len(2) addr(8) protocol(2)
            guard b.count >= 16 else { return fail(&p, .sllPktTooSmall) }
            decodeEthertype(be16(b, 14), b, 16, &p, vlanDepth: 0)
        case LinkType.linuxSLL2:
            // protocol(2) reserved(2) if_index(4) arphrd_type(2) packet_type(1) addr_len(1) addr(8)
            guard b.count >= 20 else { return fail(&p, .sll2PktTooSmall) }
            decodeEthertype(be16(b, 0), b, 20, &p, vlanDepth: 0)
        case LinkType.ppp, LinkType.pppHDLC:
            decodePPP(b, 0, &p)
        default:
            fail(&p, .unsupportedLinkType)
        }
    }

    @inline(__always) func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
        UInt16(b[i]) << 8 | UInt16(b[i + 1])
    }
    @inline(__always) func be32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }
    @inline(__always) func be64(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    func fail(_ p: inout DecodedPacket, _ e: DecoderEvent) { p.event = e }

    func decodeEthertype(_ type: UInt16, _ b: UnsafeRawBufferPointer, _ off: Int, _ p: inout DecodedPacket, vlanDepth: Int) {
        switch type {
        case 0x0800: decodeIPv4(b, off, &p)
        case 0x86DD: decodeIPv6(b, off, &p)
        case 0x8100, 0x88A8, 0x9100:
            // 802.1Q / 802.1ad: TCI(2) ethertype(2)
            guard vlanDepth < Self.maxVLANLayers else { return fail(&p, .vlanTooManyLayers) }
            guard b.count >= off + 4 else { return fail(&p, .vlanHeaderTooSmall) }
            let id = be16(b, off) & 0x0FFF
            if p.vlanCount == 0 { p.vlan0 = id } else if p.vlanCount == 1 { p.vlan1 = id }
            p.vlanCount += 1
            decodeEthertype(be16(b, off + 2), b, off + 4, &p, vlanDepth: vlanDepth + 1)
        case 0x8864:
            // PPPoE session: ver/type(1) code(1) session(2) length(2), then a PPP protocol field.
            guard b.count >= off + 8 else { return fail(&p, .pppoePktTooSmall) }
            decodePPPProtocol(be16(b, off + 6), b, off + 8, &p)
        default:
            // ARP, LLDP, 802.3 length fields…: a well-formed frame without IP.
            p.payloadOffset = off
            p.payloadLength = b.count - off
        }
    }

    /// PPP, with or without the HDLC address/control bytes (ff 03), and 1- or 2-byte protocols.
    func decodePPP(_ b: UnsafeRawBufferPointer, _ off0: Int, _ p: inout DecodedPacket) {
        var off = off0
        guard b.count >= off + 1 else { return fail(&p, .pppPktTooSmall) }
        if b.count >= off + 2 && b[off] == 0xFF && b[off + 1] == 0x03 { off += 2 }
        guard b.count >= off + 1 else { return fail(&p, .pppPktTooSmall) }
        if b[off] & 1 == 1 {
            // Protocol-field compression: one byte.
            decodePPPProtocol(UInt16(b[off]), b, off + 1, &p)
        } else {
            guard b.count >= off + 2 else { return fail(&p, .pppPktTooSmall) }
            decodePPPProtocol(be16(b, off), b, off + 2, &p)
        }
    }

    func decodePPPProtocol(_ proto: UInt16, _ b: UnsafeRawBufferPointer, _ off: Int, _ p: inout DecodedPacket) {
        switch proto {
        case 0x0021: decodeIPv4(b, off, &p)
        case 0x0057: decodeIPv6(b, off, &p)
        default:
            // LCP, IPCP and other control protocols: well-formed, not IP.
            p.payloadOffset = min(off, b.count)
            p.payloadLength = max(0, b.count - off)
        }
    }

    /// ```
    /// version/IHL(1) tos(1) total_length(2) id(2) flags/fragment_offset(2) ttl(1) protocol(1)
    /// checksum(2) src(4) dst(4) options…
    /// ```
    func decodeIPv4(_ b: UnsafeRawBufferPointer, _ off: Int, _ p: inout DecodedPacket) {
        p.l3Offset = off
        guard b.count >= off + 20 else { return fail(&p, .ipv4PktTooSmall) }
        guard b[off] >> 4 == 4 else { return fail(&p, .ipv4WrongIPVersion) }
        let hlen = Int(b[off] & 0x0F) * 4
        guard hlen >= 20 else { return fail(&p, .ipv4HlenTooSmall) }
        let total = Int(be16(b, off + 2))
        guard total >= hlen else { return fail(&p, .ipv4IplenSmallerThanHlen) }
        guard b.count >= off + hlen else { return fail(&p, .ipv4HlenTooSmall) }
        p.ipVersion = 4
        p.ipID = UInt32(be16(b, off + 4))
        let frag = be16(b, off + 6)
        p.moreFragments = frag & 0x2000 != 0
        p.fragmentOffset = Int(frag & 0x1FFF) * 8
        p.isFragment = p.moreFragments || p.fragmentOffset != 0
        p.ttl = b[off + 8]
        p.ipProto = b[off + 9]
        p.src = IPAddress(v4: be32(b, off + 12))
        p.dst = IPAddress(v4: be32(b, off + 16))
        // Ethernet pads short frames: the IP total length says where the packet ends.
        // A capture cut by the snap length is shorter than total_length; decode what is there.
        guard off + total <= b.count || p.snapped else { return fail(&p, .ipv4TruncPkt) }
        let end = min(b.count, off + total)
        p.ipEnd = end
        p.fragmentDataOffset = off + hlen
        if p.fragmentOffset != 0 {
            p.payloadOffset = off + hlen
            p.payloadLength = end - (off + hlen)
            return
        }
        decodeTransport(p.ipProto, b, off + hlen, end, &p, icmpv6: false)
    }

    /// ```
    /// version/class/flow(4) payload_length(2) next_header(1) hop_limit(1) src(16) dst(16)
    /// extension headers: next_header(1) hdr_ext_len(1) … ((hdr_ext_len + 1) * 8 bytes);
    /// fragment: next_header(1) reserved(1) offset/flags(2) identification(4)
    /// ```
    func decodeIPv6(_ b: UnsafeRawBufferPointer, _ off: Int, _ p: inout DecodedPacket) {
        p.l3Offset = off
        guard b.count >= off + 40 else { return fail(&p, .ipv6PktTooSmall) }
        guard b[off] >> 4 == 6 else { return fail(&p, .ipv6WrongIPVersion) }
        p.ipVersion = 6
        let plen = Int(be16(b, off + 4))
        var next = b[off + 6]
        p.ttl = b[off + 7]
        p.src = IPAddress(v6Hi: be64(b, off + 8), lo: be64(b, off + 16))
        p.dst = IPAddress(v6Hi: be64(b, off + 24), lo: be64(b, off + 32))
        // payload_length 0 means a jumbogram (hop-by-hop option): take what was captured.
        guard plen == 0 || off + 40 + plen <= b.count || p.snapped else { return fail(&p, .ipv6TruncPkt) }
        let end = plen == 0 ? b.count : min(b.count, off + 40 + plen)
        var cur = off + 40
        p.ipEnd = end
        var nextAt = off + 6
        var headers = 0
        while true {
            switch next {
            case 0, 43, 60, 135, 139, 140:  // hop-by-hop, routing, destination, mobility, HIP, shim6
                headers += 1
                guard headers <= Self.maxIPv6ExtensionHeaders else { return fail(&p, .ipv6ExthdrTooMany) }
                guard end >= cur + 2 else { return fail(&p, .ipv6TruncExthdr) }
                let len = (Int(b[cur + 1]) + 1) * 8
                guard end >= cur + len else { return fail(&p, .ipv6TruncExthdr) }
                next = b[cur]
                nextAt = cur
                cur += len
            case 44:
                headers += 1
                guard headers <= Self.maxIPv6ExtensionHeaders else { return fail(&p, .ipv6ExthdrTooMany) }
                guard end >= cur + 8 else { return fail(&p, .ipv6TruncExthdr) }
                let fo = be16(b, cur + 2)
                p.fragmentOffset = Int(fo >> 3) * 8
                p.moreFragments = fo & 1 != 0
                p.isFragment = true
                p.ipID = be32(b, cur + 4)
                p.ipv6FragmentHeaderOffset = cur
                p.ipv6FragmentNextHeaderAt = nextAt
                p.fragmentDataOffset = cur + 8
                next = b[cur]
                nextAt = cur
                cur += 8
                if p.fragmentOffset != 0 {
                    p.ipProto = next
                    p.payloadOffset = cur
                    p.payloadLength = end - cur
                    return
                }
            case 51:  // AH: length in 4-byte units, minus 2
                headers += 1
                guard headers <= Self.maxIPv6ExtensionHeaders else { return fail(&p, .ipv6ExthdrTooMany) }
                guard end >= cur + 2 else { return fail(&p, .ipv6TruncExthdr) }
                let len = (Int(b[cur + 1]) + 2) * 4
                guard end >= cur + len else { return fail(&p, .ipv6TruncExthdr) }
                next = b[cur]
                nextAt = cur
                cur += len
            default:
                p.ipProto = next
                decodeTransport(next, b, cur, end, &p, icmpv6: true)
                return
            }
        }
    }

    func decodeTransport(_ proto: UInt8, _ b: UnsafeRawBufferPointer, _ off: Int, _ end: Int,
                         _ p: inout DecodedPacket, icmpv6: Bool) {
        let avail = end - off
        if p.isFragment && avail < 20 && (proto == 6 || proto == 17 || proto == 1 || proto == 58) {
            // A first fragment may split the transport header; reassembly will join it.
            let need = proto == 6 ? 20 : 8
            if avail < need {
                p.payloadOffset = off
                p.payloadLength = max(0, avail)
                return
            }
        }
        switch proto {
        case 6:
            // src_port(2) dst_port(2) seq(4) ack(4) data_offset/flags(2) window(2) checksum(2) urgent(2)
            guard avail >= 20 else { return fail(&p, .tcpPktTooSmall) }
            let hlen = Int(b[off + 12] >> 4) * 4
            guard hlen >= 20 else { return fail(&p, .tcpHlenTooSmall) }
            guard avail >= hlen else { return fail(&p, .tcpPktTooSmall) }
            p.hasPorts = true
            p.srcPort = be16(b, off)
            p.dstPort = be16(b, off + 2)
            p.tcpSeq = be32(b, off + 4)
            p.tcpAck = be32(b, off + 8)
            p.tcpFlags = b[off + 13]
            p.tcpWindow = be16(b, off + 14)
            p.payloadOffset = off + hlen
            p.payloadLength = avail - hlen
        case 17:
            // src_port(2) dst_port(2) length(2) checksum(2)
            guard avail >= 8 else { return fail(&p, .udpHlenTooSmall) }
            let len = Int(be16(b, off + 4))
            p.hasPorts = true
            p.srcPort = be16(b, off)
            p.dstPort = be16(b, off + 2)
            guard len >= 8 else { return fail(&p, .udpHlenInvalid) }
            // A first fragment holds less than the UDP length promises; so does a snapped capture.
            guard len <= avail || p.isFragment || p.snapped else { return fail(&p, .udpHlenInvalid) }
            p.payloadOffset = off + 8
            p.payloadLength = min(len, avail) - 8
        case 1, 58:
            guard avail >= (proto == 1 ? 8 : 4) else {
                return fail(&p, proto == 1 ? .icmpv4PktTooSmall : .icmpv6PktTooSmall)
            }
            p.hasICMP = true
            p.icmpType = b[off]
            p.icmpCode = b[off + 1]
            p.payloadOffset = off + (proto == 1 ? 8 : 4)
            p.payloadLength = end - p.payloadOffset
        default:
            p.payloadOffset = off
            p.payloadLength = max(0, avail)
        }
    }
}
