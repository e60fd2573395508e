import Foundation
import PicketCore
import PicketNet
import Testing

// MARK: Digests

@Suite struct DigestTests {
    /// RFC 1321 appendix A.5 test suite.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5(_ input: String, _ expected: String) {
        var out: [UInt8] = []
        Array(input.utf8).withUnsafeBytes { Digest.md5Hex($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    /// FIPS 180-2 appendix B (and the 55/56/64-byte padding edges, checked with sha256sum).
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    ])
    func sha256(_ input: String, _ expected: String) {
        var out: [UInt8] = []
        Array(input.utf8).withUnsafeBytes { Digest.sha256Hex($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == expected)
        var short: [UInt8] = []
        Array(input.utf8).withUnsafeBytes { Digest.sha256Hex($0, hexDigits: 12, to: &short) }
        #expect(String(decoding: short, as: UTF8.self) == String(expected.prefix(12)))
    }

    @Test func md5OfAMillionAs() {
        var out: [UInt8] = []
        [UInt8](repeating: 97, count: 1_000_000).withUnsafeBytes { Digest.md5Hex($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "7707d6ae4e027c70eea2a935c2296f21")
    }
}

// MARK: DNS

struct DNSCase: CustomTestStringConvertible, Sendable {
    var name: String
    var hex: String
    var ok = true
    var response = false
    var queries: [String] = []
    var types: [String] = []
    var rcode: String? = nil
    var answers: [String] = []
    var pointerCap = false
    var testDescription: String { name }
}

let dnsCases: [DNSCase] = [
    DNSCase(name: "A query", hex: """
        1032 0100 0001 0000 0000 0000     # id 0x1032, RD, one question
        06 676f6f676c65 03 636f6d 00      # google.com
        0001 0001                         # A, IN
        """, queries: ["google.com"], types: ["A"]),
    DNSCase(name: "response with a compressed answer", hex: """
        1032 8180 0001 0001 0000 0000     # QR RD RA, NOERROR, one answer
        06 676f6f676c65 03 636f6d 00 0001 0001
        c00c 0001 0001 0000012c 0004 01020304   # google.com (pointer to 12) A 300 1.2.3.4
        """, response: true, queries: ["google.com"], types: ["A"], rcode: "NOERROR", answers: ["google.com A 1.2.3.4"]),
    DNSCase(name: "NXDOMAIN for AAAA", hex: """
        2582 8183 0001 0000 0000 0000     # rcode 3
        04 74657374 07 6578616d706c65 00 001c 0001   # test.example AAAA
        """, response: true, queries: ["test.example"], types: ["AAAA"], rcode: "NXDOMAIN"),
    DNSCase(name: "CNAME chain with a pointer inside a name", hex: """
        0001 8180 0001 0002 0000 0000
        03 777777 07 6578616d706c65 03 636f6d 00 0001 0001     # www.example.com A
        c00c 0005 0001 00000e10 0006 03 636461 c010             # CNAME cda.example.com
        c02d 0001 0001 00000e10 0004 c0000201                   # cda.example.com A 192.0.2.1
        """, response: true, queries: ["www.example.com"], types: ["A"], rcode: "NOERROR",
        answers: ["www.example.com CNAME cda.example.com", "cda.example.com A 192.0.2.1"]),
    DNSCase(name: "compression loop: a name that points at itself hits the pointer cap", hex: """
        0bad 0100 0001 0000 0000 0000
        c00c 0001 0001                    # the name at 12 is a pointer to 12
        """, ok: false, pointerCap: true),
    DNSCase(name: "two pointers pointing at each other hit the cap", hex: """
        0bad 0100 0001 0000 0000 0000
        01 61 c00e                        # "a" then a pointer to 14 ...
        c00c 0001 0001                    # ... which points back to 12
        """, ok: false, pointerCap: true),
    DNSCase(name: "truncated question", hex: "1032 0100 0001 0000 0000 0000 06 676f6f", ok: false),
    DNSCase(name: "label longer than the message", hex: "1032 0100 0001 0000 0000 0000 3f 61 00 0001 0001", ok: false),
    DNSCase(name: "root name is <root>", hex: "0002 0100 0001 0000 0000 0000 00 0002 0001", queries: ["<root>"], types: ["NS"]),
]

@Suite struct DNSTests {
    @Test(arguments: dnsCases)
    func parse(_ c: DNSCase) {
        let m = DNSMessage()
        let ok = hex(c.hex).withUnsafeBytes { m.parse($0) }
        #expect(ok == c.ok)
        #expect(m.pointerHopsHit == c.pointerCap)
        guard ok else { return }
        #expect(m.isResponse == c.response)
        #expect(m.questions.map { String(decoding: m.textBytes($0.name), as: UTF8.self) } == c.queries)
        #expect(m.questions.map { DNSMessage.typeName($0.type) } == c.types)
        if let r = c.rcode { #expect(DNSMessage.rcodeName(m.rcode) == r) }
        let answers = m.answers.map { a in
            "\(String(decoding: m.textBytes(a.name), as: UTF8.self)) \(DNSMessage.typeName(a.type)) \(a.data.map { String(decoding: m.textBytes($0), as: UTF8.self) } ?? "-")"
        }
        #expect(answers == c.answers)
    }

    @Test("DNS over UDP and over TCP (length-prefixed, split) give the same dns events")
    func udpAndTCP() {
        let query = hex(dnsCases[0].hex)
        let answer = hex(dnsCases[1].hex)
        let udp = runPipeline([
            Build.ipv4(src: Build.client, dst: Build.server, proto: 17, Build.udp(sport: 5000, dport: 53, query)),
            Build.ipv4(src: Build.server, dst: Build.client, proto: 17, Build.udp(sport: 53, dport: 5000, answer)),
        ])
        let framed = Build.be16(query.count) + query
        let tcp = runPipeline([
            Build.seg(true, seq: 100, flags: F.syn, sport: 5000, dport: 53),
            Build.seg(false, seq: 900, ack: 101, flags: F.syn | F.ack, sport: 5000, dport: 53),
            Build.seg(true, seq: 101, ack: 901, Array(framed[0..<1]), sport: 5000, dport: 53),
            Build.seg(true, seq: 102, ack: 901, Array(framed[1...]), sport: 5000, dport: 53),
            Build.seg(false, seq: 901, ack: 101 + UInt32(framed.count), Build.be16(answer.count) + answer, sport: 5000, dport: 53),
        ])
        for run in [udp, tcp] {
            let dns = run.events.filter { $0.kind == .dns }
            #expect(dns.map { $0.value("dns.type") as? String } == ["query", "answer"])
            #expect(dns.map { $0.value("dns.query") as? String } == ["google.com", "google.com"])
            #expect(dns.map { $0.value("dns.rrtype") as? String } == ["A", "A"])
            #expect(dns.last?.value("dns.rcode") as? String == "NOERROR")
            #expect(dns.first?.value("dns.id") as? Int == 0x1032)
            #expect(dns.first?.fields["dest_port"] as? Int == 53)
            #expect(dns.first?.flowID != nil && dns.first?.flowID == dns.last?.flowID)
            let answers = dns.last?.value("dns.answers") as? [[String: Any]]
            #expect(answers?.first?["rdata"] as? String == "1.2.3.4")
        }
    }

    @Test("the pointer-hop cap is counted in caps_hit")
    func capCounted() {
        let loop = hex(dnsCases[4].hex)
        let r = runPipeline([Build.ipv4(src: Build.client, dst: Build.server, proto: 17, Build.udp(sport: 5000, dport: 53, loop))])
        #expect(r.caps[.dnsPointerHops] == 1)
        #expect(r.events.filter { $0.kind == .dns }.isEmpty)
        #expect(r.events.filter { $0.kind == .packet }.count == 1)
    }
}

// MARK: HTTP

struct HTTPCase: CustomTestStringConvertible, Sendable {
    var name: String
    var request: String
    var method: String
    var uri: String
    var proto: String
    var hostname: String?
    var port: Int?
    var userAgent: String?
    var testDescription: String { name }
}

let httpCases: [HTTPCase] = [
    HTTPCase(name: "GET with host and port", request: "GET /a/b?c=d HTTP/1.1\r\nHost: Example.ORG:8080\r\nUser-Agent: curl/8.0\r\n\r\n",
             method: "GET", uri: "/a/b?c=d", proto: "HTTP/1.1", hostname: "Example.ORG", port: 8080, userAgent: "curl/8.0"),
    HTTPCase(name: "bare LF line ends, no host", request: "POST /x HTTP/1.0\nContent-Length: 0\n\n",
             method: "POST", uri: "/x", proto: "HTTP/1.0"),
    HTTPCase(name: "IPv6 literal host", request: "GET /t HTTP/1.1\r\nHost: [fd00:2:1::2]:81\r\n\r\n",
             method: "GET", uri: "/t", proto: "HTTP/1.1", hostname: "fd00:2:1::2", port: 81),
    HTTPCase(name: "URI with a space is kept whole, as libhtp does", request: "GET /uri afterspace HTTP/1.1\r\nhost: h\r\n\r\n",
             method: "GET", uri: "/uri afterspace", proto: "HTTP/1.1", hostname: "h"),
    HTTPCase(name: "CONNECT authority", request: "CONNECT a.example:443 HTTP/1.0\r\nHost: a.example\r\n\r\n",
             method: "CONNECT", uri: "a.example:443", proto: "HTTP/1.0", hostname: "a.example"),
    HTTPCase(name: "HTTP/0.9 style line", request: "GET /old\r\n\r\n", method: "GET", uri: "/old", proto: ""),
]

@Suite struct HTTPTests {
    @Test(arguments: httpCases)
    func parse(_ c: HTTPCase) throws {
        let bytes = Array(c.request.utf8)
        try bytes.withUnsafeBytes { b in
            let end = try #require(HTTPRequestParser.headerEnd(b, from: 0))
            #expect(end == b.count)
            let r = try #require(HTTPRequestParser.parse(b, from: 0, end: end))
            func s(_ r: Range<Int>?) -> String? { r.map { String(decoding: b[$0], as: UTF8.self) } }
            #expect(s(r.method) == c.method)
            #expect(s(r.uri) == c.uri)
            #expect(s(r.protocolVersion) == c.proto)
            #expect(s(r.hostname) == c.hostname)
            #expect(r.port == c.port)
            #expect(s(r.userAgent) == c.userAgent)
        }
    }

    @Test("pipelined requests with bodies (Content-Length and chunked), split across segments")
    func pipelined() {
        let text = "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nGET /" +
            "POST /two HTTP/1.1\r\nHost: B:81\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nGET\r\n0\r\n\r\n" +
            "\r\nGET /three HTTP/1.1\r\nHost: c\r\nUser-Agent: ua\r\n\r\n"
        let data = Array(text.utf8)
        // Cut into segments at awkward places, including inside the header block.
        let cuts = [0, 7, 40, 61, 62, 100, 131, data.count]
        var packets = [Build.seg(true, seq: 999, flags: F.syn), Build.seg(false, seq: 5000, ack: 1000, flags: F.syn | F.ack)]
        for (a, b) in zip(cuts, cuts.dropFirst()) {
            packets.append(Build.seg(true, seq: 1000 + UInt32(a), ack: 5001, Array(data[a..<b])))
        }
        let r = runPipeline(packets)
        let http = r.events.filter { $0.kind == .http }
        #expect(http.map { $0.value("http.url") as? String } == ["/one", "/two", "/three"])
        #expect(http.map { $0.value("http.hostname") as? String } == ["a", "b", "c"])
        #expect(http.map { $0.value("http.http_method") as? String } == ["POST", "POST", "GET"])
        #expect(http[1].value("http.http_port") as? Int == 81)
        #expect(http[2].value("http.http_user_agent") as? String == "ua")
        #expect(http.allSatisfy { $0.fields["direction"] as? String == "to_server" && $0.fields["dest_port"] as? Int == 80 })
        #expect(streams(r.events)["to_server"] == text)
    }

    @Test("SSDP: an HTTP request in a UDP datagram to port 1900")
    func ssdp() {
        let msearch = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n\r\n"
        let r = runPipeline([Build.ipv4(src: Build.client, dst: 0xEFFF_FFFA, proto: 17, Build.udp(sport: 5000, dport: 1900, Array(msearch.utf8)))])
        let http = r.events.filter { $0.kind == .http }
        #expect(http.count == 1)
        #expect(http.first?.value("http.url") as? String == "*")
        #expect(http.first?.value("http.hostname") as? String == "239.255.255.250")
        #expect(http.first?.value("http.http_port") as? Int == 1900)
    }
}

// MARK: TLS

/// A ClientHello written by hand: TLS 1.3 offered, a GREASE cipher and extension, SNI
/// example.com, ALPN h2 and http/1.1. JA3 checked with tshark 4.0, JA4 with ja4plus 1.4.
let knownHello = """
    16 0301 0082                          # record: handshake, TLS 1.0, 130 bytes
    01 00007e                             # ClientHello, 126 bytes
    0303                                  # legacy_version TLS 1.2
    000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f   # random
    00                                    # session id: empty
    0008 0a0a 1301 c02f 002f              # ciphers: GREASE, TLS_AES_128_GCM_SHA256, ECDHE-RSA-AES128-GCM, AES128-SHA
    01 00                                 # compression: null
    004d                                  # extensions, 77 bytes
    0a0a 0000                             # GREASE extension
    0000 0010 000e 00 000b 6578616d706c652e636f6d     # server_name example.com
    000a 0006 0004 001d 0017              # supported_groups x25519 secp256r1
    000b 0002 01 00                       # ec_point_formats uncompressed
    000d 0006 0004 0403 0804              # signature_algorithms
    0010 000e 000c 02 6832 08 687474702f312e31        # ALPN h2, http/1.1
    002b 0005 04 0304 0303                # supported_versions 1.3, 1.2
    """

@Suite struct TLSTests {
    @Test("JA3 string and hash, JA4, SNI and version of a known ClientHello")
    func knownClientHello() throws {
        let record = hex(knownHello)
        #expect(record.count == 135)
        let h = TLSClientHello()
        #expect(record.withUnsafeBytes { h.parse(UnsafeRawBufferPointer(rebasing: $0[9...])) })
        #expect(String(decoding: h.sni, as: UTF8.self) == "example.com")
        #expect(String(decoding: h.ja3, as: UTF8.self) == "771,4865-49199-47,0-10-11-13-16-43,29-23,0")
        #expect(String(decoding: h.ja3Hash, as: UTF8.self) == "6bfe35123df20afcf42aa008b0081ebf")
        #expect(String(decoding: h.ja4, as: UTF8.self) == "t13d0306h2_54093f43ad55_fb71836bce29")
        #expect(h.versionText == "TLS 1.3")
    }

    @Test("a ClientHello over three records and five segments gives the same fingerprints")
    func spanning() throws {
        let record = hex(knownHello)
        let handshake = Array(record[5...])
        var data: [UInt8] = []
        for (a, b) in [(0, 50), (50, 51), (51, handshake.count)] {
            data += [0x16, 0x03, 0x01] + Build.be16(b - a) + handshake[a..<b]
        }
        var packets = [Build.seg(true, seq: 9, flags: F.syn, dport: 443), Build.seg(false, seq: 70, ack: 10, flags: F.syn | F.ack, dport: 443)]
        let cuts = [0, 3, 20, 58, 59, data.count]
        for (a, b) in zip(cuts, cuts.dropFirst()) {
            packets.append(Build.seg(true, seq: 10 + UInt32(a), ack: 71, Array(data[a..<b]), dport: 443))
        }
        let r = runPipeline(packets)
        let tls = r.events.filter { $0.kind == .tls }
        #expect(tls.count == 1)
        #expect(tls.first?.value("tls.sni") as? String == "example.com")
        #expect(tls.first?.value("tls.ja3.hash") as? String == "6bfe35123df20afcf42aa008b0081ebf")
        #expect(tls.first?.value("tls.ja3.string") as? String == "771,4865-49199-47,0-10-11-13-16-43,29-23,0")
        #expect(tls.first?.value("tls.ja4") as? String == "t13d0306h2_54093f43ad55_fb71836bce29")
        #expect(tls.first?.value("tls.version") as? String == "TLS 1.3")
        #expect(tls.first?.fields["src_ip"] as? String == "10.0.0.1")
        #expect(tls.first?.payload == handshake)
    }

    @Test("GREASE values are recognised", arguments: [(0x0A0A, true), (0xFAFA, true), (0x0A1A, false), (0x1301, false)])
    func grease(_ v: Int, _ expected: Bool) {
        #expect(TLSClientHello.isGREASE(UInt16(v)) == expected)
    }
}
