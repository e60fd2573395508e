import PicketCore

/// One direction of a TCP connection being reassembled.
///
/// Sequence numbers are compared as 32-bit distances from `next` (RFC 793 modular
/// arithmetic), stream positions are 64-bit offsets, so streams longer than 4 GiB and
/// wrapping sequence numbers work.
public struct TCPStream {
    /// A base sequence number is known (from the SYN, or the first packet when picked up midstream).
    public var hasBase = false
    /// The first sequence number of the stream (after the SYN).
    public var base: UInt32 = 0
    /// The next sequence number to hand on.
    public var next: UInt32 = 0
    /// Stream offset of `next`: bytes handed on plus bytes lost in gaps.
    public var offset: Int64 = 0
    /// Bytes lost right before the next chunk handed on (reported on that chunk).
    public var pendingGap: Int64 = 0
    /// Out-of-order data: disjoint, sorted by sequence number, all after `next`.
    var pending: [Segment] = []
    public internal(set) var pendingBytes = 0
    public var finSeen = false
    public var finSeq: UInt32 = 0
    /// The direction ended (FIN reached, RST, timeout, eviction or end of input).
    public var ended = false
    public var depthReached = false
    /// Just past the furthest data the sender was seen to send (at or after `next`; it moves
    /// on past the depth and past holes, where `next` stops).
    public var seenEnd: UInt32 = 0
    /// Chunks handed on so far.
    public var chunks = 0

    public init() {}

    struct Segment {
        var seq: UInt32
        var bytes: [UInt8]
    }

    /// Distance from `next` to `seq`: negative for data already handed on.
    @inline(__always) func distance(_ seq: UInt32) -> Int64 { Int64(Int32(bitPattern: seq &- next)) }
}

/// Reassembles TCP stream directions: retransmissions and overlaps keep the bytes seen
/// first (the first copy of each sequence number wins, as in most stacks), out-of-order data
/// is held until the hole before it is filled or known lost, and lost data becomes a gap.
///
/// A hole is declared lost when the receiver acknowledges data after it that Picket holds
/// (the capture missed the segment), when the direction ends, or when the direction holds
/// more out-of-order bytes than `maxPendingPerStream`. Limits, counted as caps:
/// `depth` bytes per direction (`stream_depth`, 0 = unlimited; later data is not handed on)
/// and `memcap` out-of-order bytes across all streams (`stream_memcap`; a segment that does
/// not fit is dropped and becomes a gap).
///
/// In-order data is handed on in place from the packet (no copy); only out-of-order data is
/// copied, into byte arrays reused through a pool.
public final class StreamReassembler {
    public struct Limits: Sendable {
        public var depth: Int64 = 1 << 20
        public var memcap = 32 << 20
        public var maxPendingPerStream = 1 << 20
        public init() {}
    }

    public let limits: Limits
    /// Bytes held, each segment counted with `segmentOverhead` on top of its data so that
    /// many tiny segments cannot hold more memory than the memcap says.
    public private(set) var held = 0
    public static let segmentOverhead = 64
    private var pool: [[UInt8]] = []
    var capHits: [Cap: Int] = [:]

    public init(limits: Limits = Limits()) { self.limits = limits }

    private func hit(_ c: Cap) { capHits[c, default: 0] += 1 }

    /// Start a direction at `seq` (the SYN's sequence number + 1, or the first seen).
    func setBase(_ s: inout TCPStream, _ seq: UInt32) {
        guard !s.hasBase else { return }
        s.hasBase = true
        s.base = seq
        s.next = seq
    }

    /// Take in one segment's data at `seq`. Returns the part of `data` to hand on now, in
    /// place (it continues the stream at `next`); anything else is held for `popReady`, except
    /// `tail`: the part after the handed-on one that runs into held data, which the caller
    /// gives to `hold` once the first part is handed on. (Holding it first could make room by
    /// declaring the oldest hole lost, which moves `next` from under the part about to be
    /// handed on: its bytes would then be placed after the hole, and the hole reported as a gap.)
    func segment(_ s: inout TCPStream, seq seq0: UInt32, data: UnsafeRawBufferPointer,
                 tail: inout (seq: UInt32, range: Range<Int>)?) -> Range<Int>? {
        tail = nil
        guard s.hasBase, !s.ended, !s.depthReached, !data.isEmpty else { return nil }
        var seq = seq0
        var lo = 0
        var hi = data.count
        // Nothing after the FIN belongs to the stream.
        if s.finSeen {
            let room = Int64(Int32(bitPattern: s.finSeq &- seq))
            if room <= 0 { return nil }
            if room < Int64(hi) { hi = Int(room) }
        }
        let d = s.distance(seq)
        if d < 0 {
            // Retransmission or overlap with data already handed on: the first copy won.
            let skip = -d
            if skip >= Int64(hi - lo) { return nil }
            lo += Int(skip)
            seq = s.next
        }
        if s.distance(seq) == 0 {
            // In order: hand on up to the first held segment, which was seen first.
            var end = hi
            if let first = s.pending.first {
                let room = s.distance(first.seq)
                if room < Int64(end - lo) { end = lo + Int(max(0, room)) }
            }
            if end < hi {
                if end == lo {
                    hold(&s, seq: seq, UnsafeRawBufferPointer(rebasing: data[lo..<hi]))
                } else {
                    tail = (seq &+ UInt32(end - lo), end..<hi)
                }
            }
            return end > lo ? lo..<end : nil
        }
        hold(&s, seq: seq, UnsafeRawBufferPointer(rebasing: data[lo..<hi]))
        return nil
    }

    /// Keep the parts of an out-of-order segment that no held segment covers yet.
    func hold(_ s: inout TCPStream, seq: UInt32, _ data: UnsafeRawBufferPointer) {
        if !s.pending.isEmpty && s.pendingBytes + data.count + Self.segmentOverhead > limits.maxPendingPerStream {
            // Too much held for one direction: give up on the oldest hole. The caller's
            // `popReady` then hands on what was held after it, which frees the room.
            hit(.streamMemcap)
            skipToFirstPending(&s)
        }
        var start = s.distance(seq)
        let end = start + Int64(data.count)
        guard end > 0 else { return }
        if start < 0 { start = 0 }
        var i = 0
        while start < end {
            while i < s.pending.count && s.distance(s.pending[i].seq) + Int64(s.pending[i].bytes.count) <= start { i += 1 }
            let holeEnd: Int64
            if i < s.pending.count {
                let ps = s.distance(s.pending[i].seq)
                if ps <= start {
                    start = ps + Int64(s.pending[i].bytes.count)
                    continue
                }
                holeEnd = min(end, ps)
            } else {
                holeEnd = end
            }
            let n = Int(holeEnd - start)
            let cost = n + Self.segmentOverhead
            guard held + cost <= limits.memcap else {
                hit(.streamMemcap)
                return
            }
            var bytes = pool.popLast() ?? []
            let from = Int(start - s.distance(seq))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[from..<(from + n)]))
            s.pending.insert(TCPStream.Segment(seq: s.next &+ UInt32(truncatingIfNeeded: start), bytes: bytes), at: i)
            s.pendingBytes += cost
            held += cost
            i += 1
            start = holeEnd
        }
    }

    /// Declare the hole before the first held segment lost. False when nothing is held.
    @discardableResult
    func skipToFirstPending(_ s: inout TCPStream) -> Bool {
        guard let first = s.pending.first else { return false }
        let d = s.distance(first.seq)
        if d > 0 {
            s.pendingGap += d
            s.offset += d
            s.next = first.seq
        }
        return true
    }

    /// The receiver acknowledged up to `ack`: a hole before held data it acknowledged was
    /// lost by the capture.
    func acknowledged(_ s: inout TCPStream, ack: UInt32) {
        guard s.hasBase, !s.ended, let first = s.pending.first else { return }
        let a = s.distance(ack)
        let f = s.distance(first.seq)
        if f > 0 && f < a && a < 1 << 30 { skipToFirstPending(&s) }
    }

    /// The next held segment that continues the stream at `next`, taken out of the stream
    /// (give it back with `recycle` once handed on).
    func popReady(_ s: inout TCPStream) -> [UInt8]? {
        while let first = s.pending.first {
            let d = s.distance(first.seq)
            if d > 0 { return nil }
            var seg = s.pending.removeFirst()
            s.pendingBytes -= seg.bytes.count + Self.segmentOverhead
            held -= seg.bytes.count + Self.segmentOverhead
            let skip = Int(-d)
            if skip >= seg.bytes.count {
                recycle(&seg.bytes)
                continue
            }
            if skip > 0 { seg.bytes.removeFirst(skip) }
            if s.finSeen {
                let room = Int64(Int32(bitPattern: s.finSeq &- s.next))
                if room <= 0 { recycle(&seg.bytes); continue }
                if room < Int64(seg.bytes.count) { seg.bytes.removeLast(seg.bytes.count - Int(room)) }
            }
            return seg.bytes
        }
        return nil
    }

    /// Account for `count` bytes about to be handed on at `next`; returns how many the depth
    /// allows (0 when the depth is reached).
    func admit(_ s: inout TCPStream, _ count: Int) -> Int {
        guard !s.depthReached else { return 0 }
        var n = count
        if limits.depth > 0 && s.offset + Int64(n) > limits.depth {
            n = Int(max(0, limits.depth - s.offset))
            s.depthReached = true
            hit(.streamDepth)
            dropPending(&s)
        }
        return n
    }

    /// Move past `count` bytes just handed on (the full segment length, even if the depth
    /// let fewer through).
    func advance(_ s: inout TCPStream, _ count: Int) {
        s.next &+= UInt32(truncatingIfNeeded: count)
        s.offset += Int64(count)
        s.pendingGap = 0
        s.chunks += 1
    }

    /// Whether the direction has reached its FIN.
    func finished(_ s: TCPStream) -> Bool { s.finSeen && s.next == s.finSeq }

    func dropPending(_ s: inout TCPStream) {
        for i in s.pending.indices {
            held -= s.pending[i].bytes.count + Self.segmentOverhead
            recycle(&s.pending[i].bytes)
        }
        s.pending.removeAll()
        s.pendingBytes = 0
    }

    /// Give a segment's bytes back to the pool (moved, so their storage is kept).
    func recycle(_ bytes: inout [UInt8]) {
        var b: [UInt8] = []
        swap(&b, &bytes)
        guard pool.count < 512, b.capacity > 0, b.capacity <= 1 << 16 else { return }
        b.removeAll(keepingCapacity: true)
        pool.append(b)
    }

    func takeCapHits() -> [Cap: Int] {
        defer { capHits.removeAll(keepingCapacity: true) }
        return capHits
    }
}
