#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PicketCore
import Synchronization

/// Why reading an input stopped early: the byte offset (in the input as stored) and a reason
/// a person can act on.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public var offset: Int64
    public var reason: String
    /// The offset is in the input as stored (a file read error, corrupt compressed data), not in
    /// the decompressed stream a framer sees.
    public var stored: Bool
    /// The named cap whose limit the input went past, when that is why reading stopped (a
    /// capture record above `record_length`): counted in `caps_hit` as well as reported.
    public var cap: Cap?
    /// Nothing could be read at all (stdin closed or a folder, a read error at the start): the
    /// input counts as unreadable, not as damaged.
    public var unreadable = false
    public init(offset: Int64, reason: String, stored: Bool = false, cap: Cap? = nil) {
        self.offset = offset
        self.reason = reason
        self.stored = stored
        self.cap = cap
    }
    public var description: String { "offset \(offset): \(reason)" }
}

/// Anything bytes come from: a file, stdin, an inflater over another source.
/// Sources are pulled by `InputBuffer`; none of them keeps more than one block in memory.
public protocol ByteSource: AnyObject {
    /// Read up to `buffer.count` bytes. Returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int
    /// How far into the stored input reading has got (for compressed input: the compressed
    /// offset), so errors further down can say where the damage is.
    var storedOffset: Int64 { get }
}

/// A file descriptor: a regular file, a pipe, stdin.
public final class FileSource: ByteSource {
    private let fd: Int32
    private let owned: Bool
    public private(set) var storedOffset: Int64 = 0
    /// Counts what is read, for `--progress`.
    public var meter: ProgressMeter?

    /// Open a file for reading; the error names the cause (`No such file or directory`).
    public convenience init(path: String) throws(IngestError) {
        try self.init(pathBytes: Array(path.utf8))
    }

    /// Open a file by the bytes of its path (which need not be UTF-8).
    public init(pathBytes: [UInt8]) throws(IngestError) {
        let fd = (pathBytes + [0]).withUnsafeBytes { open($0.baseAddress!.assumingMemoryBound(to: CChar.self), O_RDONLY | O_CLOEXEC) }
        if fd < 0 { throw IngestError(offset: 0, reason: "cannot open: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.owned = true
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
    }

    /// Standard input, whatever it holds.
    public static func standardInput() -> FileSource { FileSource(fd: 0) }

    /// The size of a regular file; nil for pipes, terminals and devices.
    public var regularFileSize: Int64? {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    private init(fd: Int32) {
        self.fd = fd
        self.owned = false
    }

    deinit { if owned { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 {
                storedOffset += Int64(n)
                meter?.add(n)
                return n
            }
            if errno == EINTR { continue }
            var error = IngestError(offset: storedOffset, reason: "read error: \(String(cString: strerror(errno)))", stored: true)
            error.unreadable = storedOffset == 0
            throw error
        }
    }
}

/// Bytes already in memory, handed out `chunk` at a time (tests feed framers one byte at a time
/// with `chunk: 1`, and the sniffer replays what it peeked through it).
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private let chunk: Int
    private var position = 0
    public var storedOffset: Int64 { Int64(position) }

    public init(_ bytes: [UInt8], chunk: Int = Int.max) {
        self.bytes = bytes
        self.chunk = max(1, chunk)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        let n = min(buffer.count, chunk, bytes.count - position)
        if n <= 0 { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

/// Bytes read from stored inputs so far, for a progress display on another thread.
public final class ProgressMeter: Sendable {
    private let bytes = Atomic<Int64>(0)
    private let inputs = Atomic<Int>(0)
    public init() {}
    public func add(_ n: Int) { bytes.add(Int64(n), ordering: .relaxed) }
    public func startedInput() { inputs.add(1, ordering: .relaxed) }
    public var bytesRead: Int64 { bytes.load(ordering: .relaxed) }
    public var inputsStarted: Int { inputs.load(ordering: .relaxed) }
}
