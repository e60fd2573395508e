import PicketCore

/// What one log line turned out to be. Ranges index the line's bytes; nothing is copied, and
/// the struct is reused from line to line.
public struct DecodedLine {
    public enum Format: Sendable { case syslog, json, text }
    public enum Problem: Sendable {
        /// NUL bytes or mostly control characters.
        case binary
        /// Starts like JSON but is not valid JSON.
        case invalidJSON
        /// JSON nested deeper than the json_depth cap.
        case jsonTooDeep

        public var name: String {
            switch self {
            case .binary: "decoder.line.binary"
            case .invalidJSON: "decoder.json.invalid"
            case .jsonTooDeep: "decoder.json.too_deep"
            }
        }
    }

    public var format: Format = .text
    public var problem: Problem?
    /// Where (1-based column) and why the line is malformed, for people. Kept as a column and
    /// a static text so a decoded line is plain data, copied without reference counting.
    public var problemColumn = 0
    public var problemReason: StaticString = ""
    public var problemDetail: String { "column \(problemColumn): \(problemReason)" }
    public var timestamp: Timestamp?
    // Syslog parts (RFC 3164 and RFC 5424).
    public var priority: Int = -1
    public var version: Int = 0
    public var host: Range<Int>?
    public var app: Range<Int>?
    public var pid: Range<Int>?
    public var msgid: Range<Int>?
    public var structuredData: Range<Int>?
    public var message: Range<Int>?

    public init() {}

    mutating func reset() {
        format = .text; problem = nil; timestamp = nil; priority = -1; version = 0
        host = nil; app = nil; pid = nil; msgid = nil; structuredData = nil; message = nil
        problemColumn = 0
    }
}

/// Recognises syslog (RFC 3164 and 5424, with or without the `<PRI>` a file drops), JSON lines
/// and plain text, and finds each line's own time.
public struct LogDecoder {
    /// Used to place BSD syslog times (which have no year) in the right year.
    public var reference: Timestamp

    public init(reference: Timestamp = .now()) { self.reference = reference }

    /// A line whose first byte after blanks is `{` is read as JSON (or is broken JSON).
    public static func looksLikeJSON(_ b: UnsafeRawBufferPointer) -> Bool {
        var first = 0
        while first < b.count && (b[first] == 32 || b[first] == 9) { first += 1 }
        return first < b.count && b[first] == 123
    }

    /// `b` without NUL bytes at its end: network devices end syslog messages with one (a C
    /// string's terminator), which does not make the line binary.
    @inline(__always)
    public static func trimmingTrailingNULs(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var n = b.count
        while n > 0 && b[n - 1] == 0 { n -= 1 }
        return n == b.count ? b : UnsafeRawBufferPointer(rebasing: b[0..<n])
    }

    public func decode(_ line: UnsafeRawBufferPointer, into d: inout DecodedLine) {
        d.reset()
        let b = Self.trimmingTrailingNULs(line)
        if isBinary(b) {
            d.problem = .binary
            return
        }
        if Self.looksLikeJSON(b) {
            decodeJSON(b, &d)
            return
        }
        if b.count > 2 && b[0] == 60, decodeSyslogWithPriority(b, &d) { return }
        if let (ts, n) = TimeParsing.bsd(b, reference: reference) {
            d.timestamp = ts
            d.format = .syslog
            decode3164Rest(b, n, &d)
            return
        }
        if let (ts, n) = TimeParsing.iso8601(b) {
            d.timestamp = ts
            // rsyslog's high-precision file format: ISO time, host, tag: message.
            if n < b.count && b[n] == 32, looksLikeHostAndTag(b, n + 1) {
                d.format = .syslog
                decode3164Rest(b, n, &d)
            }
            return
        }
        if b.count > 1 && b[0] == 91, let (ts, _) = TimeParsing.iso8601(b, at: 1) ?? TimeParsing.epoch(b, at: 1) {
            d.timestamp = ts
            return
        }
        if let (ts, _) = TimeParsing.epoch(b) { d.timestamp = ts }
    }

    /// Only what counting a line needs: `problem` (with its column and reason) exactly as
    /// `decode` would set it, nothing else (no format, time or syslog parts). For lines that
    /// will not be matched; `decode` works out the rest of those that will.
    /// `controlFree`: the caller knows the line has no byte below 0x20 but tab
    /// (`hasControlBytes` was false for a block holding it), so it cannot be binary.
    public func classify(_ line: UnsafeRawBufferPointer, into d: inout DecodedLine, controlFree: Bool = false) {
        d.reset()
        let b = controlFree ? line : Self.trimmingTrailingNULs(line)
        if Self.looksLikeJSON(b) {
            // Valid JSON holds no NUL and no control character but tab and CR, so it is not
            // binary: one pass instead of two for the usual line.
            guard let failure = JSONScanner.validate(b) else { return }
            if !controlFree && isBinary(b) { d.problem = .binary } else { Self.invalid(failure, &d) }
            return
        }
        if !controlFree && isBinary(b) { d.problem = .binary }
    }

    /// Whether `b` holds a byte below 0x20 other than tab (what `isBinary` looks for): one pass
    /// over a whole block of lines, eight bytes at a time.
    public static func hasControlBytes(_ b: UnsafeRawBufferPointer) -> Bool {
        guard let base = b.baseAddress else { return false }
        let n = b.count
        var i = 0
        while i + 8 <= n {
            let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if (x &- 0x2020_2020_2020_2020) & ~x & 0x8080_8080_8080_8080 != 0 {
                for k in i..<(i + 8) where b[k] < 0x20 && b[k] != 9 { return true }
            }
            i += 8
        }
        while i < n {
            if b[i] < 0x20 && b[i] != 9 { return true }
            i += 1
        }
        return false
    }

    private static func invalid(_ failure: JSONScanner.Failure, _ d: inout DecodedLine) {
        d.problem = failure.depthCapped ? .jsonTooDeep : .invalidJSON
        d.problemColumn = failure.position + 1
        d.problemReason = failure.reason
    }

    /// NUL bytes, or more than one in eight bytes a control character other than tab, form feed
    /// or escape: binary data, not a log line.
    func isBinary(_ b: UnsafeRawBufferPointer) -> Bool {
        // Most lines have no control byte at all (tabs aside): one pass, no counting.
        if !Self.hasControlBytes(b) { return false }
        var controls = 0
        var i = 0
        let n = b.count
        // Count them (eight bytes at a time over stretches without any).
        if let base = b.baseAddress {
            while i + 8 <= n {
                let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let low = (x &- 0x2020_2020_2020_2020) & ~x & 0x8080_8080_8080_8080
                if low != 0 {
                    for k in i..<(i + 8) {
                        let c = b[k]
                        if c == 0 { return true }
                        if c < 0x20 && c != 9 && c != 12 && c != 27 && c != 13 { controls += 1 }
                    }
                }
                i += 8
            }
        }
        while i < n {
            let c = b[i]
            if c == 0 { return true }
            if c < 0x20 && c != 9 && c != 12 && c != 27 && c != 13 { controls += 1 }
            i += 1
        }
        return controls * 8 > n
    }

    /// Keys of a JSON line's own time, first found wins.
    static let jsonTimeKeys: [StaticString] = ["timestamp", "@timestamp", "ts", "time"]

    func decodeJSON(_ b: UnsafeRawBufferPointer, _ d: inout DecodedLine) {
        if let failure = JSONScanner.validate(b) {
            Self.invalid(failure, &d)
            return
        }
        d.format = .json
        for key in Self.jsonTimeKeys {
            let found = JSONScanner.lookup(b, path: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            guard let (value, kind) = found else { continue }
            if kind == .string, let (ts, _) = TimeParsing.iso8601(value) ?? TimeParsing.epoch(value) {
                d.timestamp = ts
                return
            }
            if kind == .number, let (ts, _) = TimeParsing.epoch(value) {
                d.timestamp = ts
                return
            }
        }
    }

    /// `<PRI>` then RFC 5424 (`1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) or RFC 3164.
    func decodeSyslogWithPriority(_ b: UnsafeRawBufferPointer, _ d: inout DecodedLine) -> Bool {
        var i = 1
        var pri = 0
        while i < b.count && i <= 4, let dg = TimeParsing.digit(b, i) {
            pri = pri * 10 + Int(dg)
            i += 1
        }
        guard i > 1, i < b.count, b[i] == 62, pri <= 191 else { return false }
        d.priority = pri
        d.format = .syslog
        i += 1
        if i + 1 < b.count && b[i] >= 49 && b[i] <= 57 && b[i + 1] == 32 {
            d.version = Int(b[i] - 48)
            decode5424(b, i + 2, &d)
            return true
        }
        if let (ts, n) = TimeParsing.bsd(b, at: i, reference: reference) {
            d.timestamp = ts
            decode3164Rest(b, i + n, &d)
        } else if let (ts, n) = TimeParsing.iso8601(b, at: i) {
            d.timestamp = ts
            decode3164Rest(b, i + n, &d)
        } else {
            // RFC 3164 4.3.2: no valid time; the rest is the message.
            d.message = i..<b.count
        }
        return true
    }

    /// Next space-delimited token from `i`; nil for RFC 5424's NILVALUE `-`.
    func token(_ b: UnsafeRawBufferPointer, _ i: inout Int) -> Range<Int>? {
        let s = i
        while i < b.count && b[i] != 32 { i += 1 }
        let r = s..<i
        if i < b.count { i += 1 }
        return r.count == 1 && b[s] == 45 ? nil : (r.isEmpty ? nil : r)
    }

    func decode5424(_ b: UnsafeRawBufferPointer, _ start: Int, _ d: inout DecodedLine) {
        var i = start
        if let t = token(b, &i), let (ts, _) = TimeParsing.iso8601(UnsafeRawBufferPointer(rebasing: b[t])) {
            d.timestamp = ts
        }
        d.host = token(b, &i)
        d.app = token(b, &i)
        d.pid = token(b, &i)
        d.msgid = token(b, &i)
        // STRUCTURED-DATA: "-" or one or more [id param="value"…], values may escape ] " \.
        if i < b.count && b[i] == 45 {
            i += 1
        } else if i < b.count && b[i] == 91 {
            let s = i
            while i < b.count && b[i] == 91 {
                var inQuotes = false
                i += 1
                while i < b.count {
                    let c = b[i]
                    if c == 92 && inQuotes { i += 2; continue }
                    if c == 34 { inQuotes.toggle() }
                    if c == 93 && !inQuotes { i += 1; break }
                    i += 1
                }
            }
            d.structuredData = s..<min(i, b.count)
        }
        if i < b.count && b[i] == 32 { i += 1 }
        // A UTF-8 BOM may open the message.
        if i + 3 <= b.count && b[i] == 0xEF && b[i + 1] == 0xBB && b[i + 2] == 0xBF { i += 3 }
        if i < b.count { d.message = i..<b.count }
    }

    /// Whether `HOST TAG[pid]: ` or `TAG[pid]: ` follows at `i`.
    func looksLikeHostAndTag(_ b: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        var j = i
        var tokens = 0
        while tokens < 2 {
            let s = j
            while j < b.count && b[j] != 32 && b[j] != 58 && b[j] != 91 { j += 1 }
            if j == s { return false }
            if j < b.count && (b[j] == 58 || b[j] == 91) { return true }
            tokens += 1
            j += 1
        }
        return false
    }

    /// After the time: `HOST TAG[PID]: MSG`, where the host may be missing.
    func decode3164Rest(_ b: UnsafeRawBufferPointer, _ start: Int, _ d: inout DecodedLine) {
        var i = start
        while i < b.count && b[i] == 32 { i += 1 }
        // First token: the host, unless it already is the tag (ends in ':' or has '[').
        var j = i
        while j < b.count && b[j] != 32 && b[j] != 58 && b[j] != 91 { j += 1 }
        if j < b.count && b[j] == 32 && j > i {
            d.host = i..<j
            i = j + 1
        }
        var k = i
        while k < b.count && b[k] != 32 && b[k] != 58 && b[k] != 91 { k += 1 }
        if k > i && k < b.count && (b[k] == 58 || b[k] == 91) && k - i <= 48 {
            d.app = i..<k
            var tagged = true
            if b[k] == 91 {
                let ps = k + 1
                var e = ps
                while e < b.count && b[e] != 93 && b[e] != 32 { e += 1 }
                if e < b.count && b[e] == 93 {
                    d.pid = ps..<e
                    k = e + 1
                } else {
                    // `app[` never closed: no tag at all; the message is all of it.
                    d.app = nil
                    tagged = false
                }
            }
            if tagged {
                if k < b.count && b[k] == 58 { k += 1 }
                if k < b.count && b[k] == 32 { k += 1 }
                i = k
            }
        }
        // A byte order mark opening the message (RFC 5424 allows one; writers of RFC 3164 lines
        // copy it too) is not part of the text a signature sees.
        if i + 3 <= b.count && b[i] == 0xEF && b[i + 1] == 0xBB && b[i + 2] == 0xBF { i += 3 }
        if i < b.count { d.message = i..<b.count }
    }
}
