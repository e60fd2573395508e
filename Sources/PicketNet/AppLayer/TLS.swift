import PicketCore

/// A TLS ClientHello (RFC 8446 section 4.1.2; RFC 5246 section 7.4.1.2) and its
/// fingerprints, decoded into reused storage.
///
/// ```
/// record:     content_type(8)=22 legacy_record_version(16) length(16) fragment
/// handshake:  msg_type(8)=1 length(24) body            (may span records and segments)
/// body:       legacy_version(16) random(32 bytes) legacy_session_id<0..32>(8-bit length)
///             cipher_suites<2..2^16-2>(16-bit length) legacy_compression_methods<1..255>(8)
///             extensions<0..2^16-1>(16-bit length): extension_type(16) extension_data<16>
/// server_name (0):          server_name_list<16>: name_type(8)=0 HostName<16>
/// supported_groups (10):    named_group_list<16>: 16-bit groups
/// ec_point_formats (11):    ec_point_format_list<8>: 8-bit formats
/// signature_algorithms (13): supported_signature_algorithms<16>: 16-bit schemes
/// ALPN (16):                protocol_name_list<16>: ProtocolName<8>
/// supported_versions (43):  versions<8>: 16-bit versions
/// ```
/// JA3 (salesforce/ja3): `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`
/// in decimal, list items joined by `-`, GREASE values (RFC 8701: 0x?a?a) left out; its hash
/// is the MD5 of that text. JA4 (FoxIO, as the `ja4plus` package computes it):
/// `t` + version + `d`/`i` (SNI or not) + cipher count + extension count + ALPN ends, then
/// the first 12 hex digits of the SHA-256 of the sorted cipher list, then of the sorted
/// extension list (without SNI and ALPN) `_` the signature algorithms in wire order.
public final class TLSClientHello {
    public private(set) var legacyVersion: UInt16 = 0
    public private(set) var ciphers: [UInt16] = []
    public private(set) var extensions: [UInt16] = []
    public private(set) var groups: [UInt16] = []
    public private(set) var pointFormats: [UInt8] = []
    public private(set) var signatureAlgorithms: [UInt16] = []
    public private(set) var supportedVersions: [UInt16] = []
    public private(set) var sni: [UInt8] = []
    public private(set) var hasSNI = false
    public private(set) var firstALPN: [UInt8] = []
    public private(set) var hasALPN = false
    public private(set) var ja3: [UInt8] = []
    public private(set) var ja3Hash: [UInt8] = []
    public private(set) var ja4: [UInt8] = []
    private var scratch: [UInt16] = []
    private var text: [UInt8] = []

    public init() {
        ciphers.reserveCapacity(64)
        extensions.reserveCapacity(32)
        ja3.reserveCapacity(512)
        text.reserveCapacity(512)
    }

    public static func isGREASE(_ v: UInt16) -> Bool { v & 0x0F0F == 0x0A0A && v >> 8 == v & 0xFF }

    /// The version the client asks for at most: the highest non-GREASE supported_versions
    /// entry, else the legacy version.
    public var offeredVersion: UInt16 {
        var best: UInt16 = 0
        for v in supportedVersions where !Self.isGREASE(v) && v > best { best = v }
        return best != 0 ? best : legacyVersion
    }

    /// Suricata's names for TLS versions (`tls.version`).
    public var versionText: String {
        switch offeredVersion {
        case 0x0304: "TLS 1.3"
        case 0x0303: "TLS 1.2"
        case 0x0302: "TLS 1.1"
        case 0x0301: "TLSv1"
        case 0x0300: "SSLv3"
        case 0x0002, 0x0200: "SSLv2"
        default: "UNDETERMINED"
        }
    }

    /// Parse a ClientHello body (after the 4-byte handshake header). False when malformed.
    public func parse(_ b: UnsafeRawBufferPointer) -> Bool {
        ciphers.removeAll(keepingCapacity: true)
        extensions.removeAll(keepingCapacity: true)
        groups.removeAll(keepingCapacity: true)
        pointFormats.removeAll(keepingCapacity: true)
        signatureAlgorithms.removeAll(keepingCapacity: true)
        supportedVersions.removeAll(keepingCapacity: true)
        sni.removeAll(keepingCapacity: true)
        firstALPN.removeAll(keepingCapacity: true)
        hasSNI = false
        hasALPN = false
        var p = 0
        let n = b.count
        guard n >= 35 else { return false }
        legacyVersion = be16(b, 0)
        p = 34
        let sid = Int(b[p])
        p += 1 + sid
        guard p + 2 <= n else { return false }
        let cs = Int(be16(b, p))
        p += 2
        guard cs % 2 == 0, p + cs <= n else { return false }
        var q = p
        while q < p + cs { ciphers.append(be16(b, q)); q += 2 }
        p += cs
        guard p + 1 <= n else { return false }
        p += 1 + Int(b[p])
        guard p <= n else { return false }
        if p + 2 <= n {
            let extLen = Int(be16(b, p))
            p += 2
            guard p + extLen <= n else { return false }
            let end = p + extLen
            while p + 4 <= end {
                let type = be16(b, p)
                let len = Int(be16(b, p + 2))
                p += 4
                guard p + len <= end else { return false }
                extensions.append(type)
                let e = UnsafeRawBufferPointer(rebasing: b[p..<(p + len)])
                switch type {
                case 0: parseSNI(e)
                case 10: list16(e, lengthBytes: 2, into: &groups)
                case 11:
                    if e.count >= 1 {
                        let m = min(Int(e[0]), e.count - 1)
                        for k in 0..<m { pointFormats.append(e[1 + k]) }
                    }
                case 13: list16(e, lengthBytes: 2, into: &signatureAlgorithms)
                case 16:
                    hasALPN = true
                    if e.count >= 3 {
                        let m = Int(e[2])
                        if 3 + m <= e.count { firstALPN.append(contentsOf: UnsafeRawBufferPointer(rebasing: e[3..<(3 + m)])) }
                    }
                case 43: list16(e, lengthBytes: 1, into: &supportedVersions)
                default: break
                }
                p += len
            }
        }
        makeJA3()
        makeJA4()
        return true
    }

    private func parseSNI(_ e: UnsafeRawBufferPointer) {
        hasSNI = true
        guard e.count >= 2 else { return }
        let listEnd = min(e.count, 2 + Int(be16(e, 0)))
        var p = 2
        while p + 3 <= listEnd {
            let type = e[p]
            let len = Int(be16(e, p + 1))
            p += 3
            guard p + len <= listEnd else { return }
            if type == 0 {
                sni.append(contentsOf: UnsafeRawBufferPointer(rebasing: e[p..<(p + len)]))
                return
            }
            p += len
        }
    }

    private func list16(_ e: UnsafeRawBufferPointer, lengthBytes: Int, into out: inout [UInt16]) {
        guard e.count >= lengthBytes else { return }
        let len = lengthBytes == 2 ? Int(be16(e, 0)) : Int(e[0])
        let end = min(e.count, lengthBytes + len)
        var p = lengthBytes
        while p + 2 <= end { out.append(be16(e, p)); p += 2 }
    }

    private func decimal(_ v: Int) {
        if v >= 10000 { ja3.append(UInt8(v / 10000 % 10) + 48) }
        if v >= 1000 { ja3.append(UInt8(v / 1000 % 10) + 48) }
        if v >= 100 { ja3.append(UInt8(v / 100 % 10) + 48) }
        if v >= 10 { ja3.append(UInt8(v / 10 % 10) + 48) }
        ja3.append(UInt8(v % 10) + 48)
    }

    private func makeJA3() {
        ja3.removeAll(keepingCapacity: true)
        decimal(Int(legacyVersion))
        ja3.append(44)
        func list(_ xs: [UInt16]) {
            var first = true
            for x in xs where !Self.isGREASE(x) {
                if !first { ja3.append(45) }
                first = false
                decimal(Int(x))
            }
        }
        list(ciphers); ja3.append(44)
        list(extensions); ja3.append(44)
        list(groups); ja3.append(44)
        var first = true
        for f in pointFormats {
            if !first { ja3.append(45) }
            first = false
            decimal(Int(f))
        }
        ja3Hash.removeAll(keepingCapacity: true)
        ja3.withUnsafeBytes { Digest.md5Hex($0, to: &ja3Hash) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private func hex4(_ v: UInt16) {
        text.append(Self.hexDigits[Int(v >> 12)])
        text.append(Self.hexDigits[Int(v >> 8 & 15)])
        text.append(Self.hexDigits[Int(v >> 4 & 15)])
        text.append(Self.hexDigits[Int(v & 15)])
    }

    private func two(_ n: Int) {
        let v = min(n, 99)
        ja4.append(UInt8(v / 10) + 48)
        ja4.append(UInt8(v % 10) + 48)
    }

    private func makeJA4() {
        ja4.removeAll(keepingCapacity: true)
        ja4.append(UInt8(ascii: "t"))
        switch offeredVersion {
        case 0x0304: ja4.append(contentsOf: "13".utf8)
        case 0x0303: ja4.append(contentsOf: "12".utf8)
        case 0x0302: ja4.append(contentsOf: "11".utf8)
        case 0x0301: ja4.append(contentsOf: "10".utf8)
        case 0x0300: ja4.append(contentsOf: "s3".utf8)
        case 0x0002: ja4.append(contentsOf: "s2".utf8)
        case 0xFEFF: ja4.append(contentsOf: "d1".utf8)
        case 0xFEFD: ja4.append(contentsOf: "d2".utf8)
        case 0xFEFC: ja4.append(contentsOf: "d3".utf8)
        default: ja4.append(contentsOf: "00".utf8)
        }
        ja4.append(UInt8(ascii: hasSNI && !sni.isEmpty ? "d" : "i"))
        two(ciphers.lazy.filter { !Self.isGREASE($0) }.count)
        two(extensions.lazy.filter { !Self.isGREASE($0) }.count)
        // ALPN: printable ASCII ends write themselves, bytes >= 0x80 write 9, a control
        // byte at either end makes "99" (ja4plus 1.4).
        if let f = firstALPN.first, let l = firstALPN.last {
            func end(_ c: UInt8) -> UInt8? { c >= 0x20 && c <= 0x7E ? c : c >= 0x80 ? 57 : nil }
            if let a = end(f), let z = end(l) { ja4.append(a); ja4.append(z) } else { ja4.append(contentsOf: "99".utf8) }
        } else {
            ja4.append(contentsOf: "00".utf8)
        }
        ja4.append(UInt8(ascii: "_"))
        scratch.removeAll(keepingCapacity: true)
        for c in ciphers where !Self.isGREASE(c) { scratch.append(c) }
        scratch.sort()
        text.removeAll(keepingCapacity: true)
        for (i, c) in scratch.enumerated() {
            if i > 0 { text.append(44) }
            hex4(c)
        }
        if scratch.isEmpty {
            ja4.append(contentsOf: "000000000000".utf8)
        } else {
            text.withUnsafeBytes { Digest.sha256Hex($0, hexDigits: 12, to: &ja4) }
        }
        ja4.append(UInt8(ascii: "_"))
        scratch.removeAll(keepingCapacity: true)
        for e in extensions where !Self.isGREASE(e) && e != 0 && e != 16 { scratch.append(e) }
        scratch.sort()
        text.removeAll(keepingCapacity: true)
        for (i, e) in scratch.enumerated() {
            if i > 0 { text.append(44) }
            hex4(e)
        }
        var firstSig = true
        for s in signatureAlgorithms where !Self.isGREASE(s) {
            text.append(firstSig ? UInt8(ascii: "_") : 44)
            firstSig = false
            hex4(s)
        }
        if text.isEmpty {
            ja4.append(contentsOf: "000000000000".utf8)
        } else {
            text.withUnsafeBytes { Digest.sha256Hex($0, hexDigits: 12, to: &ja4) }
        }
    }

    @inline(__always) private func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
        UInt16(b[i]) << 8 | UInt16(b[i + 1])
    }
}
