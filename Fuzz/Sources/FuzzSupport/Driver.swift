import CFuzzDriver
import Foundation

/// The body of the fuzz target this process runs (one per executable).
nonisolated(unsafe) private var fuzzBody: (UnsafeRawBufferPointer) -> Void = { _ in }

/// Hand control to libFuzzer, which calls `body` once per input. Never returns.
///
/// The input buffer is libFuzzer's own heap copy of exactly `size` bytes, so AddressSanitizer
/// reports any read past its end.
public func runFuzzer(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
    fuzzBody = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let rc = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzBody(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
        return 0
    }
    exit(rc)
}

/// An invariant of the code under test. A failure prints what broke and aborts, which
/// libFuzzer records as a crash (with the input saved as `crash-…`).
@inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { invariantFailed(message(), file: file, line: line) }
}

@inline(never)
public func invariantFailed(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    FileHandle.standardError.write(Data("==INVARIANT== \(file):\(line): \(message)\n".utf8))
    abort()
}

/// A stable 64-bit hash of the input (FNV-1a), to pick chunk sizes and modes without taking
/// bytes away from the input itself (so seed files stay valid files).
public func inputHash(_ b: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01B3 }
    return h
}

/// A deterministic generator (SplitMix64).
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Structured fuzzing: takes typed values off the front of the input; past the end every
/// read returns zero, so any input is a valid program.
public struct FuzzReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var position = 0
    public init(_ b: UnsafeRawBufferPointer) { bytes = b }

    public var isAtEnd: Bool { position >= bytes.count }
    public var remaining: Int { max(0, bytes.count - position) }

    public mutating func u8() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }
    public mutating func u16() -> UInt16 { UInt16(u8()) << 8 | UInt16(u8()) }
    public mutating func u32() -> UInt32 { UInt32(u16()) << 16 | UInt32(u16()) }
    public mutating func bool() -> Bool { u8() & 1 == 1 }
    /// Up to `n` bytes (fewer at the end of the input).
    public mutating func take(_ n: Int) -> UnsafeRawBufferPointer {
        let m = max(0, min(n, remaining))
        defer { position += m }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + m)])
    }
}

/// Read every byte of `b` (so AddressSanitizer sees each access) and fold them.
@inline(never)
public func touch(_ b: UnsafeRawBufferPointer) -> UInt8 {
    var x: UInt8 = 0
    for c in b { x ^= c }
    return x
}
