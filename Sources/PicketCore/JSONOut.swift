/// A JSON writer that appends to one reused byte buffer.
///
/// Everything written as a string is escaped: control characters, quotes, backslashes, and
/// byte sequences that are not valid UTF-8 (replaced by U+FFFD), so attacker-controlled input
/// can never break the document or reach a terminal as a control sequence.
/// Commas are tracked per nesting level, so callers only say what to write.
public struct JSONOut {
    public private(set) var bytes: [UInt8] = []
    /// Bit n set: the object or array at depth n already holds a member.
    private var hasMember: UInt64 = 0
    private var depth = 0

    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    /// Forget the content, keep the storage.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        hasMember = 0
        depth = 0
    }

    private mutating func separate() {
        let bit: UInt64 = 1 << UInt64(min(depth, 63))
        if hasMember & bit != 0 { bytes.append(UInt8(ascii: ",")) } else { hasMember |= bit }
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); push() }
    public mutating func endObject() { pop(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); push() }
    public mutating func endArray() { pop(); bytes.append(UInt8(ascii: "]")) }

    private mutating func push() {
        depth += 1
        hasMember &= ~(1 << UInt64(min(depth, 63)))
    }
    private mutating func pop() { depth -= 1 }

    /// Write an object key; the next value call writes its value.
    public mutating func key(_ k: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        // The value that follows must not write a comma of its own.
        hasMember &= ~(1 << UInt64(min(depth, 63)))
        pendingValue = true
    }

    public mutating func key(_ k: String) {
        separate()
        appendEscaped(k)
        bytes.append(UInt8(ascii: ":"))
        hasMember &= ~(1 << UInt64(min(depth, 63)))
        pendingValue = true
    }

    private var pendingValue = false

    /// Called before every value: after a key, the value follows the colon; otherwise it is an
    /// array element or a top-level value and needs a separator.
    private mutating func valuePrefix() {
        if pendingValue {
            pendingValue = false
            hasMember |= 1 << UInt64(min(depth, 63))
        } else {
            separate()
        }
    }

    public mutating func string(_ s: String) { valuePrefix(); appendEscaped(s) }
    public mutating func string(_ s: StaticString) {
        valuePrefix()
        s.withUTF8Buffer { appendEscaped(UnsafeRawBufferPointer($0)) }
    }
    public mutating func string(bytes b: UnsafeRawBufferPointer) { valuePrefix(); appendEscaped(b) }
    /// An IP address as a JSON string (its text needs no escaping), written in place.
    public mutating func ip(_ address: IPAddress) {
        valuePrefix()
        bytes.append(34)
        address.append(to: &bytes)
        bytes.append(34)
    }
    public mutating func int<T: BinaryInteger>(_ v: T) { valuePrefix(); appendDecimal(Int64(v)) }
    public mutating func uint64(_ v: UInt64) {
        valuePrefix()
        if v <= UInt64(Int64.max) { appendDecimal(Int64(v)) } else { bytes.append(contentsOf: String(v).utf8) }
    }
    public mutating func bool(_ v: Bool) {
        valuePrefix()
        let word: StaticString = v ? "true" : "false"
        word.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    public mutating func null() { valuePrefix(); bytes.append(contentsOf: [110, 117, 108, 108]) }
    public mutating func double(_ v: Double) {
        valuePrefix()
        if v.isFinite { bytes.append(contentsOf: "\(v)".utf8) } else { bytes.append(contentsOf: [110, 117, 108, 108]) }
    }
    /// Bytes that are already valid JSON (a value checked by `JSONScanner`).
    public mutating func raw(json b: UnsafeRawBufferPointer) { valuePrefix(); bytes.append(contentsOf: b) }

    /// Append a JSON value from the input (a JSON log line) whose structure was validated but
    /// whose strings may hold bytes that are not UTF-8 or `\uD8xx` escapes that are not a
    /// surrogate pair: those become U+FFFD, so the document stays valid for strict parsers.
    /// What `appendEscaped` escapes (`<`, `>`, `&`, C1 controls, hidden characters) is escaped
    /// the same way. A number too large for a double (`1e400`: valid JSON, but Foundation, Go and
    /// serde_json refuse the whole document) is written as a string of its text. Everything else
    /// is copied as it is. (A backslash only occurs inside strings in valid JSON, so an escaped
    /// quote is stepped over with its backslash.)
    public mutating func rawJSON(repairing b: UnsafeRawBufferPointer) {
        valuePrefix()
        let n = b.count
        var i = 0
        var copied = 0
        var inString = false
        func hex4(_ at: Int) -> UInt32? { JSONText.hex4(b, at: at) }
        while i < n {
            let c = b[i]
            if c == 34 { inString.toggle(); i += 1; continue }
            if !inString && (c == 45 || (c >= 48 && c <= 57)) {
                var j = i + 1
                var exponent = false
                while j < n, Self.isNumberByte(b[j]) { exponent = exponent || b[j] | 0x20 == 101; j += 1 }
                // Without an exponent a double holds any number of up to 308 digits.
                if exponent || j - i > 300, !Self.fitsDouble(UnsafeRawBufferPointer(rebasing: b[i..<j])) {
                    bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<i]))
                    bytes.append(34)
                    bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<j]))
                    bytes.append(34)
                    copied = j
                }
                i = j
                continue
            }
            if c >= 0x80 {
                let len = UTF8Check.sequenceLength(b, at: i)
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<i]))
                if len == 0 {
                    bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    i += 1
                } else if let v = Self.escapedScalar(b, at: i, length: len) {
                    appendUnicodeEscape(v)  // as `appendEscaped` writes it (only strings hold it)
                    i += len
                } else {
                    bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<(i + len)]))
                    i += len
                }
                copied = i
                continue
            }
            if c == 60 || c == 62 || c == 38 {
                // < > &, only inside strings in valid JSON: escaped as `appendEscaped` does.
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<i]))
                appendUnicodeEscape(UInt32(c))
                i += 1
                copied = i
                continue
            }
            guard c == 92, i + 1 < n else { i += 1; continue }
            guard b[i + 1] == 117, let v = hex4(i + 2) else { i += 2; continue }
            if v >= 0xD800 && v <= 0xDBFF, i + 12 <= n, b[i + 6] == 92, b[i + 7] == 117, let w = hex4(i + 8), w >= 0xDC00 && w <= 0xDFFF {
                i += 12
                continue
            }
            if v >= 0xD800 && v <= 0xDFFF {
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<i]))
                bytes.append(contentsOf: Array("\\ufffd".utf8))
                i += 6
                copied = i
                continue
            }
            i += 6
        }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<n]))
    }
    private static func isNumberByte(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || c == 46 || c == 43 || c == 45 || c | 0x20 == 101
    }

    /// Whether a JSON number's value is within a double's range (underflow to 0 is fine: every
    /// reader takes it).
    static func fitsDouble(_ number: UnsafeRawBufferPointer) -> Bool {
        Double(String(decoding: number, as: UTF8.self))?.isFinite ?? false
    }

    /// Base64 of arbitrary bytes, as a string.
    public mutating func base64(_ b: UnsafeRawBufferPointer) {
        valuePrefix()
        bytes.append(UInt8(ascii: "\""))
        Base64.encode(b, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
    /// ISO 8601 UTC with microseconds, in the form Suricata's EVE uses: `2026-11-27T06:32:51.123456+0000`.
    public mutating func timestamp(_ t: Timestamp) {
        valuePrefix()
        bytes.append(UInt8(ascii: "\""))
        t.appendISO8601(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Append bytes as they are (for text output that shares the buffer).
    public mutating func appendRaw(_ b: UnsafeRawBufferPointer) { bytes.append(contentsOf: b) }

    /// End one JSON line.
    public mutating func newline() { bytes.append(10); hasMember = 0; depth = 0; pendingValue = false }

    private mutating func appendDecimal(_ v: Int64) {
        if v == 0 { bytes.append(48); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = v.magnitude
        var i = 20
        withUnsafeMutableBytes(of: &tmp) { t in
            while n > 0 { i -= 1; t[i] = UInt8(truncatingIfNeeded: n % 10) + 48; n /= 10 }
            if v < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[i..<20]))
        }
    }

    private mutating func appendEscaped(_ s: String) {
        var s = s
        s.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0)) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Escape bytes as a JSON string, repairing invalid UTF-8 with U+FFFD.
    ///
    /// Runs of bytes that need nothing (printable ASCII other than `"`, `\`, `<`, `>`, `&`) are
    /// found eight bytes at a time and copied in one append; the rest go byte by byte.
    public mutating func appendEscaped(_ b: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        var i = 0
        let n = b.count
        var run = 0  // start of the plain bytes not yet copied
        while i < n {
            if let base = b.baseAddress, i + 8 <= n {
                let special = Self.specialBytes(base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if special == 0 {
                    i += 8
                    continue
                }
                // The lowest flagged byte is a true one (borrows only run upwards).
                i += special.trailingZeroBitCount >> 3
            } else if Self.isPlain(b[i]) {
                i += 1
                continue
            }
            if run < i { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[run..<i])) }
            i += appendSpecial(b, at: i)
            run = i
        }
        if run < n { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[run..<n])) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Printable ASCII that a JSON string holds as it is.
    @inline(__always)
    private static func isPlain(_ c: UInt8) -> Bool {
        c >= 0x20 && c < 0x7f && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") && c != UInt8(ascii: "<")
            && c != UInt8(ascii: ">") && c != UInt8(ascii: "&")
    }

    /// The high bit of each byte of `x` (little-endian) that is not `isPlain`; bits above the
    /// lowest one may be false positives.
    @inline(__always)
    private static func specialBytes(_ x: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v }
        let below20 = (x &- 0x20 &* ones) & ~x
        let equal = zero(x ^ (0x22 &* ones)) | zero(x ^ (0x5C &* ones)) | zero(x ^ (0x3C &* ones))
            | zero(x ^ (0x3E &* ones)) | zero(x ^ (0x26 &* ones)) | zero(x ^ (0x7F &* ones))
        return (x | below20 | equal) & high
    }

    /// Append the escaped form of the byte (or UTF-8 sequence) at `i`; returns the bytes used.
    private mutating func appendSpecial(_ b: UnsafeRawBufferPointer, at i: Int) -> Int {
        let c = b[i]
        if c >= 0x20 && c < 0x7f {
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(c)
            } else {
                // < > &: escaped so JSON pasted into HTML or a log viewer cannot become markup.
                appendUnicodeEscape(UInt32(c))
            }
            return 1
        }
        if c < 0x80 {
            switch c {
            case 10: bytes.append(contentsOf: [92, 110])
            case 13: bytes.append(contentsOf: [92, 114])
            case 9: bytes.append(contentsOf: [92, 116])
            default: appendUnicodeEscape(UInt32(c))
            }
            return 1
        }
        let len = UTF8Check.sequenceLength(b, at: i)
        if len == 0 {
            bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD
            return 1
        }
        // C1 controls (a terminal acts on U+009B as on ESC [), bidi controls, zero-width
        // characters, and U+2028/U+2029 (which break JavaScript consumers of JSON): escaped,
        // which changes nothing for a JSON reader.
        if let v = Self.escapedScalar(b, at: i, length: len) {
            appendUnicodeEscape(v)
        } else {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<(i + len)]))
        }
        return len
    }

    /// The scalar of the valid UTF-8 sequence at `i` when JSON output escapes it.
    @inline(__always)
    static func escapedScalar(_ b: UnsafeRawBufferPointer, at i: Int, length len: Int) -> UInt32? {
        let c = UInt32(b[i])
        let v: UInt32
        switch len {
        case 2: v = (c & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
        case 3: v = (c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
        default: v = (c & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F)
        }
        return HiddenCharacters.isControl(v) || HiddenCharacters.contains(v) ? v : nil
    }

    /// `\uXXXX` (a surrogate pair above U+FFFF).
    private mutating func appendUnicodeEscape(_ v: UInt32) {
        if v > 0xFFFF {
            let u = v - 0x10000
            appendUnicodeEscape(0xD800 + (u >> 10))
            appendUnicodeEscape(0xDC00 + (u & 0x3FF))
            return
        }
        let hex = Self.hex
        bytes.append(92); bytes.append(117)
        bytes.append(hex[Int(v >> 12 & 15)]); bytes.append(hex[Int(v >> 8 & 15)])
        bytes.append(hex[Int(v >> 4 & 15)]); bytes.append(hex[Int(v & 15)])
    }
}

public enum UTF8Check {
    /// The length of the valid UTF-8 sequence starting at `i`, or 0 if it is not valid
    /// (overlong forms, surrogates and code points above U+10FFFF are invalid).
    @inline(__always)
    public static func sequenceLength(_ b: UnsafeRawBufferPointer, at i: Int) -> Int {
        let c0 = b[i]
        let n = b.count
        if c0 < 0x80 { return 1 }
        if c0 >= 0xC2 && c0 <= 0xDF {
            return i + 1 < n && b[i + 1] & 0xC0 == 0x80 ? 2 : 0
        }
        if c0 >= 0xE0 && c0 <= 0xEF {
            guard i + 2 < n else { return 0 }
            let c1 = b[i + 1], c2 = b[i + 2]
            guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80 else { return 0 }
            if c0 == 0xE0 && c1 < 0xA0 { return 0 }
            if c0 == 0xED && c1 >= 0xA0 { return 0 }
            return 3
        }
        if c0 >= 0xF0 && c0 <= 0xF4 {
            guard i + 3 < n else { return 0 }
            let c1 = b[i + 1], c2 = b[i + 2], c3 = b[i + 3]
            guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80, c3 & 0xC0 == 0x80 else { return 0 }
            if c0 == 0xF0 && c1 < 0x90 { return 0 }
            if c0 == 0xF4 && c1 >= 0x90 { return 0 }
            return 4
        }
        return 0
    }
}

public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Append the standard (padded) Base64 of `b` to `out`, written in place.
    public static func encode(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = b.count
        guard n > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: (n + 2) / 3 * 4))
        alphabet.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                var i = 0
                var j = start
                while i + 3 <= n {
                    let v = Int(b[i]) << 16 | Int(b[i + 1]) << 8 | Int(b[i + 2])
                    o[j] = a[v >> 18 & 63]; o[j + 1] = a[v >> 12 & 63]
                    o[j + 2] = a[v >> 6 & 63]; o[j + 3] = a[v & 63]
                    i += 3
                    j += 4
                }
                let rest = n - i
                guard rest > 0 else { return }
                let v = Int(b[i]) << 16 | (rest == 2 ? Int(b[i + 1]) << 8 : 0)
                o[j] = a[v >> 18 & 63]; o[j + 1] = a[v >> 12 & 63]
                o[j + 2] = rest == 2 ? a[v >> 6 & 63] : 61
                o[j + 3] = 61
            }
        }
    }
}

extension Timestamp {
    /// Append `YYYY-MM-DDTHH:MM:SS.ffffff+0000`.
    public func appendISO8601(to out: inout [UInt8]) {
        var secs = nanoseconds / 1_000_000_000
        var frac = nanoseconds % 1_000_000_000
        if frac < 0 { frac += 1_000_000_000; secs -= 1 }
        var days = secs / 86400
        var sod = secs % 86400
        if sod < 0 { sod += 86400; days -= 1 }
        let (y, m, d) = Civil.date(days: days)
        func two(_ v: Int64) { out.append(UInt8(v / 10) + 48); out.append(UInt8(v % 10) + 48) }
        let yy = max(0, min(9999, y))
        out.append(UInt8(yy / 1000) + 48); out.append(UInt8(yy / 100 % 10) + 48)
        two(yy % 100)
        out.append(UInt8(ascii: "-")); two(m); out.append(UInt8(ascii: "-")); two(d)
        out.append(UInt8(ascii: "T")); two(sod / 3600); out.append(UInt8(ascii: ":"))
        two(sod / 60 % 60); out.append(UInt8(ascii: ":")); two(sod % 60)
        out.append(UInt8(ascii: "."))
        let us = frac / 1000
        var div: Int64 = 100_000
        while div > 0 { out.append(UInt8(us / div % 10) + 48); div /= 10 }
        out.append(contentsOf: [43, 48, 48, 48, 48])  // "+0000"
    }

    public var iso8601: String {
        var b: [UInt8] = []
        appendISO8601(to: &b)
        return String(decoding: b, as: UTF8.self)
    }
}
