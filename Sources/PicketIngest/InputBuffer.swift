#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One reused block of memory between a source and a framer.
///
/// ```
///  storage:  [ consumed | unread bytes (start..<end) | free space (end..<capacity) ]
///             ^ streamOffset is the input offset of storage[0]
/// ```
/// Invariants: `0 <= start <= end <= capacity <= maximumCapacity`. Framers borrow
/// `unread` and call `consume`; memory they borrowed stays valid until the next `fill()`,
/// which may move unread bytes to the front or grow the block. Growth is bounded by
/// `maximumCapacity`, so no input makes the buffer grow without limit.
public final class InputBuffer {
    public let source: ByteSource
    private var storage: UnsafeMutableRawBufferPointer
    public private(set) var start = 0
    public private(set) var end = 0
    /// Offset in the (decoded) stream of `storage[0]`.
    private var streamOffset: Int64 = 0
    public let maximumCapacity: Int
    public private(set) var reachedEnd = false

    public init(source: ByteSource, capacity: Int = 1 << 20, maximumCapacity: Int = 64 << 20) {
        self.source = source
        let cap = max(16, min(capacity, maximumCapacity))
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: cap, alignment: 16)
        self.maximumCapacity = max(cap, maximumCapacity)
    }

    deinit { storage.deallocate() }

    public var capacity: Int { storage.count }
    public var available: Int { end - start }
    /// The bytes read but not yet consumed.
    public var unread: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[start..<end])
    }
    /// The stream offset of the first unread byte.
    public var offset: Int64 { streamOffset + Int64(start) }

    public func consume(_ n: Int) {
        precondition(n >= 0 && n <= available)
        start += n
    }

    /// Read more bytes from the source. Returns how many arrived; 0 means the input ended.
    /// `wanting` asks for room for at least that many unread bytes (capped by `maximumCapacity`).
    @discardableResult
    public func fill(wanting: Int = 0) throws(IngestError) -> Int {
        if reachedEnd { return 0 }
        if start == end {
            streamOffset += Int64(end)
            start = 0
            end = 0
        }
        let need = max(wanting, available + 1)
        if capacity - start < need || end == capacity {
            // Move the unread bytes to the front.
            if start > 0 {
                if available > 0 {
                    storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: available)
                }
                streamOffset += Int64(start)
                end -= start
                start = 0
            }
            if capacity < need || end == capacity {
                let newCapacity = min(maximumCapacity, max(need, capacity * 2))
                if newCapacity > capacity {
                    let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: newCapacity, alignment: 16)
                    if end > 0 { bigger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: end) }
                    storage.deallocate()
                    storage = bigger
                }
            }
        }
        if end == capacity { return 0 }  // full at the maximum: the framer must consume first
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end..<capacity]))
        if n == 0 { reachedEnd = true }
        end += n
        return n
    }

    /// Fill until at least `n` bytes are unread or the input ends. Returns whether `n` are there.
    public func ensure(_ n: Int) throws(IngestError) -> Bool {
        while available < n {
            if reachedEnd { return false }
            let got = try fill(wanting: n)
            if got == 0 && (reachedEnd || available < n && capacity >= maximumCapacity && end == capacity) {
                return available >= n
            }
        }
        return true
    }
}
