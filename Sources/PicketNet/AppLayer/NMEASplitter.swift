import PicketCore

/// Finds NMEA 0183 sentences in packet data and hands each to a `SentenceConsumer`.
///
/// ```
/// plain:          $GPGGA,...*hh<CR><LF>   !AIVDM,...*hh<CR><LF>   \s:src,c:time*hh\!AIVDM,...
/// IEC 61162-450:  "UdPbC" NUL, then tag-blocked sentences, each ending in CR LF
/// ```
/// Lines are split at LF (a CR before it is dropped); lines that do not start with `$`, `!`
/// or `\` (a tag block) are ignored. Decoding the sentences is the NMEA decoder's work.
public enum NMEASplitter {
    /// Longest sentence line kept (`nmea_line` cap): NMEA says 82 bytes, tag blocks add more.
    public static let maxLine = 1024
    static let header450: [UInt8] = Array("UdPbC".utf8) + [0]

    /// Whether data starts like NMEA: a sentence, a tag block, or an IEC 61162-450 header.
    public static func looksLikeNMEA(_ b: UnsafeRawBufferPointer) -> Bool {
        guard let c = b.first else { return false }
        if c == UInt8(ascii: "$") || c == UInt8(ascii: "!") { return b.count >= 2 && isUpperAlnum(b[1]) }
        if c == UInt8(ascii: "\\") { return b.count >= 3 && b[2] == UInt8(ascii: ":") }
        return is450(b)
    }

    static func is450(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count >= 6 else { return false }
        for i in 0..<6 where b[i] != header450[i] { return false }
        return true
    }

    static func isUpperAlnum(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 48 && c <= 57) }

    /// Split `b` into lines and call `body` for each sentence line. Returns the bytes used:
    /// all of them when `final`, else up to the last line end (the rest is an unfinished line).
    /// A line longer than `maxLine` is skipped; `tooLong` counts them.
    static func split(_ b: UnsafeRawBufferPointer, final: Bool, tooLong: inout Int,
                      _ body: (UnsafeRawBufferPointer) -> Bool) -> Int {
        var start = is450(b) ? 6 : 0
        var i = start
        let n = b.count
        while i < n {
            if b[i] == 10 {
                if !line(b, start, i, &tooLong, body) { return n }
                start = i + 1
            }
            i += 1
        }
        if final || n - start > maxLine {
            if start < n { _ = line(b, start, n, &tooLong, body) }
            return n
        }
        return start
    }

    private static func line(_ b: UnsafeRawBufferPointer, _ s: Int, _ e0: Int, _ tooLong: inout Int,
                             _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var e = e0
        if e > s && b[e - 1] == 13 { e -= 1 }
        guard e > s else { return true }
        guard e - s <= maxLine else { tooLong += 1; return true }
        let c = b[s]
        guard c == UInt8(ascii: "$") || c == UInt8(ascii: "!") || c == UInt8(ascii: "\\") else { return true }
        return body(UnsafeRawBufferPointer(rebasing: b[s..<e]))
    }
}
