
/// Parsers for the times log lines carry. Each takes the bytes at a position and returns the
/// time and the number of bytes it used, or nil; none allocates.
public enum TimeParsing {
    @inline(__always) public static func digit(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int64? {
        guard i < b.count else { return nil }
        let c = b[i]
        return c >= 48 && c <= 57 ? Int64(c - 48) : nil
    }

    @inline(__always) static func number(_ b: UnsafeRawBufferPointer, _ i: Int, _ n: Int) -> Int64? {
        var v: Int64 = 0
        for k in 0..<n {
            guard let d = digit(b, i + k) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// ISO 8601 / RFC 3339: `2026-11-27T06:32:51`, optional `.fraction`, optional `Z`, `±HH:MM`
    /// or `±HHMM`; a space may stand for the `T`. Without a zone the time is taken as UTC.
    public static func iso8601(_ b: UnsafeRawBufferPointer, at s: Int = 0) -> (Timestamp, Int)? {
        guard let y = number(b, s, 4), s + 4 < b.count, b[s + 4] == 45,
              let mo = number(b, s + 5, 2), s + 7 < b.count, b[s + 7] == 45,
              let d = number(b, s + 8, 2), s + 10 < b.count, b[s + 10] == 84 || b[s + 10] == 32 || b[s + 10] == 116,
              let h = number(b, s + 11, 2), s + 13 < b.count, b[s + 13] == 58,
              let mi = number(b, s + 14, 2), s + 16 < b.count, b[s + 16] == 58,
              let se = number(b, s + 17, 2)
        else { return nil }
        guard mo >= 1, mo <= 12, d >= 1, d <= Civil.daysIn(month: mo, year: y), h <= 23, mi <= 59, se <= 60 else { return nil }
        var i = s + 19
        var nanos: Int64 = 0
        if i < b.count && (b[i] == 46 || b[i] == 44) {
            i += 1
            var scale: Int64 = 100_000_000
            let fracStart = i
            while let dg = digit(b, i) {
                nanos += dg * scale
                scale /= 10
                i += 1
            }
            if i == fracStart { return nil }
        }
        var zone: Int64 = 0
        if i < b.count {
            let c = b[i]
            if c == 90 || c == 122 {
                i += 1
            } else if c == 43 || c == 45, let zh = number(b, i + 1, 2) {
                var j = i + 3
                if j < b.count && b[j] == 58 { j += 1 }
                if let zm = number(b, j, 2), zh <= 23, zm <= 59 {
                    zone = (zh * 60 + zm) * 60 * (c == 45 ? -1 : 1)
                    i = j + 2
                }
            }
        }
        let secs = Civil.days(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + se - zone
        return (Timestamp(seconds: secs, nanos: nanos), i - s)
    }

    /// Unix epoch seconds (10 digits, optional fraction) or milliseconds (13 digits), followed by
    /// a non-digit or the end. Only times from 2001 on are taken, so a number is not mistaken for one.
    /// With `delimited`, the time must end at a space, tab, comma, colon, `]` or the end of the
    /// line (log text); without it, any non-digit may follow (an NMEA sentence's `!` or `$`).
    public static func epoch(_ b: UnsafeRawBufferPointer, at s: Int = 0, delimited: Bool = true) -> (Timestamp, Int)? {
        var i = s
        var v: Int64 = 0
        while let d = digit(b, i), i - s < 14 { v = v * 10 + d; i += 1 }
        let n = i - s
        guard n == 10 || n == 13 else { return nil }
        if i < b.count, digit(b, i) != nil { return nil }
        if n == 13 {
            guard !delimited || i >= b.count || b[i] == 32 || b[i] == 9 || b[i] == 44 else { return nil }
            // From 2001 on, as for seconds; and 13 digits of milliseconds can pass the year 2262,
            // past which nanoseconds overflow Int64 (`9999999999999 …` trapped).
            guard v >= 978_307_200_000, v <= Int64.max / 1_000_000 else { return nil }
            return (Timestamp(nanoseconds: v * 1_000_000), n)
        }
        var nanos: Int64 = 0
        if i < b.count && b[i] == 46 {
            var j = i + 1
            var scale: Int64 = 100_000_000
            while let d = digit(b, j) { nanos += d * scale; scale /= 10; j += 1 }
            if j > i + 1 { i = j }
        }
        guard !delimited || i >= b.count || b[i] == 32 || b[i] == 9 || b[i] == 44 || b[i] == 58 || b[i] == 93 else { return nil }
        guard v >= 978_307_200 else { return nil }  // 2001-01-01
        return (Timestamp(seconds: v, nanos: nanos), i - s)
    }

    private static let months: [(UInt8, UInt8, UInt8)] = [
        (74, 97, 110), (70, 101, 98), (77, 97, 114), (65, 112, 114), (77, 97, 121), (74, 117, 110),
        (74, 117, 108), (65, 117, 103), (83, 101, 112), (79, 99, 116), (78, 111, 118), (68, 101, 99),
    ]

    /// BSD syslog time `Mmm dd hh:mm:ss` (day space-padded). It has no year: the year is the one
    /// that puts the time closest before `reference` (a log is read after it was written).
    public static func bsd(_ b: UnsafeRawBufferPointer, at s: Int = 0, reference: Timestamp) -> (Timestamp, Int)? {
        guard s + 15 <= b.count else { return nil }
        var month: Int64 = 0
        for (k, m) in months.enumerated() where b[s] == m.0 && b[s + 1] == m.1 && b[s + 2] == m.2 {
            month = Int64(k + 1)
        }
        guard month > 0, b[s + 3] == 32 else { return nil }
        let dayTens: Int64 = b[s + 4] == 32 ? 0 : (digit(b, s + 4) ?? -100)
        guard let dayOnes = digit(b, s + 5), dayTens >= 0, b[s + 6] == 32,
              let h = number(b, s + 7, 2), b[s + 9] == 58, let mi = number(b, s + 10, 2), b[s + 12] == 58,
              let se = number(b, s + 13, 2)
        else { return nil }
        let day = dayTens * 10 + dayOnes
        guard day >= 1, day <= 31, h <= 23, mi <= 59, se <= 60 else { return nil }
        let refSecs = reference.nanoseconds / 1_000_000_000
        var (year, _, _) = Civil.date(days: refSecs / 86400)
        func secs(_ y: Int64) -> Int64 { Civil.days(year: y, month: month, day: day) * 86400 + h * 3600 + mi * 60 + se }
        // A time more than a day ahead of now belongs to last year (December logs read in January).
        if secs(year) > refSecs + 86400 { year -= 1 }
        return (Timestamp(seconds: secs(year), nanos: 0), 15)
    }
}
