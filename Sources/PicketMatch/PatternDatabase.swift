#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHyperscan

/// One pattern for a multi-pattern database: a literal (any bytes) or a regular expression.
public struct Pattern: Hashable, Sendable {
    public enum Body: Hashable, Sendable {
        case literal([UInt8])
        /// PCRE syntax, as Hyperscan takes it.
        case regex(String)
    }
    public var body: Body
    public var caseless: Bool
    public var dotAll: Bool
    public var multiline: Bool

    public init(literal: [UInt8], caseless: Bool) {
        body = .literal(literal)
        self.caseless = caseless
        dotAll = false
        multiline = false
    }

    public init(regex: String, caseless: Bool = false, dotAll: Bool = false, multiline: Bool = false) {
        body = .regex(regex)
        self.caseless = caseless
        self.dotAll = dotAll
        self.multiline = multiline
    }

    /// The expression Hyperscan compiles: literals are hex-escaped byte by byte.
    var expression: String {
        switch body {
        case .regex(let r): return r
        case .literal(let bytes):
            let hex: [Character] = Array("0123456789abcdef")
            var s = ""
            s.reserveCapacity(bytes.count * 4)
            for b in bytes { s.append("\\x"); s.append(hex[Int(b >> 4)]); s.append(hex[Int(b & 15)]) }
            return s
        }
    }

    var flags: UInt32 {
        var f: UInt32 = 0
        if caseless { f |= UInt32(HS_FLAG_CASELESS) }
        if dotAll { f |= UInt32(HS_FLAG_DOTALL) }
        if multiline { f |= UInt32(HS_FLAG_MULTILINE) }
        return f
    }

    /// Whether Hyperscan can take this pattern (no back-references, look-arounds, …).
    public var hyperscanCanCompile: Bool {
        guard case .regex = body else { return true }
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_expression_info(expression, flags | UInt32(HS_FLAG_ALLOWEMPTY), &info, &error)
        if let error { hs_free_compile_error(error) }
        if let info { free(info) }
        return rc == HS_SUCCESS
    }
}

public struct MatchError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A compiled Hyperscan database over many patterns, in block mode (one buffer at a time) or
/// stream mode (matches across the chunks of one stream, with bounded state per stream).
///
/// Compiled databases are cached on disk when a cache folder is given, keyed by a hash of the
/// patterns, the mode and the Hyperscan version, so a signature set compiles once.
public final class PatternDatabase: @unchecked Sendable {
    public enum Mode: Sendable { case block, stream }

    let database: OpaquePointer
    public let mode: Mode
    public let patternCount: Int
    /// Whether the database came from the on-disk cache.
    public let fromCache: Bool

    /// Compile `patterns`; a match reports the pattern's index in the array.
    /// `singleMatch` reports each pattern at most once per scan (enough for a prefilter).
    public init(patterns: [Pattern], mode: Mode, singleMatch: Bool, cacheFolder: String? = nil) throws(MatchError) {
        precondition(!patterns.isEmpty)
        self.mode = mode
        patternCount = patterns.count
        let modeFlag = UInt32(mode == .block ? HS_MODE_BLOCK : HS_MODE_STREAM)
        let extra = singleMatch ? UInt32(HS_FLAG_SINGLEMATCH) : 0
        let cachePath = cacheFolder.map { "\($0)/\(Self.cacheKey(patterns, modeFlag, extra)).hsdb" }
        if let cachePath, let db = Self.load(cachePath) {
            database = db
            fromCache = true
            return
        }
        let expressions = patterns.map { strdup($0.expression) }
        defer { expressions.forEach { free($0) } }
        let flags = patterns.map { $0.flags | extra | UInt32(HS_FLAG_ALLOWEMPTY) }
        let ids = (0..<patterns.count).map { UInt32($0) }
        var db: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = expressions.map { UnsafePointer($0) }.withUnsafeBufferPointer { exprs in
            hs_compile_multi(exprs.baseAddress, flags, ids, UInt32(patterns.count), modeFlag, nil, &db, &error)
        }
        if rc != HS_SUCCESS || db == nil {
            var message = "hyperscan: compile failed (\(rc))"
            if let error {
                let which = Int(error.pointee.expression)
                let text = error.pointee.message.map { String(cString: $0) } ?? "?"
                message = which >= 0 && which < patterns.count
                    ? "hyperscan: pattern \(patterns[which].expression.prefix(80)): \(text)" : "hyperscan: \(text)"
                hs_free_compile_error(error)
            }
            throw MatchError(message)
        }
        database = db!
        fromCache = false
        if let cachePath { Self.store(database, cachePath) }
    }

    deinit { hs_free_database(database) }

    /// FNV-1a over everything that decides the compiled database.
    static func cacheKey(_ patterns: [Pattern], _ mode: UInt32, _ extra: UInt32) -> String {
        var h1: UInt64 = 0xcbf2_9ce4_8422_2325
        var h2: UInt64 = 0x84222325_cbf29ce4
        func mix(_ b: UInt8) {
            h1 = (h1 ^ UInt64(b)) &* 0x100_0000_01b3
            h2 = (h2 ^ UInt64(b)) &* 0x100_0000_01b3 &+ 0x9e37_79b9
        }
        func mix(_ s: String) { for b in s.utf8 { mix(b) }; mix(0xff) }
        mix(String(cString: hs_version()))
        // Databases are compiled for this CPU's features: another machine compiles its own.
        var platform = hs_platform_info_t()
        if hs_populate_platform(&platform) == HS_SUCCESS { mix("\(platform.tune):\(platform.cpu_features)") }
        mix("\(mode):\(extra):\(patterns.count)")
        // Each pattern as a tag, its length and its bytes, then its flags (no strings built:
        // this runs at every start-up, over every pattern).
        func mix(word v: UInt32) { for k in 0..<4 { mix(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        for p in patterns {
            switch p.body {
            case .literal(let bytes):
                mix(1); mix(word: UInt32(truncatingIfNeeded: bytes.count))
                for b in bytes { mix(b) }
            case .regex(let r):
                mix(2); mix(word: UInt32(truncatingIfNeeded: r.utf8.count))
                for b in r.utf8 { mix(b) }
            }
            mix(word: p.flags)
        }
        return String(h1, radix: 16) + String(h2, radix: 16)
    }

    static func load(_ path: String) -> OpaquePointer? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        fseek(f, 0, SEEK_END)
        let size = ftell(f)
        fseek(f, 0, SEEK_SET)
        guard size > 0, size < 1 << 30 else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        guard fread(&bytes, 1, size, f) == size else { return nil }
        var db: OpaquePointer?
        let rc = bytes.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: size) { hs_deserialize_database($0, size, &db) }
        }
        return rc == HS_SUCCESS ? db : nil
    }

    static func store(_ db: OpaquePointer, _ path: String) {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(db, &bytes, &length) == HS_SUCCESS, let bytes else { return }
        defer { free(bytes) }
        // Write to a temporary name and rename, so a reader never sees half a file.
        let temporary = path + ".\(getpid()).tmp"
        guard let f = fopen(temporary, "wb") else { return }
        let ok = fwrite(bytes, 1, length, f) == length
        fclose(f)
        if ok { rename(temporary, path) } else { unlink(temporary) }
    }
}

/// Per-thread Hyperscan scratch space, grown to fit every database it is used with.
public final class ScratchSpace: @unchecked Sendable {
    var scratch: OpaquePointer?

    public init() {}

    public func prepare(for db: PatternDatabase) throws(MatchError) {
        let rc = hs_alloc_scratch(db.database, &scratch)
        if rc != HS_SUCCESS { throw MatchError("hyperscan: cannot allocate scratch (\(rc))") }
    }

    deinit { if let scratch { hs_free_scratch(scratch) } }
}

/// Collects the pattern ids a scan reports. Reused from scan to scan; ids are deduplicated
/// with a generation-stamped table, so clearing is O(1).
public final class MatchCollector {
    public private(set) var hits: [UInt32] = []
    /// End offsets of each hit (in the stream, for stream mode), parallel to `hits`.
    public private(set) var ends: [UInt64] = []
    private var stamp: [UInt32]
    private var generation: UInt32 = 1
    /// Record every occurrence, not only the first of each pattern.
    public var everyOccurrence = false
    /// Stop the scan once this many hits are recorded (`limitReached`).
    public var limit = Int.max
    public private(set) var limitReached = false

    /// No hits since the last reset.
    public var isEmpty: Bool { hits.isEmpty }

    public init(patternCount: Int) {
        stamp = [UInt32](repeating: 0, count: patternCount)
        hits.reserveCapacity(64)
        ends.reserveCapacity(64)
    }

    public func reset() {
        hits.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        limitReached = false
        generation &+= 1
        if generation == 0 {
            for i in stamp.indices { stamp[i] = 0 }
            generation = 1
        }
    }

    /// Take hits found by another collector's scan (ends unknown: 0).
    public func load(_ ids: UnsafeBufferPointer<UInt32>) {
        for id in ids { record(id, 0) }
    }

    @inline(__always)
    func record(_ id: UInt32, _ end: UInt64) {
        let i = Int(id)
        guard i < stamp.count else { return }
        if everyOccurrence || stamp[i] != generation {
            stamp[i] = generation
            hits.append(id)
            ends.append(end)
            if hits.count >= limit { limitReached = true }
        }
    }
}

private let onMatch: @convention(c) (UInt32, UInt64, UInt64, UInt32, UnsafeMutableRawPointer?) -> Int32 = { id, _, to, _, context in
    guard let context else { return 0 }
    let collector = Unmanaged<MatchCollector>.fromOpaque(context).takeUnretainedValue()
    collector.record(id, to)
    // A non-zero return ends the scan.
    return collector.limitReached ? 1 : 0
}

extension PatternDatabase {
    /// Scan one buffer (block mode); pattern ids go into `collector` (not reset here).
    public func scan(_ bytes: UnsafeRawBufferPointer, scratch: ScratchSpace, into collector: MatchCollector) {
        precondition(mode == .block)
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        withUnsafePointer(to: 0 as CChar) { empty in
            _ = hs_scan(database, base ?? empty, UInt32(clamping: bytes.count), 0, scratch.scratch, onMatch, context)
        }
    }

    /// Open a stream (stream mode); state is bounded by the database, not by the data.
    public func openStream() -> OpaquePointer? {
        precondition(mode == .stream)
        var stream: OpaquePointer?
        return hs_open_stream(database, 0, &stream) == HS_SUCCESS ? stream : nil
    }

    public func scan(stream: OpaquePointer, _ bytes: UnsafeRawBufferPointer, scratch: ScratchSpace, into collector: MatchCollector) {
        let context = Unmanaged.passUnretained(collector).toOpaque()
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0 else { return }
        _ = hs_scan_stream(stream, base, UInt32(clamping: bytes.count), 0, scratch.scratch, onMatch, context)
    }

    /// Close a stream; matches that complete only at the end of data are reported.
    public func closeStream(_ stream: OpaquePointer, scratch: ScratchSpace, into collector: MatchCollector?) {
        if let collector {
            _ = hs_close_stream(stream, scratch.scratch, onMatch, Unmanaged.passUnretained(collector).toOpaque())
        } else {
            _ = hs_close_stream(stream, scratch.scratch, nil, nil)
        }
    }
}
