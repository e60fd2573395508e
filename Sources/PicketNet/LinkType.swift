/// LINKTYPE_ values (tcpdump.org/linktypes.html) Picket decodes.
public enum LinkType {
    public static let null: UInt32 = 0          // BSD loopback: 4-byte address family, host byte order
    public static let ethernet: UInt32 = 1
    public static let ppp: UInt32 = 9
    public static let rawBSD: UInt32 = 12       // DLT_RAW on most systems
    public static let rawOpenBSD: UInt32 = 14
    public static let pppHDLC: UInt32 = 50
    public static let raw: UInt32 = 101
    public static let loop: UInt32 = 108        // OpenBSD loopback: address family in network order
    public static let linuxSLL: UInt32 = 113
    public static let ipv4: UInt32 = 228
    public static let ipv6: UInt32 = 229
    public static let linuxSLL2: UInt32 = 276

    public static func name(_ t: UInt32) -> String {
        switch t {
        case null: "NULL"
        case ethernet: "EN10MB"
        case ppp: "PPP"
        case rawBSD, rawOpenBSD, raw: "RAW"
        case pppHDLC: "PPP_HDLC"
        case loop: "LOOP"
        case linuxSLL: "LINUX_SLL"
        case ipv4: "IPV4"
        case ipv6: "IPV6"
        case linuxSLL2: "LINUX_SLL2"
        default: "LINKTYPE_\(t)"
        }
    }
}

/// A malformed packet, named as Suricata names its decoder events (`decoder.ipv4.hlen_too_small`),
/// so rules and people can refer to it.
public enum DecoderEvent: UInt8, Sendable, CaseIterable {
    case ethernetPktTooSmall
    case vlanHeaderTooSmall
    case vlanTooManyLayers
    case sllPktTooSmall
    case sll2PktTooSmall
    case nullPktTooSmall
    case nullUnknownFamily
    case pppPktTooSmall
    case pppoePktTooSmall
    case ipv4PktTooSmall
    case ipv4HlenTooSmall
    case ipv4IplenSmallerThanHlen
    case ipv4TruncPkt
    case ipv4WrongIPVersion
    case ipv6PktTooSmall
    case ipv6TruncPkt
    case ipv6TruncExthdr
    case ipv6WrongIPVersion
    case ipv6ExthdrTooMany
    case tcpPktTooSmall
    case tcpHlenTooSmall
    case udpPktTooSmall
    case udpHlenTooSmall
    case udpHlenInvalid
    case icmpv4PktTooSmall
    case icmpv6PktTooSmall
    case rawUnknownIPVersion
    case unsupportedLinkType

    public var name: String {
        switch self {
        case .ethernetPktTooSmall: "decoder.ethernet.pkt_too_small"
        case .vlanHeaderTooSmall: "decoder.vlan.header_too_small"
        case .vlanTooManyLayers: "decoder.vlan.too_many_layers"
        case .sllPktTooSmall: "decoder.sll.pkt_too_small"
        case .sll2PktTooSmall: "decoder.sll2.pkt_too_small"
        case .nullPktTooSmall: "decoder.null.pkt_too_small"
        case .nullUnknownFamily: "decoder.null.unsupported_type"
        case .pppPktTooSmall: "decoder.ppp.pkt_too_small"
        case .pppoePktTooSmall: "decoder.pppoe.pkt_too_small"
        case .ipv4PktTooSmall: "decoder.ipv4.pkt_too_small"
        case .ipv4HlenTooSmall: "decoder.ipv4.hlen_too_small"
        case .ipv4IplenSmallerThanHlen: "decoder.ipv4.iplen_smaller_than_hlen"
        case .ipv4TruncPkt: "decoder.ipv4.trunc_pkt"
        case .ipv4WrongIPVersion: "decoder.ipv4.wrong_ip_version"
        case .ipv6PktTooSmall: "decoder.ipv6.pkt_too_small"
        case .ipv6TruncPkt: "decoder.ipv6.trunc_pkt"
        case .ipv6TruncExthdr: "decoder.ipv6.trunc_exthdr"
        case .ipv6WrongIPVersion: "decoder.ipv6.wrong_ip_version"
        case .ipv6ExthdrTooMany: "decoder.ipv6.exthdr_too_many"
        case .tcpPktTooSmall: "decoder.tcp.pkt_too_small"
        case .tcpHlenTooSmall: "decoder.tcp.hlen_too_small"
        case .udpPktTooSmall: "decoder.udp.pkt_too_small"
        case .udpHlenTooSmall: "decoder.udp.hlen_too_small"
        case .udpHlenInvalid: "decoder.udp.hlen_invalid"
        case .icmpv4PktTooSmall: "decoder.icmpv4.pkt_too_small"
        case .icmpv6PktTooSmall: "decoder.icmpv6.pkt_too_small"
        case .rawUnknownIPVersion: "decoder.raw.invalid_ip_version"
        case .unsupportedLinkType: "decoder.unsupported_link_type"
        }
    }
}
