#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON string escapes, decoded. A JSON log line's field values are its strings unescaped:
/// `"\u0045VIL"` is `EVIL` and PHP writes `http:\/\/host\/x` for `http://host/x`, so matching
/// must see the decoded text, not the bytes of the line.
public enum JSONText {
    /// Whether `b` holds a backslash (in valid JSON: an escape inside a string).
    @inline(__always)
    public static func hasEscape(_ b: UnsafeRawBufferPointer) -> Bool {
        guard let base = b.baseAddress, !b.isEmpty else { return false }
        return memchr(base, 92, b.count) != nil
    }

    /// Append `b` to `out` with every escape decoded. `b` is a string's content or a whole
    /// valid JSON text (backslashes occur only inside strings, so one pass serves both: each
    /// string's decoded text lies contiguous in the result). A `\uD8xx` without its pair
    /// becomes U+FFFD; a backslash that starts no escape is kept.
    public static func unescape(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = b.count
        var i = 0
        var copied = 0
        while i < n {
            guard b[i] == 92 else { i += 1; continue }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<i]))
            var used = 2
            switch i + 1 < n ? b[i + 1] : 0 {
            case 34, 92, 47: out.append(b[i + 1])
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                guard let v = hex4(b, at: i + 2) else { out.append(92); used = 1; break }
                used = 6
                var scalar = v
                if v >= 0xD800 && v <= 0xDBFF, i + 12 <= n, b[i + 6] == 92, b[i + 7] == 117,
                   let w = hex4(b, at: i + 8), w >= 0xDC00 && w <= 0xDFFF {
                    scalar = 0x10000 + ((v - 0xD800) << 10) + (w - 0xDC00)
                    used = 12
                } else if v >= 0xD800 && v <= 0xDFFF {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default:
                out.append(92)
                used = 1
            }
            i += used
            copied = i
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<n]))
    }

    /// `b` unescaped, as a string (invalid UTF-8 repaired).
    public static func unescaped(_ b: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        unescape(b, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The four hex digits at `at` as a number, or nil.
    public static func hex4(_ b: UnsafeRawBufferPointer, at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            let c = b[k] | 0x20
            if c >= 48 && c <= 57 {
                v = v << 4 | UInt32(c - 48)
            } else if c >= 97 && c <= 102 {
                v = v << 4 | UInt32(c - 87)
            } else {
                return nil
            }
        }
        return v
    }

    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
