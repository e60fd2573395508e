import PicketCore

/// Checks and queries one JSON text in place, without building a tree or allocating.
///
/// Nesting is capped at `maxDepth` (the `json_depth` cap), so a line of ten thousand `[`
/// cannot exhaust the stack.
public struct JSONScanner {
    public enum Kind: Sendable { case object, array, string, number, bool, null }

    public struct Failure: Error, Sendable {
        /// 0-based byte position in the line.
        public var position: Int
        public var reason: StaticString
        public var depthCapped: Bool
    }

    public static let maxDepth = 64

    let b: UnsafeRawBufferPointer
    var i = 0

    public init(_ bytes: UnsafeRawBufferPointer) { b = bytes }

    /// Validate a whole line as one JSON value (surrounding whitespace allowed).
    public static func validate(_ bytes: UnsafeRawBufferPointer) -> Failure? {
        var s = JSONScanner(bytes)
        do {
            s.skipSpace()
            try s.skipValue(depth: 0)
            s.skipSpace()
            if s.i != bytes.count { return Failure(position: s.i, reason: "unexpected data after the JSON value", depthCapped: false) }
            return nil
        } catch {
            return error
        }
    }

    /// The value at a dotted path (`a.b.c`) in a valid JSON object, as its raw bytes and kind.
    /// String values are returned without their quotes, still escaped (`JSONText.unescape`).
    /// A key matches a path segment as written or with its escapes decoded.
    public static func lookup(_ bytes: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, Kind)? {
        var s = JSONScanner(bytes)
        var segStart = 0
        s.skipSpace()
        while true {
            var segEnd = segStart
            while segEnd < path.count && path[segEnd] != 46 { segEnd += 1 }
            let segment = UnsafeRawBufferPointer(rebasing: path[segStart..<segEnd])
            guard s.i < bytes.count, bytes[s.i] == 123 else { return nil }
            guard (try? s.findMember(segment)) == true else { return nil }
            if segEnd >= path.count {
                let start = s.i
                guard let kind = try? s.valueKind(), (try? s.skipValue(depth: 0)) != nil else { return nil }
                if kind == .string {
                    return (UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(s.i - 1)]), .string)
                }
                return (UnsafeRawBufferPointer(rebasing: bytes[start..<s.i]), kind)
            }
            segStart = segEnd + 1
        }
    }

    mutating func skipSpace() {
        while i < b.count, b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13 { i += 1 }
    }

    func fail(_ why: StaticString) -> Failure { Failure(position: i, reason: why, depthCapped: false) }

    mutating func valueKind() throws(Failure) -> Kind {
        guard i < b.count else { throw fail("unexpected end of line") }
        switch b[i] {
        case 123: return .object
        case 91: return .array
        case 34: return .string
        case 116, 102: return .bool
        case 110: return .null
        default: return .number
        }
    }

    /// Inside an object positioned at `{`: move to the value of `key`; false if it is absent.
    mutating func findMember(_ key: UnsafeRawBufferPointer) throws(Failure) -> Bool {
        i += 1
        skipSpace()
        if i < b.count && b[i] == 125 { return false }
        while true {
            skipSpace()
            guard i < b.count, b[i] == 34 else { throw fail("expected a string key") }
            let kStart = i + 1
            try skipString()
            let k = UnsafeRawBufferPointer(rebasing: b[kStart..<(i - 1)])
            skipSpace()
            guard i < b.count, b[i] == 58 else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            if k.elementsEqual(key) || (JSONText.hasEscape(k) && JSONText.unescaped(k).utf8.elementsEqual(key)) { return true }
            try skipValue(depth: 1)
            skipSpace()
            guard i < b.count else { throw fail("unexpected end of line") }
            if b[i] == 44 { i += 1; continue }
            if b[i] == 125 { return false }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func skipValue(depth: Int) throws(Failure) {
        guard i < b.count else { throw fail("unexpected end of line") }
        switch b[i] {
        case 123, 91:
            guard depth < Self.maxDepth else {
                throw Failure(position: i, reason: "nesting deeper than the json_depth cap (64)", depthCapped: true)
            }
            let isObject = b[i] == 123
            let close: UInt8 = isObject ? 125 : 93
            i += 1
            skipSpace()
            if i < b.count && b[i] == close { i += 1; return }
            while true {
                skipSpace()
                if isObject {
                    guard i < b.count, b[i] == 34 else { throw fail("expected a string key") }
                    try skipString()
                    skipSpace()
                    guard i < b.count, b[i] == 58 else { throw fail("expected ':'") }
                    i += 1
                    skipSpace()
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                guard i < b.count else { throw fail("unexpected end of line") }
                if b[i] == 44 { i += 1; continue }
                if b[i] == close { i += 1; return }
                throw fail(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        case 34:
            try skipString()
        case 116: try literal("true")
        case 102: try literal("false")
        case 110: try literal("null")
        default:
            try skipNumber()
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw fail("invalid literal") }
        let ok = word.withUTF8Buffer { w in
            (0..<n).allSatisfy { b[i + $0] == w[$0] }
        }
        guard ok else { throw fail("invalid literal") }
        i += n
    }

    mutating func skipString() throws(Failure) {
        i += 1
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        while i < b.count {
            // Eight bytes at a time while none is '"', '\\' or a control character; then
            // straight to the first that is (the lowest flagged byte is exact: borrows only
            // flag bytes above it).
            while i + 8 <= b.count {
                let x = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let q = x ^ (0x22 &* ones), s = x ^ (0x5C &* ones)
                let special = ((q &- ones) & ~q | (s &- ones) & ~s | (x &- 0x20 &* ones) & ~x) & high
                if special != 0 {
                    i += special.trailingZeroBitCount / 8
                    break
                }
                i += 8
            }
            guard i < b.count else { break }
            let c = b[i]
            if c == 34 { i += 1; return }
            if c == 92 {
                guard i + 1 < b.count else { break }
                let e = b[i + 1]
                if e == 117 {
                    guard i + 6 <= b.count else { throw fail("short \\u escape") }
                    for k in 2..<6 {
                        let h = b[i + k]
                        guard (h >= 48 && h <= 57) || (h | 0x20 >= 97 && h | 0x20 <= 102) else { throw fail("bad \\u escape") }
                    }
                    i += 6
                } else {
                    switch e {
                    case 34, 92, 47, 98, 102, 110, 114, 116: i += 2
                    default: throw fail("bad escape")
                    }
                }
                continue
            }
            if c < 0x20 { throw fail("control character in string") }
            i += 1
        }
        throw fail("unterminated string")
    }

    mutating func skipNumber() throws(Failure) {
        let start = i
        if i < b.count && b[i] == 45 { i += 1 }
        guard i < b.count, b[i] >= 48 && b[i] <= 57 else { throw fail("invalid value") }
        if b[i] == 48 { i += 1 } else { while i < b.count, b[i] >= 48 && b[i] <= 57 { i += 1 } }
        if i < b.count && b[i] == 46 {
            i += 1
            guard i < b.count, b[i] >= 48 && b[i] <= 57 else { throw fail("invalid number") }
            while i < b.count, b[i] >= 48 && b[i] <= 57 { i += 1 }
        }
        if i < b.count && (b[i] == 101 || b[i] == 69) {
            i += 1
            if i < b.count && (b[i] == 43 || b[i] == 45) { i += 1 }
            guard i < b.count, b[i] >= 48 && b[i] <= 57 else { throw fail("invalid number") }
            while i < b.count, b[i] >= 48 && b[i] <= 57 { i += 1 }
        }
        if i == start { throw fail("invalid value") }
    }
}
