import Foundation

/// Runs another source on its own thread, a few blocks ahead of the reader, so inflating
/// (zlib) and decoding use two cores. Bounded: at most `depth` blocks of `blockSize` bytes wait.
/// Errors from the source are delivered in order, after the bytes read before them.
public final class ThreadedSource: ByteSource, @unchecked Sendable {
    private let source: ByteSource
    private let condition = NSCondition()
    private var full: [[UInt8]] = []
    private var free: [[UInt8]] = []
    private var current: [UInt8] = []
    private var position = 0
    private var finished = false
    private var failure: IngestError?
    private var cancelled = false
    private var published: Int64 = 0
    private var thread: Thread?
    public static let blockSize = 256 * 1024
    public static let depth = 4

    public init(_ source: ByteSource) {
        self.source = source
        for _ in 0..<Self.depth { free.append([UInt8](repeating: 0, count: Self.blockSize)) }
        let t = Thread { [unowned self] in self.produce() }
        t.stackSize = 1 << 20
        thread = t
        t.start()
    }

    deinit {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// The stored offset as of the last block handed over.
    public var storedOffset: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return published
    }

    private func produce() {
        while true {
            condition.lock()
            while free.isEmpty && !cancelled { condition.wait() }
            if cancelled { finished = true; condition.broadcast(); condition.unlock(); return }
            var block = free.removeLast()
            condition.unlock()
            // Fill the block (a source may return short reads).
            if block.count != Self.blockSize { block = [UInt8](repeating: 0, count: Self.blockSize) }
            var filled = 0
            var ended = false
            var error: IngestError?
            while filled < Self.blockSize {
                var n = 0
                var readError: IngestError?
                block.withUnsafeMutableBytes { b in
                    let target = UnsafeMutableRawBufferPointer(rebasing: b[filled...])
                    do throws(IngestError) { n = try source.read(into: target) } catch { readError = error }
                }
                if let readError { error = readError; break }
                if n == 0 { ended = true; break }
                filled += n
            }
            condition.lock()
            if filled > 0 {
                block.removeSubrange(filled...)
                full.append(block)
            } else {
                free.append(block)
            }
            published = source.storedOffset
            if let error { failure = error; ended = true }
            if ended { finished = true }
            condition.broadcast()
            condition.unlock()
            if ended { return }
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        while position >= current.count {
            condition.lock()
            if !current.isEmpty {
                // Give the drained block back to the producer (at full size again).
                current.append(contentsOf: repeatElement(0, count: Self.blockSize - current.count))
                free.append(current)
                condition.broadcast()
            }
            current = []
            position = 0
            while full.isEmpty && !finished { condition.wait() }
            if full.isEmpty {
                let e = failure
                failure = nil
                condition.unlock()
                if let e { throw e }
                return 0
            }
            current = full.removeFirst()
            condition.unlock()
        }
        let n = min(buffer.count, current.count - position)
        current.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}
