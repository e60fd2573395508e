import CPCRE2

/// A PCRE2 regular expression, JIT-compiled where the platform allows, with a match limit so a
/// pathological pattern cannot stall a scan (the `pcre_match_limit` cap).
public final class Regex: @unchecked Sendable {
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let caseless = Options(rawValue: UInt32(PCRE2_CASELESS))
        public static let dotAll = Options(rawValue: UInt32(PCRE2_DOTALL))
        public static let multiline = Options(rawValue: UInt32(PCRE2_MULTILINE))
        public static let extended = Options(rawValue: UInt32(PCRE2_EXTENDED))
        public static let anchored = Options(rawValue: UInt32(PCRE2_ANCHORED))
        public static let ungreedy = Options(rawValue: UInt32(PCRE2_UNGREEDY))
        public static let dollarEndOnly = Options(rawValue: UInt32(PCRE2_DOLLAR_ENDONLY))
    }

    public static let matchLimit: UInt32 = 100_000
    public let pattern: String
    public let options: Options
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let context: OpaquePointer?
    /// Times a match gave up at the match limit (counted as a cap hit by callers).
    public private(set) var limitHits = 0

    public init(_ pattern: String, options: Options = []) throws(MatchError) {
        self.pattern = pattern
        self.options = options
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled: OpaquePointer? = pattern.withCString { p in
            p.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count) {
                pcre2_compile_8($0, pattern.utf8.count, options.rawValue, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            let message = String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
            throw MatchError("regex error at offset \(errorOffset): \(message)")
        }
        code = compiled
        _ = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE))
        guard let md = pcre2_match_data_create_from_pattern_8(code, nil) else {
            pcre2_code_free_8(code)
            throw MatchError("regex: out of memory")
        }
        matchData = md
        context = pcre2_match_context_create_8(nil)
        if let context { pcre2_set_match_limit_8(context, Self.matchLimit) }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        if let context { pcre2_match_context_free_8(context) }
        pcre2_code_free_8(code)
    }

    /// The first match at or after `start`, as byte offsets into `bytes`.
    public func firstMatch(in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Range<Int>? {
        guard start <= bytes.count else { return nil }
        let subject = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let rc = withUnsafePointer(to: 0 as UInt8) { empty in
            pcre2_match_8(code, subject ?? empty, bytes.count, start, 0, matchData, context)
        }
        if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT { limitHits += 1 }
        guard rc >= 0 else { return nil }
        let ov = pcre2_get_ovector_pointer_8(matchData)!
        let s = Int(ov[0]), e = Int(ov[1])
        guard s <= e, e <= bytes.count else { return nil }
        return s..<e
    }

    public func matches(_ bytes: UnsafeRawBufferPointer) -> Bool { firstMatch(in: bytes) != nil }
}
