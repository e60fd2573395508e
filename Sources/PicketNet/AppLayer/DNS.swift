import PicketCore

/// A DNS message (RFC 1035 section 4), decoded into reused storage.
///
/// ```
/// header:   id(16) | QR(1) opcode(4) AA(1) TC(1) RD(1) RA(1) Z(1) AD(1) CD(1) rcode(4)
///           | qdcount(16) ancount(16) nscount(16) arcount(16)
/// question: qname qtype(16) qclass(16)
/// answer:   name type(16) class(16) ttl(32) rdlength(16) rdata
/// name:     labels (length(8) ≤ 63, then the bytes) ending in a zero length, or a
///           compression pointer: 0b11 then a 14-bit offset from the message start
/// ```
/// Over TCP each message is preceded by its length (16 bits), RFC 1035 section 4.2.2.
///
/// Limits: `maxPointerHops` compression pointers followed per name (`dns_pointer_hops`: the
/// name, and so the message, is rejected, which also stops pointer loops) and `maxRecords`
/// questions and answers kept per message (`dns_records`: the rest are not decoded). Names
/// are at most 255 bytes on the wire; a longer one is malformed.
public final class DNSMessage {
    public static let maxPointerHops = 16
    public static let maxRecords = 64

    public struct Question {
        public var name: Range<Int>
        public var type: UInt16
    }

    public struct Answer {
        public var name: Range<Int>
        public var type: UInt16
        public var ttl: UInt32
        /// The rdata as text (addresses, names, TXT strings), if its type is one Picket shows.
        public var data: Range<Int>?
    }

    public private(set) var id: UInt16 = 0
    public private(set) var flags: UInt16 = 0
    public var isResponse: Bool { flags & 0x8000 != 0 }
    public var opcode: Int { Int(flags >> 11 & 15) }
    public var rcode: Int { Int(flags & 15) }
    public private(set) var questions: [Question] = []
    public private(set) var answers: [Answer] = []
    /// Text of names and rdata; `Question.name` and friends index it.
    public private(set) var text: [UInt8] = []
    /// Cap hits of the last `parse`.
    public private(set) var pointerHopsHit = false
    public private(set) var recordsHit = false

    public init() {
        text.reserveCapacity(1024)
        questions.reserveCapacity(4)
        answers.reserveCapacity(16)
    }

    public func textBytes(_ r: Range<Int>) -> UnsafeRawBufferPointer {
        text.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[r]) }
    }

    /// Decode a whole message. False when it is not a well-formed DNS message (questions
    /// must decode; answers are decoded as far as they are well formed).
    public func parse(_ m: UnsafeRawBufferPointer) -> Bool {
        questions.removeAll(keepingCapacity: true)
        answers.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
        pointerHopsHit = false
        recordsHit = false
        guard m.count >= 12 else { return false }
        id = be16(m, 0)
        flags = be16(m, 2)
        let qd = Int(be16(m, 4))
        let an = Int(be16(m, 6))
        var pos = 12
        for q in 0..<qd {
            guard let name = readName(m, &pos), pos + 4 <= m.count else { return false }
            if q < Self.maxRecords {
                questions.append(Question(name: name, type: be16(m, pos)))
            } else {
                recordsHit = true
                text.removeSubrange(name)
            }
            pos += 4
        }
        guard isResponse else { return true }
        for a in 0..<an {
            guard a < Self.maxRecords else { recordsHit = true; break }
            guard let name = readName(m, &pos), pos + 10 <= m.count else { break }
            let type = be16(m, pos)
            let ttl = UInt32(be16(m, pos + 4)) << 16 | UInt32(be16(m, pos + 6))
            let rdlength = Int(be16(m, pos + 8))
            pos += 10
            guard pos + rdlength <= m.count else { break }
            let rdata = pos
            pos += rdlength
            answers.append(Answer(name: name, type: type, ttl: ttl, data: rdataText(m, type: type, at: rdata, length: rdlength)))
        }
        return true
    }

    private func rdataText(_ m: UnsafeRawBufferPointer, type: UInt16, at: Int, length: Int) -> Range<Int>? {
        let start = text.count
        switch type {
        case 1:
            guard length == 4 else { return nil }
            IPAddress(v4: UInt32(be16(m, at)) << 16 | UInt32(be16(m, at + 2))).append(to: &text)
        case 28:
            guard length == 16 else { return nil }
            let hi = UInt64(bigEndian: m.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            let lo = UInt64(bigEndian: m.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self))
            IPAddress(v6Hi: hi, lo: lo).append(to: &text)
        case 2, 5, 12, 6:  // NS, CNAME, PTR, SOA (its MNAME)
            var p = at
            guard let r = readName(m, &p), p <= at + length else { return nil }
            return r
        case 15:  // MX: preference(16) exchange
            var p = at + 2
            guard length >= 3, let r = readName(m, &p), p <= at + length else { return nil }
            return r
        case 16:  // TXT: one or more <length, bytes> strings, joined
            var p = at
            let end = at + length
            while p < end {
                let n = Int(m[p])
                guard p + 1 + n <= end else { break }
                text.append(contentsOf: UnsafeRawBufferPointer(rebasing: m[(p + 1)..<(p + 1 + n)]))
                p += 1 + n
            }
        default:
            return nil
        }
        return start..<text.count
    }

    /// Read a possibly compressed name at `pos` into `text`; `pos` moves past the name as
    /// it sits in the message. The root name is written `<root>`, as Suricata writes it.
    func readName(_ m: UnsafeRawBufferPointer, _ pos: inout Int) -> Range<Int>? {
        let start = text.count
        var p = pos
        var jumped = false
        var hops = 0
        var wire = 0
        while true {
            guard p < m.count else { return fail(start) }
            let len = Int(m[p])
            if len & 0xC0 == 0xC0 {
                guard p + 1 < m.count else { return fail(start) }
                if !jumped { pos = p + 2 }
                jumped = true
                hops += 1
                guard hops <= Self.maxPointerHops else {
                    pointerHopsHit = true
                    return fail(start)
                }
                p = Int(be16(m, p) & 0x3FFF)
                continue
            }
            guard len & 0xC0 == 0 else { return fail(start) }  // extended label types
            if len == 0 {
                if !jumped { pos = p + 1 }
                break
            }
            wire += len + 1
            guard wire <= 255, p + 1 + len <= m.count else { return fail(start) }
            if text.count > start { text.append(UInt8(ascii: ".")) }
            text.append(contentsOf: UnsafeRawBufferPointer(rebasing: m[(p + 1)..<(p + 1 + len)]))
            p += 1 + len
        }
        if text.count == start { text.append(contentsOf: "<root>".utf8) }
        return start..<text.count
    }

    private func fail(_ start: Int) -> Range<Int>? {
        text.removeSubrange(start...)
        return nil
    }

    @inline(__always) private func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
        UInt16(b[i]) << 8 | UInt16(b[i + 1])
    }

    /// The mnemonic of an RR type (RFC 1035, 3596 and later registries), or its number.
    public static func typeName(_ t: UInt16) -> String {
        switch t {
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 10: "NULL"
        case 11: "WKS"
        case 12: "PTR"
        case 13: "HINFO"
        case 15: "MX"
        case 16: "TXT"
        case 17: "RP"
        case 18: "AFSDB"
        case 24: "SIG"
        case 25: "KEY"
        case 28: "AAAA"
        case 29: "LOC"
        case 33: "SRV"
        case 35: "NAPTR"
        case 39: "DNAME"
        case 41: "OPT"
        case 43: "DS"
        case 44: "SSHFP"
        case 46: "RRSIG"
        case 47: "NSEC"
        case 48: "DNSKEY"
        case 50: "NSEC3"
        case 51: "NSEC3PARAM"
        case 52: "TLSA"
        case 64: "SVCB"
        case 65: "HTTPS"
        case 99: "SPF"
        case 249: "TKEY"
        case 250: "TSIG"
        case 251: "IXFR"
        case 252: "AXFR"
        case 255: "ANY"
        case 256: "URI"
        case 257: "CAA"
        default: String(t)
        }
    }

    /// The mnemonic of a response code (RFC 1035, 2136, 6895), or its number.
    public static func rcodeName(_ r: Int) -> String {
        switch r {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        default: String(r)
        }
    }
}
