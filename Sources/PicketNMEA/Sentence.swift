import PicketCore

/// What is wrong with an NMEA line; each becomes the named decoder event `decoder_event`
/// (as Suricata names its decoder events) and the line is counted under `lines.malformed`.
public enum NMEAProblem: UInt8, Sendable {
    case missingChecksum, badChecksum, badChecksumField
    case tagBlockUnterminated, tagBlockMissingChecksum, tagBlockBadChecksum
    case noSentence, trailingData, invalidCharacter, tooManyFields, badAddress, truncated
    // AIS (IEC 61162-1 VDM/VDO and ITU-R M.1371 payloads).
    case aisBadFragmentHeader, aisFragmentOutOfOrder, aisBadPayloadCharacter, aisBadFillBits
    case aisPayloadTooLong, aisEmptyPayload, aisUnknownType, aisTooShort

    public var name: String {
        switch self {
        case .missingChecksum: "decoder.nmea.missing_checksum"
        case .badChecksum: "decoder.nmea.bad_checksum"
        case .badChecksumField: "decoder.nmea.bad_checksum_field"
        case .tagBlockUnterminated: "decoder.nmea.tagblock_unterminated"
        case .tagBlockMissingChecksum: "decoder.nmea.tagblock_missing_checksum"
        case .tagBlockBadChecksum: "decoder.nmea.tagblock_bad_checksum"
        case .noSentence: "decoder.nmea.no_sentence"
        case .trailingData: "decoder.nmea.trailing_data"
        case .invalidCharacter: "decoder.nmea.invalid_character"
        case .tooManyFields: "decoder.nmea.too_many_fields"
        case .badAddress: "decoder.nmea.bad_address"
        case .truncated: "decoder.nmea.truncated"
        case .aisBadFragmentHeader: "decoder.ais.bad_fragment_header"
        case .aisFragmentOutOfOrder: "decoder.ais.fragment_out_of_order"
        case .aisBadPayloadCharacter: "decoder.ais.bad_payload_character"
        case .aisBadFillBits: "decoder.ais.bad_fill_bits"
        case .aisPayloadTooLong: "decoder.ais.payload_too_long"
        case .aisEmptyPayload: "decoder.ais.empty_payload"
        case .aisUnknownType: "decoder.ais.unknown_type"
        case .aisTooShort: "decoder.ais.too_short"
        }
    }

    /// Why, for people (`decoder_detail`).
    public var detail: String {
        switch self {
        case .missingChecksum: "the sentence has no *hh checksum"
        case .badChecksum: "the *hh checksum does not match the sentence"
        case .badChecksumField: "the checksum is not two hex digits"
        case .tagBlockUnterminated: "the tag block has no closing backslash"
        case .tagBlockMissingChecksum: "the tag block has no *hh checksum"
        case .tagBlockBadChecksum: "the tag block's *hh checksum does not match"
        case .noSentence: "a tag block or time with no sentence after it"
        case .trailingData: "data after the checksum that is not receiver metadata"
        case .invalidCharacter: "a control or non-ASCII byte inside the sentence"
        case .tooManyFields: "more fields than the nmea_fields cap"
        case .badAddress: "the address field is not a talker and sentence formatter"
        case .truncated: "the sentence is cut off by the start of another one"
        case .aisBadFragmentHeader: "fragment count, number or fill bits out of range"
        case .aisFragmentOutOfOrder: "a fragment whose earlier fragments were not seen"
        case .aisBadPayloadCharacter: "a payload character outside the 6-bit armouring alphabet"
        case .aisBadFillBits: "fill bits on a fragment that is not the last"
        case .aisPayloadTooLong: "the assembled payload is longer than the ais_fragments cap"
        case .aisEmptyPayload: "an empty AIS payload"
        case .aisUnknownType: "an AIS message type outside 1...27"
        case .aisTooShort: "the payload is too short for its message type"
        }
    }
}

/// Field offsets of one sentence, in one reused table (no allocation per line).
///
/// Field 0 is the address (`GPGGA`, `AIVDM`); fields 1... follow the commas, up to the `*`.
public struct FieldTable {
    /// The most fields kept for one sentence (the `nmea_fields` cap).
    public static let maxFields = 128
    var starts: [Int32]
    var ends: [Int32]
    public internal(set) var count = 0

    init() {
        starts = [Int32](repeating: 0, count: Self.maxFields)
        ends = [Int32](repeating: 0, count: Self.maxFields)
    }

    /// The byte range of field `i`, empty when the sentence has fewer fields.
    @inline(__always) public subscript(i: Int) -> Range<Int> {
        guard i >= 0 && i < count else { return 0..<0 }
        return Int(starts[i])..<Int(ends[i])
    }

    @inline(__always) public func isEmpty(_ i: Int) -> Bool { self[i].isEmpty }
}

/// The parts of one NMEA 0183 line, as offsets into its bytes.
///
/// ```
///  [leading time] [\tag block*hh\]... $ttfff,f1,f2,...,fn*hh [,NAIS receiver metadata]
///  2021-02-01T15:07:41Z             $GPGGA,120658,...*4C
///  \s:rORBCOMM008,c:1418169601,g:1-2-1604*37\!AIVDM,2,1,6,A,53@o0E...,0*63
///  !AIVDM,1,1,,A,403Ovl@000Htt<tSF0l4Q@100`Pq,0*28,d-109,S2105,t050056.00,T56.13,r003669946,1325394060
/// ```
/// - The sentence starts with `$` (parametric) or `!` (encapsulation, AIS), then the address
///   field: a two-character talker and a sentence formatter (`P` and a manufacturer for
///   proprietary sentences), then comma-separated fields.
/// - `*hh` is the checksum: the exclusive OR of every byte between the start character and the
///   `*`, as two hex digits. It is required (IEC 61162-1 makes it mandatory for every sentence).
/// - A tag block (NMEA 4.10 / IEC 61162-1 clause 7.9) is `\` parameter list `*hh\` with
///   parameters `c:` UNIX time, `s:` source, `g:` sentence-group (`n-total-id`), `n:` line count,
///   `d:` destination, `r:` relative time, `t:` text. Its own checksum is required too.
/// - After the checksum, USCG NAIS receivers append `,`-separated metadata (`d-109` signal
///   strength, `S2105` slot, `t050056.00`, `T56.13`, `r003669946` receiving station, and a UNIX
///   receive time): tolerated, and its station and time used.
public struct SentenceFrame {
    public var problem: NMEAProblem?
    /// Index of `$` or `!`, or -1 when the line has none.
    public var start = -1
    /// Index of the `*` (or of the end of the sentence when the checksum is missing).
    public var end = 0
    /// Talker (`GP`, `AI`; `P` for proprietary) and sentence formatter (`GGA`, `VDM`).
    public var talker = 0..<0
    public var formatter = 0..<0
    public var fields = FieldTable()
    /// Time found before the sentence (ISO 8601 or UNIX epoch), the receive time.
    public var leadingTime: Timestamp?
    /// Tag block `c:`.
    public var tagTime: Timestamp?
    /// Tag block `s:` (source/station), or the NAIS `r…`/`b…` station.
    public var source: Range<Int>?
    /// `source` came from a tag block (not a NAIS trailer, which may be on some fragments only).
    public var sourceFromTagBlock = false
    /// Tag block `g:` sentence grouping: number in group, group size, group id.
    public var groupNumber = 0
    public var groupSize = 0
    public var groupID = -1
    public var groupRange: Range<Int>?
    /// Tag block `n:` line count.
    public var lineCount = -1
    /// Tag block `t:` text.
    public var tagText: Range<Int>?
    /// The NAIS trailer's UNIX receive time.
    public var trailerTime: Timestamp?
    /// Where another sentence starts on the same line (a lost line break), or -1.
    public var next = -1

    public init() {}

    mutating func reset() {
        problem = nil; start = -1; end = 0; talker = 0..<0; formatter = 0..<0; fields.count = 0
        leadingTime = nil; tagTime = nil; source = nil; sourceFromTagBlock = false; groupNumber = 0; groupSize = 0; groupID = -1; groupRange = nil
        lineCount = -1; tagText = nil; trailerTime = nil; next = -1
    }

    /// The receive time this line carries: tag block `c:`, else a leading time, else the NAIS time.
    public var recordTime: Timestamp? { tagTime ?? leadingTime ?? trailerTime }
}

/// Splits lines into `SentenceFrame`s in place.
public enum SentenceParser {
    /// Whether a line is NMEA: after optional blanks and an optional leading time and separator,
    /// `$` or `!` and a capital letter (or capitals and digits up to a comma, `*` or the end), or a tag block `\` and a
    /// parameter code and colon (`\s:`, `\c:`). So `$ ls` or `\\server\share` in a text log
    /// stay text. Cheap enough to call on every log line.
    public static func looksLikeNMEA(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < b.count && (b[i] == 32 || b[i] == 9) { i += 1 }
        guard i < b.count else { return false }
        if startsSentence(b, i) { return true }
        let first = b[i]
        guard (first >= 48 && first <= 57) || first == 91 else { return false }
        guard let (_, n) = leadingTime(UnsafeRawBufferPointer(rebasing: b[i...])) else { return false }
        return startsSentence(b, i + n)
    }

    @inline(__always) static func startsSentence(_ b: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        guard i + 1 < b.count else { return false }
        let c = b[i], d = b[i + 1]
        if c == 36 || c == 33 {
            // A talker's first letter, or (a corrupted address) capitals and digits up to a
            // comma, a '*' or the end.
            if d >= 65 && d <= 90 { return true }
            var j = i + 1
            while j < b.count && j - i <= 16 && ((b[j] >= 65 && b[j] <= 90) || (b[j] >= 48 && b[j] <= 57)) { j += 1 }
            return j > i + 1 && (j == b.count || b[j] == 44 || b[j] == 42)
        }
        if c == 92 { return i + 2 < b.count && ((d >= 97 && d <= 122) || (d >= 65 && d <= 90)) && b[i + 2] == 58 }
        return false
    }

    /// Parse one line (or one sentence from a packet). Sets `f.problem` when it is malformed; the
    /// address and fields are filled as far as they could be read.
    public static func parse(_ b: UnsafeRawBufferPointer, into f: inout SentenceFrame) {
        f.reset()
        var i = 0
        while i < b.count && (b[i] == 32 || b[i] == 9) { i += 1 }  // leading blanks
        if i < b.count, b[i] != 36 && b[i] != 33 && b[i] != 92 {
            if let (t, n) = leadingTime(UnsafeRawBufferPointer(rebasing: b[i...])) {
                f.leadingTime = t
                i += n
            }
        }
        // Tag blocks.
        var blocks = 0
        while i < b.count && b[i] == 92 {
            blocks += 1
            guard blocks <= 4 else { f.problem = .noSentence; return }
            var close = i + 1
            while close < b.count && b[close] != 92 { close += 1 }
            guard close < b.count else { f.problem = .tagBlockUnterminated; return }
            if let p = parseTagBlock(b, i + 1, close, &f) { f.problem = p; return }
            i = close + 1
        }
        guard i < b.count, b[i] == 36 || b[i] == 33 else {
            f.problem = .noSentence
            return
        }
        f.start = i
        // The body up to '*': checksum, character check and field split in one pass.
        var sum: UInt8 = 0
        var j = i + 1
        var fieldStart = j
        var count = 0
        var tooMany = false
        var badChar = false
        while j < b.count {
            let c = b[j]
            if c == 42 { break }  // '*'
            if c < 0x20 || c > 0x7e { badChar = true }
            // A start character inside a sentence: this one was cut off and another begins.
            if c == 36 || c == 33 { f.next = j; break }
            sum ^= c
            if c == 44 {
                if count < FieldTable.maxFields {
                    f.fields.starts[count] = Int32(fieldStart)
                    f.fields.ends[count] = Int32(j)
                    count += 1
                } else { tooMany = true }
                fieldStart = j + 1
            }
            j += 1
        }
        var bodyEnd = j
        if j >= b.count || f.next >= 0 {
            // No '*': the sentence runs to the end of the line, less trailing blanks.
            while bodyEnd > fieldStart && (b[bodyEnd - 1] == 32 || b[bodyEnd - 1] == 9) { bodyEnd -= 1 }
        }
        if count < FieldTable.maxFields {
            f.fields.starts[count] = Int32(fieldStart)
            f.fields.ends[count] = Int32(max(fieldStart, bodyEnd))
            count += 1
        } else { tooMany = true }
        f.fields.count = count
        f.end = bodyEnd
        splitAddress(b, &f)
        if tooMany { f.problem = .tooManyFields; return }
        if f.next >= 0 { f.problem = .truncated; return }
        guard j < b.count else { f.problem = .missingChecksum; return }
        guard let h = hexByte(b, j + 1) else { f.problem = .badChecksumField; return }
        if h != sum { f.problem = .badChecksum; return }
        if badChar { f.problem = .invalidCharacter; return }
        if f.talker.isEmpty { f.problem = .badAddress; return }
        // What follows the checksum: nothing, blanks, NAIS metadata, or (a lost line break) the
        // next sentence or tag block.
        var k = j + 3
        while k < b.count && (b[k] == 32 || b[k] == 9 || b[k] == 13) { k += 1 }
        if k < b.count {
            if b[k] == 36 || b[k] == 33 || b[k] == 92 {
                f.next = k
            } else {
                guard b[k] == 44 else { f.problem = .trailingData; return }
                parseTrailer(b, k, &f)
            }
        }
    }

    /// Address field: talker (2 characters, or `P` for proprietary) and formatter.
    static func splitAddress(_ b: UnsafeRawBufferPointer, _ f: inout SentenceFrame) {
        let a = f.fields[0]
        guard a.count >= 2 else { return }
        for k in a where !(b[k] >= 65 && b[k] <= 90) && !(b[k] >= 48 && b[k] <= 57) { return }
        if b[a.lowerBound] == 80 {  // 'P': proprietary, the rest names the manufacturer
            f.talker = a.lowerBound..<(a.lowerBound + 1)
            f.formatter = (a.lowerBound + 1)..<a.upperBound
        } else if a.count >= 3 {
            f.talker = a.lowerBound..<(a.lowerBound + 2)
            f.formatter = (a.lowerBound + 2)..<a.upperBound
        }
    }

    /// `\c:1418169601,s:rORBCOMM008,g:1-2-1604*37\` between `s` and `e` (exclusive of the
    /// backslashes). Unknown parameters are ignored.
    static func parseTagBlock(_ b: UnsafeRawBufferPointer, _ s: Int, _ e: Int, _ f: inout SentenceFrame) -> NMEAProblem? {
        var star = -1
        var sum: UInt8 = 0
        for k in s..<e {
            if b[k] == 42 { star = k; break }
            sum ^= b[k]
        }
        guard star >= 0 else { return .tagBlockMissingChecksum }
        guard star + 3 == e, let h = hexByte(b, star + 1) else { return .tagBlockBadChecksum }
        guard h == sum else { return .tagBlockBadChecksum }
        var p = s
        while p < star {
            var q = p
            while q < star && b[q] != 44 { q += 1 }
            if q - p >= 2 && b[p + 1] == 58 {
                let v = (p + 2)..<q
                switch b[p] {
                case 99:  // c: UNIX time (seconds; milliseconds when it is too large for seconds)
                    if let n = parseInt(b, v), n >= 0 {
                        f.tagTime = n > 100_000_000_000 ? Timestamp(nanoseconds: n &* 1_000_000)
                                                        : Timestamp(seconds: n, nanos: 0)
                    }
                case 115: f.source = v; f.sourceFromTagBlock = true  // s:
                case 116: f.tagText = v  // t:
                case 110: f.lineCount = parseInt(b, v).map { Int($0) } ?? -1  // n:
                case 103:  // g: n-total-id
                    var parts = (0, 0, 0)
                    var idx = 0
                    var cur: Int64 = 0
                    var digits = 0
                    var ok = true
                    for k in v {
                        let c = b[k]
                        if c >= 48 && c <= 57 {
                            cur = min(cur * 10 + Int64(c - 48), 1 << 40); digits += 1
                        } else if c == 45 && idx < 2 && digits > 0 {
                            if idx == 0 { parts.0 = Int(cur) } else { parts.1 = Int(cur) }
                            idx += 1; cur = 0; digits = 0
                        } else { ok = false }
                    }
                    if ok && idx == 2 && digits > 0 {
                        parts.2 = Int(cur)
                        f.groupNumber = parts.0; f.groupSize = parts.1; f.groupID = parts.2
                        f.groupRange = v
                    }
                default: break
                }
            }
            p = q + 1
        }
        return nil
    }

    /// NAIS metadata after the checksum: `,d-109,S2105,t050056.00,T56.13,r003669946,1325394060,…`.
    static func parseTrailer(_ b: UnsafeRawBufferPointer, _ s: Int, _ f: inout SentenceFrame) {
        var p = s + 1
        while p <= b.count {
            var q = p
            while q < b.count && b[q] != 44 { q += 1 }
            let r = p..<q
            if r.count >= 2, (b[p] == 114 || b[p] == 98), f.source == nil {  // r… / b… station
                f.source = r
            } else if r.count == 10, f.trailerTime == nil, let n = parseInt(b, r), n > 0 {
                f.trailerTime = Timestamp(seconds: n, nanos: 0)
            }
            p = q + 1
        }
    }

    // MARK: leading times

    /// A time at the start of a line and the separator after it: ISO 8601 (`2026-11-27T06:32:51Z`,
    /// `.fraction`, `Z`/`±hh:mm`, a space for the `T`, optionally in `[…]`) or UNIX epoch seconds
    /// (10 digits, optional fraction) or milliseconds (13 digits). Returns the time and where the
    /// sentence starts.
    public static func leadingTime(_ b: UnsafeRawBufferPointer) -> (Timestamp, Int)? {
        var i = 0
        let bracket = b.first == 91
        if bracket { i = 1 }
        var t: Timestamp?
        if let (ts, n) = iso8601(b, i) {
            t = ts; i += n
        } else if let (ts, n) = epoch(b, i) {
            t = ts; i += n
        }
        guard let time = t else { return nil }
        if bracket {
            guard i < b.count, b[i] == 93 else { return nil }
            i += 1
        }
        let sepStart = i
        while i < b.count, b[i] == 32 || b[i] == 9 || b[i] == 44 || b[i] == 59 || b[i] == 58 { i += 1 }
        guard i > sepStart || bracket else { return nil }
        return (time, i)
    }

    @inline(__always) static func digits(_ b: UnsafeRawBufferPointer, _ i: Int, _ n: Int) -> Int64? {
        guard i >= 0, i + n <= b.count else { return nil }
        var v: Int64 = 0
        for k in i..<(i + n) {
            let c = b[k]
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int64(c - 48)
        }
        return v
    }

    /// Leading times on log lines: the same parsers as other log lines (PicketCore).
    static func iso8601(_ b: UnsafeRawBufferPointer, _ s: Int) -> (Timestamp, Int)? { TimeParsing.iso8601(b, at: s) }

    static func epoch(_ b: UnsafeRawBufferPointer, _ s: Int) -> (Timestamp, Int)? { TimeParsing.epoch(b, at: s, delimited: false) }
}

// MARK: numbers in fields

@inline(__always) func hexDigit(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 65...70: c - 55
    case 97...102: c - 87
    default: nil
    }
}

@inline(__always) func hexByte(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt8? {
    guard i + 1 < b.count, let h = hexDigit(b[i]), let l = hexDigit(b[i + 1]) else { return nil }
    return h << 4 | l
}

/// A signed decimal integer filling the whole range; nil when empty or not a number.
func parseInt(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int64? {
    guard !r.isEmpty else { return nil }
    var i = r.lowerBound
    var neg = false
    if b[i] == 45 || b[i] == 43 { neg = b[i] == 45; i += 1 }
    guard i < r.upperBound, r.upperBound - i <= 18 else { return nil }
    var v: Int64 = 0
    while i < r.upperBound {
        let c = b[i]
        guard c >= 48 && c <= 57 else { return nil }
        v = v * 10 + Int64(c - 48)
        i += 1
    }
    return neg ? -v : v
}

private let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18]

/// A decimal number (`-12.345`, `.5`, `7.`) filling the whole range; nil when empty or not a number.
func parseDecimal(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Double? {
    guard !r.isEmpty else { return nil }
    var i = r.lowerBound
    var neg = false
    if b[i] == 45 || b[i] == 43 { neg = b[i] == 45; i += 1 }
    var mantissa: Int64 = 0
    var digits = 0
    var fraction = 0
    var seenPoint = false
    while i < r.upperBound {
        let c = b[i]
        if c == 46 && !seenPoint {
            seenPoint = true
        } else if c >= 48 && c <= 57 {
            if digits < 18 {
                mantissa = mantissa * 10 + Int64(c - 48)
                digits += 1
                if seenPoint { fraction += 1 }
            } else if !seenPoint {
                return nil
            }
        } else {
            return nil
        }
        i += 1
    }
    guard digits > 0 else { return nil }
    let v = Double(mantissa) / powersOfTen[fraction]
    return neg ? -v : v
}

/// `ddmm.mmmm` (latitude, 2 degree digits) or `dddmm.mmmm` (longitude) with its hemisphere
/// field (`N`/`S`, `E`/`W`), in signed degrees; nil when empty or out of range.
func parseLatLon(_ b: UnsafeRawBufferPointer, _ value: Range<Int>, _ hemisphere: Range<Int>, isLatitude: Bool) -> Double? {
    guard let v = parseDecimal(b, value), v >= 0, hemisphere.count == 1 else { return nil }
    let deg = (v / 100).rounded(.down)
    let minutes = v - deg * 100
    guard minutes < 60 else { return nil }
    var d = deg + minutes / 60
    switch b[hemisphere.lowerBound] {
    case 78, 69: break  // N, E
    case 83, 87: d = -d  // S, W
    default: return nil
    }
    guard abs(d) <= (isLatitude ? 90 : 180) else { return nil }
    return (d * 1e9).rounded() / 1e9  // nanodegrees (0.1 mm): drops binary noise from the division
}

/// `hhmmss[.sss]` as seconds of the day; nil when empty or invalid.
func parseTimeOfDay(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Double? {
    guard r.count >= 6, let h = SentenceParser.digits(b, r.lowerBound, 2), let m = SentenceParser.digits(b, r.lowerBound + 2, 2),
          let s = parseDecimal(b, (r.lowerBound + 4)..<r.upperBound), h <= 23, m <= 59, s >= 0, s < 61
    else { return nil }
    return Double(h * 3600 + m * 60) + s
}

/// `ddmmyy` (RMC) as a day number since 1970-01-01. Two-digit years 80–99 are 1980–1999.
func parseDate(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int64? {
    guard r.count == 6, let d = SentenceParser.digits(b, r.lowerBound, 2), let m = SentenceParser.digits(b, r.lowerBound + 2, 2),
          let yy = SentenceParser.digits(b, r.lowerBound + 4, 2) else { return nil }
    let y = yy >= 80 ? 1900 + yy : 2000 + yy
    guard m >= 1, m <= 12, d >= 1, d <= Civil.daysIn(month: m, year: y) else { return nil }
    return Civil.days(year: y, month: m, day: d)
}
