import PicketCore
import PicketMatch

/// Where matches go: one call per finding (detection signatures and fired correlations).
public protocol FindingSink {
    /// `correlation` carries the group and count when a correlation fired.
    mutating func finding<E: Event>(_ signature: Signature, event: E, input: String, evidence: [Evidence],
                                    correlation: CorrelationHit?) -> Bool
}

public struct CorrelationHit: Sendable {
    public var group: [(String, String)]
    public var count: Int
    public var first: Timestamp
    public var last: Timestamp
}

/// The mutable side of matching, one per scanning thread: Hyperscan scratch, match collectors,
/// per-stream state and correlation windows. Bounded: streams and correlation groups have caps,
/// and hitting one is counted.
public final class Matcher {
    public let compiled: CompiledSet
    private let scratch = ScratchSpace()
    /// One collector per block buffer, and the same without reference counting for the
    /// per-event path (`collectors` keeps them alive).
    private let collectors: [MatchCollector]
    private let collectorRefs: [Unmanaged<MatchCollector>]
    private let streamCollector: MatchCollector
    /// Signatures already seen as candidates for the current event (generation stamps).
    private var candidateStamp: [UInt32]
    private var generation: UInt32 = 0
    private var candidates: [Int32] = []

    struct StreamState {
        var stream: OpaquePointer
        var seen: Set<Int>
        var order: UInt64
    }
    private var streams: [StreamKey: StreamState] = [:]
    private var streamOrder: UInt64 = 0
    public static let maxStreams = 100_000
    public private(set) var streamsEvicted = 0

    /// Per event kind: the prefilter buffers its events are scanned in, and whether some
    /// signature without a literal sees it; worked out once so the per-event path compares no
    /// field names.
    private struct BufferPlan {
        enum Source { case payload, normalizedURI, field }
        var buffer: Int
        var source: Source
    }
    /// Plans of kind k: `flatPlans[planRanges[k]]`.
    private let flatPlans: [BufferPlan]
    private let planRanges: [Range<Int>]
    private let fieldNames: [String]
    private let hasUnfiltered: [Bool]
    private let hasSuricataStreamRules: Bool
    private let databases: [PatternDatabase]
    private let databaseRefs: [Unmanaged<PatternDatabase>]
    private let bufferTriggers: [[[Int32]]]

    private var correlation: CorrelationState
    /// Suricata: stream windows, thresholds, and the signatures already alerted for the
    /// current packet (Suricata alerts once per signature and packet).
    private var windows: [StreamKey: SuricataWindow] = [:]
    private var windowBytes = 0
    public static let windowBudget = 256 << 20
    public private(set) var windowsTrimmed = 0
    private var thresholds: [Int: ThresholdState] = [:]
    private var alertedOrigin: Origin?
    private var alertedSigs: Set<Int> = []
    /// TLS is one transaction per flow: a rule alerts on it once (a second ClientHello after a
    /// HelloRetryRequest is the same transaction).
    private var tlsAlerted: Set<[UInt64]> = []
    public var correlationGroupsEvicted: Int { correlation.evicted }
    /// Matches PCRE2 gave up on at its match limit, over every regex of the set.
    public var regexLimitHits: Int {
        var n = 0
        for sig in compiled.set.signatures {
            for sel in sig.selections { for alt in sel.alternatives { for t in alt { for v in t.values {
                if case .regex(let r, _) = v { n += r.limitHits }
            } } } }
            for m in sig.suricata?.matches ?? [] { if case .pcre(let p) = m { n += p.regex.limitHits } }
        }
        return n
    }

    /// The caps the matcher hit, for `caps_hit`.
    public var capsHit: [Cap: Int] {
        [.matchStreams: streamsEvicted, .suricataStreamBudget: windowsTrimmed,
         .correlationGroups: correlationGroupsEvicted, .pcreMatchLimit: regexLimitHits]
    }

    public init(_ compiled: CompiledSet) throws(MatchError) {
        self.compiled = compiled
        var collectors: [MatchCollector] = []
        for b in compiled.blockBuffers {
            try scratch.prepare(for: b.database)
            collectors.append(MatchCollector(patternCount: b.database.patternCount))
        }
        self.collectors = collectors
        collectorRefs = collectors.map { Unmanaged.passUnretained($0) }
        if let s = compiled.streamDatabase {
            try scratch.prepare(for: s)
            streamCollector = MatchCollector(patternCount: s.patternCount)
        } else {
            streamCollector = MatchCollector(patternCount: 0)
        }
        streamCollector.everyOccurrence = true
        candidateStamp = Array(repeating: 0, count: compiled.set.signatures.count)
        var flat: [BufferPlan] = []
        var ranges: [Range<Int>] = []
        for kind in EventKind.allCases {
            let start = flat.count
            for (bi, b) in compiled.blockBuffers.enumerated() where b.kinds.contains(kind) {
                flat.append(BufferPlan(buffer: bi, source: b.field == "payload" ? .payload : b.field == "http.uri.normalized" ? .normalizedURI : .field))
            }
            ranges.append(start..<flat.count)
        }
        flatPlans = flat
        planRanges = ranges
        fieldNames = compiled.blockBuffers.map(\.field)
        hasSuricataStreamRules = !compiled.suricataStreamRules.isEmpty
        databases = compiled.blockBuffers.map(\.database)
        databaseRefs = databases.map { Unmanaged.passUnretained($0) }
        bufferTriggers = compiled.blockBuffers.map(\.triggers)
        hasUnfiltered = EventKind.allCases.map { kind in
            !compiled.unfiltered[Int(kind.rawValue)].isEmpty || !compiled.unfilteredAlways[Int(kind.rawValue)].isEmpty
        }
        correlation = CorrelationState(count: compiled.set.signatures.count)
    }

    deinit {
        for (_, s) in streams { compiled.streamDatabase?.closeStream(s.stream, scratch: scratch, into: nil) }
    }

    @inline(__always) private func addCandidate(_ i: Int32) {
        if candidateStamp[Int(i)] != generation {
            candidateStamp[Int(i)] = generation
            candidates.append(i)
        }
    }

    private func nextGeneration() {
        generation &+= 1
        if generation == 0 {
            for k in candidateStamp.indices { candidateStamp[k] = 0 }
            generation = 1
        }
        candidates.removeAll(keepingCapacity: true)
    }

    /// Match one event against the set; findings go to `sink`. Returns false if the sink asked to stop.
    public func process<E: Event, S: FindingSink>(_ e: E, input: String, sink: inout S) -> Bool {
        let kind = e.kind
        if kind == .stream, let key = e.streamKey {
            if hasSuricataStreamRules, !suricataStream(e, key: key, input: input, sink: &sink) { return false }
            if let db = compiled.streamDatabase { return processStream(e, key: key, db: db, input: input, sink: &sink) }
            return true
        }
        if kind == .packet && hasSuricataStreamRules && !windows.isEmpty,
           !suricataAcknowledge(e, sink: &sink) { return false }
        let k = Int(kind.rawValue)
        let range = planRanges[k]
        let unfiltered = hasUnfiltered[k]
        if range.isEmpty && !unfiltered { return true }
        // Prefilter: scan each buffer this kind can have. This runs for every event and most
        // find nothing, so it touches only constants and the collectors, through references
        // that are not counted (counting them was a third of a log line's time).
        var anyHits = false
        for pi in range {
            let plan = flatPlans[pi]
            let found = collectorRefs[plan.buffer]._withUnsafeGuaranteedRef { c -> Bool in
                c.reset()
                switch plan.source {
                case .payload:
                    if let ahead = e.payloadHits {
                        if ahead.isEmpty { return false }
                        c.load(ahead)
                    } else {
                        let p = e.payload
                        if p.isEmpty { return false }
                        databaseRefs[plan.buffer]._withUnsafeGuaranteedRef { $0.scan(p, scratch: scratch, into: c) }
                    }
                case .normalizedURI:
                    guard let v = e.field("http.url") else { return false }
                    let normalized = Evaluator.withBytes(v) { SuricataEvaluator.normalizedURI($0) }
                    normalized.withUnsafeBytes { b in
                        databaseRefs[plan.buffer]._withUnsafeGuaranteedRef { $0.scan(b, scratch: scratch, into: c) }
                    }
                case .field:
                    guard let v = e.field(fieldNames[plan.buffer]) else { return false }
                    Evaluator.withBytes(v) { b in
                        databaseRefs[plan.buffer]._withUnsafeGuaranteedRef { $0.scan(b, scratch: scratch, into: c) }
                    }
                }
                return !c.isEmpty
            }
            anyHits = anyHits || found
        }
        if !anyHits && !unfiltered { return true }
        nextGeneration()
        if anyHits {
            let sigs = compiled.set.signatures
            for pi in range {
                let c = collectors[flatPlans[pi].buffer]
                if c.isEmpty { continue }
                let triggers = bufferTriggers[flatPlans[pi].buffer]
                for id in c.hits { for s in triggers[Int(id)] where sigs[Int(s)].kinds.contains(kind) { addCandidate(s) } }
            }
        }
        if unfiltered {
            for (field, list) in compiled.unfiltered[k] where e.field(field) != nil {
                for s in list { addCandidate(s) }
            }
            for s in compiled.unfilteredAlways[k] { addCandidate(s) }
        }
        if candidates.isEmpty { return true }
        candidates.sort()
        let ctx = EvaluationContext(streamSeen: nil, streamIndex: compiled.streamIndex)
        for s in candidates {
            if !confirm(Int(s), e, ctx, input: input, sink: &sink) { return false }
        }
        return true
    }

    /// Stream chunks: the stream database keeps state across chunks; every occurrence of a fast
    /// pattern is a candidate, so a literal split across segments matches once, where it ends.
    private func processStream<E: Event, S: FindingSink>(_ e: E, key: StreamKey, db: PatternDatabase, input: String, sink: inout S) -> Bool {
        var state: StreamState
        if let s = streams[key] {
            state = s
        } else {
            guard let h = db.openStream() else { return true }
            if streams.count >= Self.maxStreams {
                // Drop the oldest eighth at once, so eviction costs O(1) per stream on average.
                let doomed = streams.sorted { $0.value.order < $1.value.order }.prefix(Self.maxStreams / 8)
                for (key, state) in doomed {
                    db.closeStream(state.stream, scratch: scratch, into: nil)
                    streams.removeValue(forKey: key)
                    streamsEvicted += 1
                }
            }
            streamOrder += 1
            state = StreamState(stream: h, seen: [], order: streamOrder)
        }
        streamCollector.reset()
        db.scan(stream: state.stream, e.payload, scratch: scratch, into: streamCollector)
        for id in streamCollector.hits { state.seen.insert(Int(id)) }
        streams[key] = state
        let sigs = compiled.set.signatures
        let ctx = EvaluationContext(streamSeen: state.seen, streamIndex: compiled.streamIndex)
        for id in streamCollector.hits {
            nextGeneration()
            for s in compiled.streamTriggers[Int(id)] where sigs[Int(s)].kinds.contains(.stream) { addCandidate(s) }
            for s in candidates where !confirm(Int(s), e, ctx, input: input, sink: &sink) { return false }
        }
        // Stream signatures without literals see every chunk.
        nextGeneration()
        for (field, list) in compiled.unfiltered[Int(EventKind.stream.rawValue)] where e.field(field) != nil {
            for s in list { addCandidate(s) }
        }
        for s in compiled.unfilteredAlways[Int(EventKind.stream.rawValue)] { addCandidate(s) }
        for s in candidates where !confirm(Int(s), e, ctx, input: input, sink: &sink) { return false }
        return true
    }

    /// A stream direction ended: what is left of it is inspected, then its state goes.
    public func streamEnded<S: FindingSink>(_ key: StreamKey, sink: inout S) -> Bool {
        if let s = streams.removeValue(forKey: key) {
            compiled.streamDatabase?.closeStream(s.stream, scratch: scratch, into: nil)
        }
        if windows[key] != nil { windows[key]!.ended = true }
        return true
    }

    /// The input ended: inspect what every stream still holds, on the flow's last packet.
    public func inputEnded<S: FindingSink>(sink: inout S) -> Bool {
        for key in windows.keys.sorted(by: { ($0.flowID, $0.toServer ? 0 : 1) < ($1.flowID, $1.toServer ? 0 : 1) }) {
            guard var w = windows.removeValue(forKey: key) else { continue }
            if !inspectWindow(&w, origin: w.lastPacket, sink: &sink) { return false }
        }
        windowBytes = 0
        return true
    }

    // MARK: Suricata

    /// Add a stream chunk to the pending data of its direction.
    private func suricataStream<E: Event, S: FindingSink>(_ e: E, key: StreamKey, input: String, sink: inout S) -> Bool {
        let p = e.payload
        var w = windows.removeValue(forKey: key) ?? SuricataWindow(last: SavedEvent(e, payload: []), input: input)
        let start: Int64
        if case .int(let o) = e.field("stream.offset") { start = o } else { start = w.end }
        if w.runs.isEmpty && w.end == 0 && w.inspected == 0 { w.inspected = 0 }
        if !p.isEmpty {
            if w.pendingSeq == nil, case .int(let q) = e.field("stream.seq") { w.pendingSeq = UInt32(truncatingIfNeeded: q) }
            if w.runs.isEmpty || start != w.end {
                w.runs.append(SuricataWindow.Run(start: start, bytes: Array(p)))
            } else {
                w.runs[w.runs.count - 1].bytes.append(contentsOf: p)
            }
            w.held += p.count
            windowBytes += p.count
        }
        w.end = max(w.end, start + Int64(p.count))
        w.last = SavedEvent(e, payload: [])
        var ok = true
        if w.held >= SuricataWindow.maxBytes || windowBytes > Self.windowBudget {
            if windowBytes > Self.windowBudget { windowsTrimmed += 1 }
            ok = inspectWindow(&w, origin: nil, sink: &sink)
        }
        windows[key] = w
        return ok
    }

    /// A packet going the other way acknowledges the pending data of a direction: inspect it.
    private func suricataAcknowledge<E: Event, S: FindingSink>(_ e: E, sink: inout S) -> Bool {
        guard let flow = e.flowID, case .string(let d) = e.field("direction") else { return true }
        let key = StreamKey(flowID: flow, toServer: d != "to_server")
        let own = StreamKey(flowID: flow, toServer: d == "to_server")
        for k in [own, key] where windows[k] != nil {
            windows[k]!.lastPacket = (e.origin, e.timestamp)
            // Both sides closed: this packet ends the session (Suricata's last inspection).
            let other = StreamKey(flowID: flow, toServer: !k.toServer)
            if windows[k]!.ended, windows[other]?.ended ?? true, var w = windows.removeValue(forKey: k) {
                if !inspectWindow(&w, origin: (e.origin, e.timestamp), sink: &sink) { return false }
            }
        }
        guard var w = windows[key], w.end > w.inspected else { return true }
        // HTTP responses are inspected when the response is over (here: when the stream ends),
        // as Suricata ties raw inspection to the HTTP parser's progress.
        if !key.toServer, case .string("http") = w.last.field("app_proto") { return true }
        // Only an acknowledgement that covers pending data triggers inspection, and not one that
        // acknowledges data we have not seen (a gap is coming: inspect when it is known).
        guard case .int(let ack) = e.field("tcp.ack"), let first = w.pendingSeq else { return true }
        let acked = Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: ack) &- first))
        guard acked > 0, acked <= w.end - (w.runs.first?.start ?? w.end) else { return true }
        let ok = inspectWindow(&w, origin: (e.origin, e.timestamp), sink: &sink)
        windows[key] = w
        return ok
    }

    /// Inspect the pending data of a window with every stream rule, then drop it. Each run (the
    /// data between gaps) is inspected on its own, positions counted from its start.
    private func inspectWindow<S: FindingSink>(_ w: inout SuricataWindow, origin: (Origin, Timestamp)?, sink: inout S) -> Bool {
        guard w.end > w.inspected else { return true }
        let sigs = compiled.set.signatures
        var display: [UInt8]?
        var at = w.last
        if let (o, t) = origin { at.origin = o; at.timestamp = t }
        for i in compiled.suricataStreamRules {
            let sig = sigs[Int(i)]
            guard let r = sig.suricata, SuricataEvaluator.headerMatches(r, at) else { continue }
            var hit = false
            for run in w.runs {
                hit = run.bytes.withUnsafeBytes { b in
                    SuricataEvaluator.contentMatches(r, at, payload: SuricataEvaluator.Subject(bytes: b))
                }
                // A match that begins in the data inspected before and ends in this chunk.
                if !hit && !w.tail.isEmpty && w.tailEnd == run.start {
                    let joined = w.tail + run.bytes
                    let from = w.tail.count
                    hit = joined.withUnsafeBytes { b in
                        SuricataEvaluator.contentMatches(r, at, payload: SuricataEvaluator.Subject(bytes: b, newFrom: from))
                    }
                }
                if hit { break }
            }
            guard hit else { continue }
            if display == nil { display = w.display }
            let shown = display!
            let ok = shown.withUnsafeBytes { b in
                fireSuricata(Int(i), WithPayload(base: at, bytes: b), input: w.input, sink: &sink)
            }
            if !ok { return false }
        }
        if let lastRun = w.runs.last {
            let run = lastRun.bytes
            if w.tailEnd == lastRun.start && run.count < SuricataWindow.tailBytes {
                w.tail = Array((w.tail + run).suffix(SuricataWindow.tailBytes))
            } else {
                w.tail = Array(run.suffix(SuricataWindow.tailBytes))
            }
            w.tailEnd = lastRun.start + Int64(run.count)
        }
        w.inspected = w.end
        windowBytes -= w.held
        w.held = 0
        w.pendingSeq = nil
        w.runs.removeAll(keepingCapacity: true)
        return true
    }

    /// Packet and app-layer events against a Suricata rule.
    private func confirmSuricata<E: Event, S: FindingSink>(_ i: Int, _ r: SuricataRule, _ e: E, input: String, sink: inout S) -> Bool {
        // TCP payload of a flow is inspected on the reassembled stream instead.
        if e.kind == .packet && r.inspectsStream && e.flowID != nil, case .string("TCP") = e.field("proto") { return true }
        guard SuricataEvaluator.headerMatches(r, e), SuricataEvaluator.contentMatches(r, e) else { return true }
        return fireSuricata(i, e, input: input, sink: &sink)
    }

    private func fireSuricata<E: Event, S: FindingSink>(_ i: Int, _ e: E, input: String, sink: inout S) -> Bool {
        let sig = compiled.set.signatures[i]
        if alertedOrigin != e.origin {
            alertedOrigin = e.origin
            alertedSigs.removeAll(keepingCapacity: true)
        }
        guard !alertedSigs.contains(i) else { return true }
        if e.kind == .tls, let f = e.flowID {
            if tlsAlerted.count > 100_000 { tlsAlerted.removeAll(keepingCapacity: true) }
            guard tlsAlerted.insert([UInt64(i), f]).inserted else { return true }
        }
        if let r = sig.suricata {
            for t in r.thresholds {
                var state = thresholds[i] ?? ThresholdState()
                let ok = state.allow(t, e, sid: r.sid)
                thresholds[i] = state
                if !ok { return true }
            }
        }
        alertedSigs.insert(i)
        var evidence: [Evidence] = []
        if let fp = sig.suricata?.fastPattern {
            evidence.append(Evidence(field: fp.buffer == .payload ? "payload" : fp.buffer.field, value: .text(Evaluator.printable(fp.bytes))))
        }
        return sink.finding(sig, event: e, input: input, evidence: evidence, correlation: nil)
    }

    private func confirm<E: Event, S: FindingSink>(_ i: Int, _ e: E, _ ctx: EvaluationContext, input: String, sink: inout S) -> Bool {
        let sig = compiled.set.signatures[i]
        if let r = sig.suricata { return confirmSuricata(i, r, e, input: input, sink: &sink) }
        var none: [Evidence]? = nil
        guard Evaluator.matches(sig, e, ctx, evidence: &none) else { return true }
        var evidence: [Evidence]? = []
        _ = Evaluator.matches(sig, e, ctx, evidence: &evidence)
        if sig.generate, !sink.finding(sig, event: e, input: input, evidence: evidence ?? [], correlation: nil) { return false }
        for c in compiled.correlationsOf[i] {
            let corr = compiled.set.signatures[Int(c)]
            if let hit = correlation.update(Int(c), corr, e),
               !sink.finding(corr, event: e, input: input, evidence: evidence ?? [], correlation: hit) {
                return false
            }
        }
        return true
    }
}

/// Sliding windows per correlation and group. `event_count` keeps the times of the last
/// `threshold` matches; `value_count` keeps each distinct value's last time. A group that fires
/// starts over. Groups are capped per correlation; the oldest is evicted (counted).
struct CorrelationState {
    struct Group {
        var times: [Int64] = []
        var values: [String: Int64] = [:]
        var lastSeen: Int64 = 0
        var first: Int64 = 0
    }
    var groups: [[String: Group]]
    var evicted = 0
    static let maxGroups = 50_000

    init(count: Int) { groups = Array(repeating: [:], count: count) }

    mutating func update<E: Event>(_ index: Int, _ sig: Signature, _ e: E) -> CorrelationHit? {
        guard let c = sig.correlation else { return nil }
        var groupValues: [(String, String)] = []
        for f in c.groupBy {
            let v = e.field(f).map { Evaluator.withBytes($0) { String(decoding: $0, as: UTF8.self) } } ?? ""
            groupValues.append((f, v))
        }
        let key = groupValues.map(\.1).joined(separator: "\u{1f}")
        let now = e.timestamp.nanoseconds
        let horizon = now.saturatingSubtract(c.timespanNanos)
        if groups[index][key] == nil && groups[index].count >= Self.maxGroups {
            // Drop the least recently seen eighth at once (amortised O(1) per new group).
            let doomed = groups[index].sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(Self.maxGroups / 8)
            for (k, _) in doomed { groups[index].removeValue(forKey: k) }
            evicted += doomed.count
        }
        var g = groups[index][key] ?? Group()
        g.lastSeen = now
        let count: Int
        switch c.kind {
        case .eventCount:
            g.times.removeAll { $0 < horizon || $0 > now.saturatingAdd(c.timespanNanos) }
            g.times.append(now)
            if g.times.count > c.threshold + 1 { g.times.removeFirst(g.times.count - c.threshold - 1) }
            count = g.times.count
            g.first = g.times.min() ?? now
        case .valueCount:
            g.values = g.values.filter { $0.value >= horizon }
            let v = c.valueField.flatMap { e.field($0) }.map { Evaluator.withBytes($0) { String(decoding: $0, as: UTF8.self) } }
            if let v { g.values[v] = now }
            count = g.values.count
            g.first = g.values.values.min() ?? now
        }
        let fires: Bool
        switch c.comparison {
        case .gt: fires = count > c.threshold
        case .gte: fires = count >= c.threshold
        case .eq: fires = count == c.threshold
        }
        if fires {
            groups[index].removeValue(forKey: key)
            return CorrelationHit(group: groupValues, count: count, first: Timestamp(nanoseconds: g.first), last: Timestamp(nanoseconds: now))
        }
        groups[index][key] = g
        return nil
    }
}

/// The `payload` prefilter of a compiled set on its own Hyperscan scratch, so a decoding
/// thread can scan payloads ahead of the matcher (which then takes the hits from
/// `Event.payloadHits` instead of scanning again). One per thread.
///
/// When every payload pattern is a literal, a whole batch of records can be scanned in one
/// Hyperscan call (`scanBatch`): a second database without single-match reports every
/// occurrence with its end, and an occurrence counts for a record when it lies wholly inside
/// that record's payload, so the hits are exactly those of scanning each payload on its own.
public final class PayloadPrefilter {
    private let database: PatternDatabase
    private let kinds: KindSet
    private let scratch = ScratchSpace()
    private let collector: MatchCollector
    private let batchDatabase: PatternDatabase?
    private let batchCollector: MatchCollector
    private let lengths: [Int]
    /// Per pattern: the last record (index + 1) it was counted for, in the current batch.
    private var lastRecord: [Int32]
    /// Occurrences one batch scan may report before it gives up (the caller then scans each
    /// payload on its own): bounds memory against inputs full of a short pattern.
    public static let batchOccurrenceLimit = 1 << 20

    /// Kinds whose events can only be matched through a payload hit: no other buffer and no
    /// signature without a literal looks at them. An event of such a kind without payload hits
    /// has nothing to match, so it need not be decoded any further, only counted.
    public let quietKinds: KindSet

    /// Nil when no signature prefilters on `payload`.
    public init?(_ compiled: CompiledSet, cacheFolder: String? = nil) throws(MatchError) {
        guard let b = compiled.blockBuffers.first(where: { $0.field == "payload" }) else { return nil }
        database = b.database
        kinds = b.kinds
        quietKinds = KindSet(EventKind.allCases.filter { k in
            // Streams and (with Suricata stream rules) packets take paths of their own.
            k != .stream && (k != .packet || compiled.suricataStreamRules.isEmpty)
                && compiled.unfiltered[Int(k.rawValue)].isEmpty && compiled.unfilteredAlways[Int(k.rawValue)].isEmpty
                && !compiled.blockBuffers.contains { $0.field != "payload" && $0.kinds.contains(k) }
        })
        try scratch.prepare(for: b.database)
        collector = MatchCollector(patternCount: b.database.patternCount)
        var lengths: [Int] = []
        for p in b.patterns {
            guard case .literal(let bytes) = p.body, !bytes.isEmpty else { lengths = []; break }
            lengths.append(bytes.count)
        }
        if lengths.count == b.patterns.count && !lengths.isEmpty {
            let db = try PatternDatabase(patterns: b.patterns, mode: .block, singleMatch: false, cacheFolder: cacheFolder)
            try scratch.prepare(for: db)
            batchDatabase = db
        } else {
            batchDatabase = nil
        }
        self.lengths = lengths
        batchCollector = MatchCollector(patternCount: b.database.patternCount)
        batchCollector.everyOccurrence = true
        lastRecord = Array(repeating: 0, count: b.database.patternCount)
    }

    /// The same prefilter with scratch space of its own, for another thread (the databases are
    /// shared: Hyperscan databases are read-only once compiled).
    public func forAnotherThread() throws(MatchError) -> PayloadPrefilter { try PayloadPrefilter(sharing: self) }

    private init(sharing p: PayloadPrefilter) throws(MatchError) {
        database = p.database
        kinds = p.kinds
        quietKinds = p.quietKinds
        batchDatabase = p.batchDatabase
        lengths = p.lengths
        try scratch.prepare(for: database)
        if let db = batchDatabase { try scratch.prepare(for: db) }
        collector = MatchCollector(patternCount: database.patternCount)
        batchCollector = MatchCollector(patternCount: database.patternCount)
        batchCollector.everyOccurrence = true
        lastRecord = Array(repeating: 0, count: database.patternCount)
    }

    /// Whether events of this kind have their payload prefiltered.
    public func covers(_ kind: EventKind) -> Bool { kinds.contains(kind) }

    /// Whether `scanBatch` can be used (every payload pattern is a literal).
    public var scansBatches: Bool { batchDatabase != nil }

    /// Append the pattern ids found in `bytes` (each once) to `hits`.
    public func scan(_ bytes: UnsafeRawBufferPointer, into hits: inout [UInt32]) {
        guard !bytes.isEmpty else { return }
        collector.reset()
        database.scan(bytes, scratch: scratch, into: collector)
        hits.append(contentsOf: collector.hits)
    }

    /// Scan `bytes` once for the payloads at `payloads` (byte ranges, in increasing order, not
    /// overlapping); the hits of payload k go to `hits` (each pattern once, in the order the
    /// occurrences end) and its range there to `found[k]`. False, with nothing written, when the
    /// batch had more occurrences than `batchOccurrenceLimit`.
    public func scanBatch(_ bytes: UnsafeRawBufferPointer, payloads: [Range<Int>], hits: inout [UInt32],
                          found: inout [Range<Int>]) -> Bool {
        guard let db = batchDatabase else { return false }
        found.removeAll(keepingCapacity: true)
        batchCollector.reset()
        batchCollector.limit = Self.batchOccurrenceLimit
        db.scan(bytes, scratch: scratch, into: batchCollector)
        if batchCollector.limitReached { return false }
        let ids = batchCollector.hits, ends = batchCollector.ends
        // Hyperscan reports block-mode matches by increasing end; keep that order, sorted if not.
        var order = Array(ids.indices)
        if zip(ends, ends.dropFirst()).contains(where: { $0 > $1 }) { order.sort { ends[$0] < ends[$1] } }
        for i in lastRecord.indices { lastRecord[i] = 0 }
        var k = 0
        var start = hits.count
        for m in order {
            let end = Int(ends[m]), id = Int(ids[m])
            let begin = end - lengths[id]
            while k < payloads.count && payloads[k].upperBound < end {
                found.append(start..<hits.count)
                start = hits.count
                k += 1
            }
            guard k < payloads.count, payloads[k].lowerBound <= begin, end <= payloads[k].upperBound else { continue }
            if lastRecord[id] != Int32(k + 1) {
                lastRecord[id] = Int32(k + 1)
                hits.append(UInt32(id))
            }
        }
        while k < payloads.count {
            found.append(start..<hits.count)
            start = hits.count
            k += 1
        }
        return true
    }
}
