import PicketCore
import PicketNet
import Testing

struct PacketCase: CustomTestStringConvertible, Sendable {
    var name: String
    var linkType: UInt32
    var bytes: [UInt8]
    /// Wire length; nil means the capture kept every byte.
    var wire: Int? = nil
    var event: String? = nil
    var src: String? = nil
    var dst: String? = nil
    var ports: (UInt16, UInt16)? = nil
    var proto: String? = nil
    var vlans: [UInt16] = []
    var payloadLength: Int? = nil
    var testDescription: String { name }
}

// Shared headers, as commented hex.
let ipv4TCP = """
    45 00 0028 0001 0000 40 06 0000 0a000001 0a000002   # IPv4, total 40, TCP, 10.0.0.1 > 10.0.0.2
    3039 0050 00000001 00000000 50 02 ffff 0000 0000     # TCP 12345 > 80, SYN
    """
let ipv4UDP = """
    45 00 0024 0001 0000 40 11 0000 c0a80001 c0a80002   # IPv4, total 36, UDP, 192.168.0.1 > 192.168.0.2
    d431 0035 0010 0000 0102030405060708                 # UDP 54321 > 53, length 16
    """

let packetCases: [PacketCase] = [
    PacketCase(name: "Ethernet IPv4 TCP", linkType: 1, bytes: hex("000000000001 000000000002 0800" + "\n" + ipv4TCP),
               src: "10.0.0.1", dst: "10.0.0.2", ports: (12345, 80), proto: "TCP", payloadLength: 0),
    PacketCase(name: "Ethernet padded to 60 bytes", linkType: 1,
               bytes: hex("000000000001 000000000002 0800" + "\n" + ipv4TCP + "\n000000000000"),
               src: "10.0.0.1", dst: "10.0.0.2", ports: (12345, 80), proto: "TCP", payloadLength: 0),
    PacketCase(name: "QinQ 802.1ad + 802.1Q, UDP", linkType: 1,
               bytes: hex("000000000001 000000000002 88a8 0064 8100 00c8 0800" + "\n" + ipv4UDP),
               src: "192.168.0.1", dst: "192.168.0.2", ports: (54321, 53), proto: "UDP", vlans: [100, 200], payloadLength: 8),
    PacketCase(name: "Linux SLL, ICMP echo", linkType: 113, bytes: hex("""
        0000 0001 0006 0000000000010000 0800                 # SLL: outgoing, ARPHRD_ETHER, IPv4
        45 00 0024 0001 0000 40 01 0000 c0a80001 c0a80002    # IPv4 ICMP
        0800 0000 0001 0001 0102030405060708                 # echo request
        """), src: "192.168.0.1", dst: "192.168.0.2", proto: "ICMP", payloadLength: 8),
    PacketCase(name: "Linux SLL2, TCP", linkType: 276,
               bytes: hex("0800 0000 00000002 0001 00 06 0000000000010000" + "\n" + ipv4TCP),
               src: "10.0.0.1", dst: "10.0.0.2", ports: (12345, 80), proto: "TCP"),
    PacketCase(name: "BSD NULL loopback", linkType: 0, bytes: hex("02000000" + "\n" + ipv4TCP),
               src: "10.0.0.1", dst: "10.0.0.2", ports: (12345, 80), proto: "TCP"),
    PacketCase(name: "raw IPv6 with hop-by-hop and destination options, UDP", linkType: 101, bytes: hex("""
        60000000 0020 00 40 20010db8000000000000000000000001 20010db8000000000000000000000002
        3c 00 0104 00000000          # hop-by-hop, next: destination options
        11 00 0104 00000000          # destination options, next: UDP
        1234 0035 0010 0000 0102030405060708
        """), src: "2001:db8::1", dst: "2001:db8::2", ports: (4660, 53), proto: "UDP", payloadLength: 8),
    PacketCase(name: "PPP with address and control", linkType: 9, bytes: hex("ff03 0021" + "\n" + ipv4TCP),
               src: "10.0.0.1", dst: "10.0.0.2", ports: (12345, 80), proto: "TCP"),
    PacketCase(name: "raw IPv4 (LINKTYPE_IPV4)", linkType: 228, bytes: hex(ipv4UDP),
               src: "192.168.0.1", dst: "192.168.0.2", ports: (54321, 53), proto: "UDP"),
    PacketCase(name: "ARP is well formed without IP", linkType: 1,
               bytes: hex("ffffffffffff 000000000002 0806 0001 0800 06 04 0001 000000000002 0a000001 000000000000 0a000002")),
    // Malformed packets: named decoder events.
    PacketCase(name: "short Ethernet", linkType: 1, bytes: hex("0000000000010000"), event: "decoder.ethernet.pkt_too_small"),
    PacketCase(name: "IPv4 IHL below 5", linkType: 101, bytes: hex("44 00 0028 0001 0000 40 06 0000 0a000001 0a000002 00000000 00000000 00000000 00000000 00000000"),
               event: "decoder.ipv4.hlen_too_small"),
    PacketCase(name: "IPv4 total length below header length", linkType: 101,
               bytes: hex("45 00 0010 0001 0000 40 06 0000 0a000001 0a000002"), event: "decoder.ipv4.iplen_smaller_than_hlen"),
    PacketCase(name: "IPv4 promises more than the wire carried", linkType: 101,
               bytes: hex("45 00 0064 0001 0000 40 06 0000 0a000001 0a000002 3039 0050 00000001 00000000 50 02 ffff 0000 0000"),
               event: "decoder.ipv4.trunc_pkt"),
    PacketCase(name: "IPv4 cut by the snap length is not malformed", linkType: 101,
               bytes: hex("45 00 0064 0001 0000 40 06 0000 0a000001 0a000002 3039 0050 00000001 00000000 50 02 ffff 0000 0000"),
               wire: 100, src: "10.0.0.1", dst: "10.0.0.2", ports: (12345, 80), proto: "TCP"),
    PacketCase(name: "TCP data offset below 5", linkType: 101,
               bytes: hex("45 00 0028 0001 0000 40 06 0000 0a000001 0a000002 3039 0050 00000001 00000000 40 02 ffff 0000 0000"),
               event: "decoder.tcp.hlen_too_small"),
    PacketCase(name: "UDP length below 8", linkType: 101,
               bytes: hex("45 00 001c 0001 0000 40 11 0000 0a000001 0a000002 d431 0035 0004 0000"), event: "decoder.udp.hlen_invalid"),
    PacketCase(name: "short IPv6", linkType: 229, bytes: hex("60000000 0000 11 40"), event: "decoder.ipv6.pkt_too_small"),
    PacketCase(name: "IPv6 extension header runs past the packet", linkType: 229, bytes: hex("""
        60000000 0008 00 40 20010db8000000000000000000000001 20010db8000000000000000000000002
        11 05 0000 00000000          # hop-by-hop claiming 48 bytes
        """), event: "decoder.ipv6.trunc_exthdr"),
    PacketCase(name: "four VLAN tags", linkType: 1,
               bytes: hex("000000000001 000000000002 8100 0001 8100 0002 8100 0003 8100 0004 0800" + "\n" + ipv4TCP),
               event: "decoder.vlan.too_many_layers"),
    PacketCase(name: "unknown NULL family", linkType: 0, bytes: hex("07000000" + "\n" + ipv4TCP), event: "decoder.null.unsupported_type"),
    PacketCase(name: "IPv4 first fragment with a partial TCP header is not malformed", linkType: 101,
               bytes: hex("45 00 001c 0001 2000 40 06 0000 0a000001 0a000002 3039 0050 00000001")),
]

@Suite struct PacketDecoderTests {
    @Test(arguments: packetCases)
    func decode(_ c: PacketCase) {
        var p = DecodedPacket()
        c.bytes.withUnsafeBytes { PacketDecoder().decode(linkType: c.linkType, $0, wireLength: c.wire ?? c.bytes.count, into: &p) }
        #expect(p.event?.name == c.event)
        if let src = c.src { #expect(p.src.description == src) }
        if let dst = c.dst { #expect(p.dst.description == dst) }
        if let (s, d) = c.ports {
            #expect(p.hasPorts)
            #expect(p.srcPort == s && p.dstPort == d)
        }
        if let proto = c.proto { #expect(p.protoName == proto) }
        #expect(Array([p.vlan0, p.vlan1].prefix(min(p.vlanCount, 2))) == c.vlans || c.event != nil)
        if let n = c.payloadLength { #expect(p.payloadLength == n) }
    }

    @Test("IPv6 addresses print in RFC 5952 form", arguments: [
        (0x2001_0db8_0000_0000 as UInt64, 0x0000_0000_0000_0001 as UInt64, "2001:db8::1"),
        (0, 0, "::"), (0, 1, "::1"),
        (0x2001_0db8_0000_0001, 0x0000_0000_0001_0000, "2001:db8:0:1::1:0"),
        (0xfe80_0000_0000_0000, 0x0202_b3ff_fe1e_8329, "fe80::202:b3ff:fe1e:8329"),
        (0x2001_0db8_0001_0001, 0x0001_0001_0001_0001, "2001:db8:1:1:1:1:1:1"),
    ])
    func ipv6Text(_ hi: UInt64, _ lo: UInt64, _ text: String) {
        #expect(IPAddress(v6Hi: hi, lo: lo).description == text)
    }

    @Test func ipv4Text() {
        #expect(IPAddress(v4: 0xC0A8_0001).description == "192.168.0.1")
        #expect(IPAddress(v4: 0).description == "0.0.0.0")
        #expect(IPAddress(v4: 0xFFFF_FFFF).description == "255.255.255.255")
    }
}
