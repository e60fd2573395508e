#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PicketCore

/// Buffered writes to a file descriptor (stdout or a file made with `-o`), flushed in large
/// blocks. A closed pipe (`picket decode | head`) ends the writes quietly.
public final class OutputFile {
    private let fd: Int32
    private let owned: Bool
    private var pending: [UInt8] = []
    public private(set) var closedByReader = false
    public static let blockSize = 1 << 18

    public init(fd: Int32) {
        self.fd = fd
        self.owned = false
        pending.reserveCapacity(Self.blockSize * 2)
    }

    public init(path: String) throws(OutputError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw OutputError(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.owned = true
        pending.reserveCapacity(Self.blockSize * 2)
    }

    deinit {
        flush()
        if owned { close(fd) }
    }

    public func write(_ bytes: [UInt8]) {
        pending.append(contentsOf: bytes)
        if pending.count >= Self.blockSize { flush() }
    }

    public func flush() {
        guard !pending.isEmpty, !closedByReader else { pending.removeAll(keepingCapacity: true); return }
        var done = 0
        pending.withUnsafeBytes { buf in
            while done < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    closedByReader = true
                    return
                }
                done += n
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}

public struct OutputError: Error, Sendable { public var message: String }
