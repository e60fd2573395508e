import PicketCore

/// Which multi-fragment message a VDM/VDO fragment belongs to: the stream it came on (input,
/// packet source), talker, VDM or VDO, radio channel, sequential message id and fragment count.
struct FragmentKey: Hashable {
    var stream: UInt64
    var talker: UInt16
    var own: Bool
    var channel: UInt8
    var sequence: Int8
    var count: UInt8
    /// Hash of the tag block `s:` station, 0 without one: stations sharing a feed (an
    /// aggregator's) each have their fragments put together on their own.
    var source: UInt64 = 0

    var withoutSource: FragmentKey {
        var k = self
        k.source = 0
        return k
    }
}

/// Puts multi-fragment AIS messages back together (IEC 61162-1 VDM/VDO):
/// ```
///  !AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E
///  !AIVDM,2,2,3,B,1@0000000000000,2*55
///         │ │ │ │ └ payload (6-bit armoured)          └ fill bits (last fragment only)
///         │ │ │ └ channel A/B (1/2 on some receivers)
///         │ │ └ sequential message id 0-9, empty for single-fragment messages
///         │ └ fragment number 1...count
///         └ fragment count 1...9
/// ```
/// Fragments must come in order; a fragment whose predecessors were not seen is malformed.
/// Bounded three ways, each counted: `maxPending` groups waiting at once (the oldest is dropped,
/// `ais_fragment_groups`), `AISPayload.maxChars` characters per message (`ais_fragments`), and
/// a group older than `timeoutNS` of record time or `maxAgeSentences` AIS sentences (of any stream)
/// is dropped (`ais_fragment_timeout`).
final class AISAssembler {
    static let maxPending = 1024
    static let maxFragments = 9
    static let timeoutNS: Int64 = 120_000_000_000
    static let maxAgeSentences = 10_000

    struct Group {
        var key: FragmentKey
        var next = 1
        var chars: [UInt8] = []
        var startTime: Timestamp?
        var startSentence = 0
        var started: UInt64 = 0
        var inUse = false
    }

    enum Result {
        /// The message is complete in `payload`; `firstTime` is the first fragment's record time.
        case complete(firstTime: Timestamp?)
        /// Waiting for more fragments.
        case pending
        case problem(NMEAProblem)
    }

    private var groups: [Group] = []
    private var free: [Int] = []
    private var index: [FragmentKey: Int] = [:]
    /// Per key without its station: the group that started last with a station.
    private var latestOfAnySource: [FragmentKey: Int] = [:]
    private var sentences = 0
    private var order: UInt64 = 0
    var groupsCapped = 0
    var timedOut = 0
    var tooLong = 0

    var pendingCount: Int { index.count }

    /// One fragment: `payload` range in `b`, `fill` bits, and the sentence's record time.
    func add(_ key: FragmentKey, number: Int, b: UnsafeRawBufferPointer, payloadRange: Range<Int>, fill: Int,
             time: Timestamp?, into payload: inout AISPayload) -> Result {
        sentences += 1
        if sentences & 255 == 0 { expire(now: time) }
        let count = Int(key.count)
        if count == 1 {
            payload.reset()
            if let p = payload.append(b, payloadRange) {
                if p == .aisPayloadTooLong { tooLong += 1 }
                return .problem(p)
            }
            payload.dropFill(fill)
            return .complete(firstTime: time)
        }
        if number == 1 {
            if let old = index[key] { release(old) }
            guard payloadRange.count <= AISPayload.maxChars else { tooLong += 1; return .problem(.aisPayloadTooLong) }
            for k in payloadRange where !isArmour(b[k]) { return .problem(.aisBadPayloadCharacter) }
            let g = acquire(key)
            groups[g].startTime = time
            groups[g].startSentence = sentences
            groups[g].chars.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[payloadRange]))
            groups[g].next = 2
            return .pending
        }
        // A later fragment may name its station where the first did not, or (NMEA 4.10 groups)
        // not repeat the station the first named: then it joins the group without one, or the
        // latest group of any station.
        guard let g = index[key] ?? (key.source != 0 ? index[key.withoutSource] : latestOfAnySource[key]) else {
            return .problem(.aisFragmentOutOfOrder)
        }
        guard groups[g].next == number else {
            release(g)
            return .problem(.aisFragmentOutOfOrder)
        }
        guard groups[g].chars.count + payloadRange.count <= AISPayload.maxChars else {
            release(g)
            tooLong += 1
            return .problem(.aisPayloadTooLong)
        }
        for k in payloadRange where !isArmour(b[k]) {
            release(g)
            return .problem(.aisBadPayloadCharacter)
        }
        groups[g].chars.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[payloadRange]))
        groups[g].next += 1
        guard number == count else { return .pending }
        payload.reset()
        let first = groups[g].startTime
        let problem = groups[g].chars.withUnsafeBytes { payload.append($0, 0..<$0.count) }
        release(g)
        if let problem { return .problem(problem) }
        payload.dropFill(fill)
        return .complete(firstTime: first)
    }

    @inline(__always) private func isArmour(_ c: UInt8) -> Bool { (c >= 48 && c <= 87) || (c >= 96 && c <= 119) }

    private func acquire(_ key: FragmentKey) -> Int {
        if index.count >= Self.maxPending {
            // Drop the oldest waiting group.
            var oldest = -1
            var best = UInt64.max
            for (_, g) in index where groups[g].started < best { best = groups[g].started; oldest = g }
            if oldest >= 0 { release(oldest); groupsCapped += 1 }
        }
        order += 1
        let g: Int
        if let f = free.popLast() {
            g = f
        } else {
            groups.append(Group(key: key))
            groups[groups.count - 1].chars.reserveCapacity(128)
            g = groups.count - 1
        }
        groups[g].key = key
        groups[g].next = 1
        groups[g].chars.removeAll(keepingCapacity: true)
        groups[g].started = order
        groups[g].inUse = true
        index[key] = g
        if key.source != 0 { latestOfAnySource[key.withoutSource] = g }
        return g
    }

    private func release(_ g: Int) {
        guard groups[g].inUse else { return }
        groups[g].inUse = false
        index[groups[g].key] = nil
        let anySource = groups[g].key.withoutSource
        if latestOfAnySource[anySource] == g { latestOfAnySource[anySource] = nil }
        free.append(g)
    }

    /// The input ended: its groups can never complete (fragments join only within one input),
    /// so they are dropped and counted as timed out.
    func endInput() {
        for g in 0..<groups.count where groups[g].inUse {
            release(g)
            timedOut += 1
        }
    }

    /// Drop groups that waited too long.
    private func expire(now: Timestamp?) {
        for g in 0..<groups.count where groups[g].inUse {
            let oldBySentences = sentences - groups[g].startSentence > Self.maxAgeSentences
            var oldByTime = false
            if let now, let start = groups[g].startTime {
                // Times come from the input and may sit at the ends of Int64: no overflow trap.
                let (age, o) = now.nanoseconds.subtractingReportingOverflow(start.nanoseconds)
                oldByTime = o ? now.nanoseconds > start.nanoseconds : age > Self.timeoutNS
            }
            if oldBySentences || oldByTime {
                release(g)
                timedOut += 1
            }
        }
    }
}
