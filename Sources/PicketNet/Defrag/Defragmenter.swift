import PicketCore

/// IPv4 and IPv6 fragment reassembly.
///
/// ```
/// IPv4 (RFC 791): identification(16) flags(3: 0, DF, MF) fragment_offset(13, 8-byte units)
///   datagram key: (src, dst, identification, protocol)
/// IPv6 (RFC 8200 section 4.5), the Fragment header:
///   next_header(8) reserved(8) fragment_offset(13) res(2) M(1) identification(32)
///   datagram key: (src, dst, identification); the unfragmentable part (fixed header and the
///   extension headers before the Fragment header) comes from the fragment with offset 0.
/// ```
/// Overlaps: **first seen wins** (each byte of the datagram is taken from the first fragment
/// that carried it; later copies of it are ignored), like Suricata's `bsd`-family policies
/// for non-overlapping starts and like most stacks. A datagram is complete when the last
/// fragment (MF or M clear) has fixed its length and every byte below it has arrived.
///
/// The reassembled datagram is built as Suricata builds it: the first fragment's link header
/// and IP header, IPv4 total length and flags/offset rewritten with a new header checksum,
/// IPv6 payload length rewritten and the Fragment header removed (its next header moved into
/// the header before it).
///
/// Limits (counted as caps): `memcap` bytes of fragment data held at once (`defrag_memcap`:
/// a fragment that does not fit is dropped), `maxTrackers` datagrams pending at once (the
/// oldest is dropped, also `defrag_memcap`), `maxFragments` fragments per datagram
/// (`defrag_fragments`: the datagram is dropped). Pending datagrams time out `timeout` after
/// their first fragment, in packet time.
public final class Defragmenter {
    public struct Limits: Sendable {
        public var memcap = 16 << 20
        public var maxTrackers = 8192
        public var maxFragments = 256
        public var timeoutNanos: Int64 = 60_000_000_000
        public init() {}
    }

    struct Key: Hashable {
        var src: IPAddress
        var dst: IPAddress
        var id: UInt32
        var proto: UInt8
        var version: UInt8
        var vlan0: UInt16
        var vlan1: UInt16
    }

    struct Piece {
        var offset: Int
        var bytes: [UInt8]
        var end: Int { offset + bytes.count }
    }

    struct Tracker {
        var key: Key
        var live = false
        var generation: UInt32 = 0
        var firstSeen = Timestamp(nanoseconds: 0)
        var linkType: UInt32 = 0
        /// Link header and IP header up to the fragmentable part, from the offset-0 fragment.
        var header: [UInt8] = []
        var haveFirst = false
        /// Offset of the IP header inside `header`.
        var l3Offset = 0
        /// IPv6: where in `header` the next-header byte naming the Fragment header is.
        var nextHeaderAt = -1
        var fragmentNextHeader: UInt8 = 0
        var totalLength = -1
        var pieces: [Piece] = []
        var held = 0
        var fragments = 0
    }

    public let limits: Limits
    /// Each stored piece counts this much on top of its bytes against the memcap.
    static let pieceOverhead = 64
    private var index: [Key: Int] = [:]
    private var trackers: [Tracker] = []
    private var free: [Int] = []
    /// Trackers in creation order (index, generation), for timeouts and oldest-first eviction.
    private var order: [(Int, UInt32)] = []
    private var orderHead = 0
    private var pool: [[UInt8]] = []
    private var held = 0
    /// Cap hits since the last `takeCapHits`.
    public private(set) var capHits: [Cap: Int] = [:]

    /// The last reassembled datagram with its link header; valid until the next `add`.
    public private(set) var reassembled: [UInt8] = []
    public private(set) var reassembledLinkType: UInt32 = 0
    public private(set) var reassembledFragments = 0

    public var pendingDatagrams: Int { index.count }
    public var heldBytes: Int { held }

    public init(limits: Limits = Limits()) {
        self.limits = limits
        reassembled.reserveCapacity(1 << 16)
    }

    private func hit(_ cap: Cap) { capHits[cap, default: 0] += 1 }

    public func takeCapHits() -> [Cap: Int] {
        defer { capHits.removeAll(keepingCapacity: true) }
        return capHits
    }

    /// Add one fragment (`p.isFragment`). Returns true when it completed a datagram, which is
    /// then in `reassembled` (to be decoded with `reassembledLinkType`).
    public func add(_ p: DecodedPacket, data: UnsafeRawBufferPointer, timestamp: Timestamp) -> Bool {
        expire(now: timestamp)
        guard p.isFragment, p.ipVersion == 4 || p.ipVersion == 6 else { return false }
        let dataStart = p.fragmentDataOffset
        let dataEnd = p.ipEnd
        guard dataStart >= 0, dataEnd <= data.count, dataStart <= dataEnd else { return false }
        let length = dataEnd - dataStart
        let offset = p.fragmentOffset
        // A datagram is at most 65535 bytes of IP payload (IPv4 counts its header too).
        guard offset + length <= 65535 else { return false }
        let key = Key(src: p.src, dst: p.dst, id: p.ipID, proto: p.ipVersion == 4 ? p.ipProto : 0,
                      version: p.ipVersion, vlan0: p.vlanCount > 0 ? p.vlan0 : 0, vlan1: p.vlanCount > 1 ? p.vlan1 : 0)
        let t: Int
        if let existing = index[key] {
            t = existing
        } else {
            if index.count >= limits.maxTrackers {
                hit(.defragMemcap)
                dropOldest()
            }
            t = allocate(key, timestamp: timestamp, linkType: p.linkType)
        }
        trackers[t].fragments += 1
        if trackers[t].fragments > limits.maxFragments {
            hit(.defragFragments)
            release(t)
            return false
        }
        if offset == 0 && !trackers[t].haveFirst {
            // Keep the link header and the unfragmentable part.
            var h = take()
            if p.ipVersion == 4 {
                h.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[0..<dataStart]))
                trackers[t].nextHeaderAt = -1
            } else {
                let fh = p.ipv6FragmentHeaderOffset
                guard fh >= p.l3Offset + 40, fh + 8 == dataStart, p.ipv6FragmentNextHeaderAt >= 0 else {
                    give(&h)
                    return false
                }
                h.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[0..<fh]))
                trackers[t].nextHeaderAt = p.ipv6FragmentNextHeaderAt
                trackers[t].fragmentNextHeader = data[fh]
            }
            trackers[t].l3Offset = p.l3Offset
            trackers[t].header = h
            trackers[t].haveFirst = true
            trackers[t].linkType = p.linkType
        }
        if !p.moreFragments && trackers[t].totalLength < 0 {
            trackers[t].totalLength = offset + length
        }
        insert(t, offset: offset, UnsafeRawBufferPointer(rebasing: data[dataStart..<dataEnd]))
        return complete(t)
    }

    /// Store the parts of [offset, offset+len) that no earlier fragment covered.
    private func insert(_ t: Int, offset: Int, _ bytes: UnsafeRawBufferPointer) {
        var start = offset
        var end = offset + bytes.count
        let total = trackers[t].totalLength
        if total >= 0 { end = min(end, total) }
        guard start < end else { return }
        var i = 0
        // Pieces are sorted and disjoint; walk them and fill the holes inside [start, end).
        while start < end {
            while i < trackers[t].pieces.count && trackers[t].pieces[i].end <= start { i += 1 }
            let holeEnd: Int
            if i < trackers[t].pieces.count {
                let next = trackers[t].pieces[i]
                if next.offset <= start { start = next.end; continue }
                holeEnd = min(end, next.offset)
            } else {
                holeEnd = end
            }
            let n = holeEnd - start
            let cost = n + Self.pieceOverhead
            guard held + cost <= limits.memcap else {
                hit(.defragMemcap)
                return
            }
            var piece = take()
            piece.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[(start - offset)..<(holeEnd - offset)]))
            trackers[t].pieces.insert(Piece(offset: start, bytes: piece), at: i)
            trackers[t].held += cost
            held += cost
            i += 1
            start = holeEnd
        }
    }

    private func complete(_ t: Int) -> Bool {
        // Scalars only: a copy of the tracker would share its arrays and make `release`
        // copy them instead of reusing them.
        let tr = (haveFirst: trackers[t].haveFirst, totalLength: trackers[t].totalLength, l3Offset: trackers[t].l3Offset,
                  version: trackers[t].key.version, nextHeaderAt: trackers[t].nextHeaderAt,
                  fragmentNextHeader: trackers[t].fragmentNextHeader, linkType: trackers[t].linkType,
                  fragments: trackers[t].fragments)
        guard tr.haveFirst, tr.totalLength >= 0 else { return false }
        var covered = 0
        for piece in trackers[t].pieces {
            guard piece.offset == covered else { return false }
            covered = piece.end
        }
        guard covered >= tr.totalLength else { return false }
        let total = tr.totalLength
        reassembled.removeAll(keepingCapacity: true)
        reassembled.append(contentsOf: trackers[t].header)
        for piece in trackers[t].pieces where piece.offset < total {
            reassembled.append(contentsOf: piece.bytes[0..<(min(piece.end, total) - piece.offset)])
        }
        let l3 = tr.l3Offset
        if tr.version == 4 {
            let ipLength = reassembled.count - l3
            guard ipLength <= 65535 else { release(t); return false }
            reassembled[l3 + 2] = UInt8(ipLength >> 8)
            reassembled[l3 + 3] = UInt8(ipLength & 255)
            reassembled[l3 + 6] = 0
            reassembled[l3 + 7] = 0
            let hlen = Int(reassembled[l3] & 0x0F) * 4
            reassembled[l3 + 10] = 0
            reassembled[l3 + 11] = 0
            var sum: UInt32 = 0
            var k = l3
            while k + 1 < l3 + hlen {
                sum &+= UInt32(reassembled[k]) << 8 | UInt32(reassembled[k + 1])
                k += 2
            }
            while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
            let check = ~UInt16(sum)
            reassembled[l3 + 10] = UInt8(check >> 8)
            reassembled[l3 + 11] = UInt8(check & 255)
        } else {
            let payloadLength = reassembled.count - l3 - 40
            guard payloadLength <= 65535, tr.nextHeaderAt >= 0, tr.nextHeaderAt < reassembled.count else {
                release(t)
                return false
            }
            reassembled[l3 + 4] = UInt8(payloadLength >> 8)
            reassembled[l3 + 5] = UInt8(payloadLength & 255)
            reassembled[tr.nextHeaderAt] = tr.fragmentNextHeader
        }
        reassembledLinkType = tr.linkType
        reassembledFragments = tr.fragments
        release(t)
        return true
    }

    private func allocate(_ key: Key, timestamp: Timestamp, linkType: UInt32) -> Int {
        let t: Int
        if let f = free.popLast() {
            t = f
            trackers[t].key = key
        } else {
            t = trackers.count
            trackers.append(Tracker(key: key))
        }
        trackers[t].live = true
        trackers[t].generation &+= 1
        trackers[t].firstSeen = timestamp
        trackers[t].linkType = linkType
        trackers[t].haveFirst = false
        trackers[t].totalLength = -1
        trackers[t].held = 0
        trackers[t].fragments = 0
        trackers[t].nextHeaderAt = -1
        index[key] = t
        order.append((t, trackers[t].generation))
        return t
    }

    private func release(_ t: Int) {
        guard trackers[t].live else { return }
        index[trackers[t].key] = nil
        held -= trackers[t].held
        for i in trackers[t].pieces.indices { give(&trackers[t].pieces[i].bytes) }
        trackers[t].pieces.removeAll(keepingCapacity: true)
        give(&trackers[t].header)
        trackers[t].live = false
        trackers[t].held = 0
        free.append(t)
    }

    private func dropOldest() {
        while orderHead < order.count {
            let (t, gen) = order[orderHead]
            orderHead += 1
            if trackers[t].live && trackers[t].generation == gen {
                release(t)
                break
            }
        }
        compactOrder()
    }

    /// Drop datagrams whose first fragment is older than the timeout.
    public func expire(now: Timestamp) {
        while orderHead < order.count {
            let (t, gen) = order[orderHead]
            if trackers[t].live && trackers[t].generation == gen {
                guard now.nanoseconds &- trackers[t].firstSeen.nanoseconds > limits.timeoutNanos else { break }
                release(t)
            }
            orderHead += 1
        }
        compactOrder()
    }

    /// Forget everything pending (end of an input).
    public func clear() {
        for t in trackers.indices where trackers[t].live { release(t) }
        order.removeAll(keepingCapacity: true)
        orderHead = 0
    }

    private func compactOrder() {
        if orderHead == order.count {
            order.removeAll(keepingCapacity: true)
            orderHead = 0
        } else if orderHead > 4096 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    private func take() -> [UInt8] { pool.popLast() ?? [] }

    /// Give bytes back to the pool (moved, so their storage is kept); `b` is left empty.
    private func give(_ b: inout [UInt8]) {
        var mine: [UInt8] = []
        swap(&mine, &b)
        guard pool.count < 256, mine.capacity > 0, mine.capacity <= 1 << 16 else { return }
        mine.removeAll(keepingCapacity: true)
        pool.append(mine)
    }
}
