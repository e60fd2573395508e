import Foundation
import PicketCore
import PicketIngest
import PicketLogs
import PicketNet
import PicketNMEA
import PicketSignatures

/// Framing and the stateless decoding (L2–L4 of packets, `--filter`, log-line formats) on a
/// thread of their own, a few batches ahead of the scanner's thread, which keeps everything
/// with state: flows, reassembly, app layers, NMEA fragments and tracks, matching, correlation
/// and output. So a scan uses two cores on one input and its results do not depend on it.
///
/// Bounded and allocation-free once warm: `depth` batches circulate between the threads; each
/// holds copies of its records' bytes (at most `batchBytes`, or one record larger than that)
/// and their decoded headers. A batch's arrays grow to what its input needs and keep their
/// room from batch to batch (and input to input), so a small input does not pay for full ones. The producer stops at the end of the input, at the first framing
/// error (delivered with the records before it), or when the consumer cancels.
final class DecodeAhead<Batch: AheadBatch>: @unchecked Sendable {
    private let condition = NSCondition()
    private var full: [Batch] = []
    private var free: [Batch]
    private var done = false
    private var cancelled = false
    private let fill: (Batch, _ share: Double) -> Bool
    private let help: (Batch) -> Void
    /// The batch the producer is doing the deferred work of (`help`), if any.
    private var helping: ObjectIdentifier?
    /// The share of the optional work (the payload prefilter) the producer takes on: up when it
    /// had to wait for a free batch (the scanner's thread is the slower), down when it did not
    /// (producer-only).
    private var share = 1.0
    static var depth: Int { 4 }

    /// `fill` adds records to an empty batch and returns false once the input is over (or
    /// failed); it runs on the producer thread only. `share` (0...1) is how much of the optional
    /// per-record work (the payload prefilter of each record) the producer does for this batch;
    /// the scanner's thread does the rest. It grows while the producer finds no free batch (the
    /// scanner is the slower) and shrinks while it does, so both threads stay busy whichever
    /// side is heavier. Work that goes by whole batches (`hasDeferredWork`) is left in the
    /// batch: the scanner's thread does it when it takes the batch, unless the producer, with
    /// no free batch to fill, did it first (`help`, newest batch first).
    /// `reusing` are batches from an earlier input (`finish` hands them back), so a folder of
    /// many small files does not allocate them again for each.
    init(reusing: [Batch], make: () -> Batch, fill: @escaping (Batch, _ share: Double) -> Bool,
         help: @escaping (Batch) -> Void = { _ in }) {
        free = Array(reusing.prefix(Self.depth))
        while free.count < Self.depth { free.append(make()) }
        self.fill = fill
        self.help = help
        let t = Thread { [self] in self.produce() }
        t.stackSize = 4 << 20
        t.start()
    }

    private func produce() {
        while true {
            condition.lock()
            var waited = false
            while free.isEmpty && !cancelled {
                waited = true
                if let b = full.last(where: { $0.hasDeferredWork }) {
                    helping = ObjectIdentifier(b)
                    condition.unlock()
                    help(b)
                    condition.lock()
                    helping = nil
                    condition.broadcast()
                    continue
                }
                condition.wait()
            }
            if cancelled { done = true; condition.broadcast(); condition.unlock(); return }
            let batch = free.removeLast()
            share = waited ? min(1, share + 0.125) : max(0, share - 0.125)
            condition.unlock()
            batch.clear()
            let more = fill(batch, share)
            condition.lock()
            full.append(batch)
            if !more { done = true }
            condition.broadcast()
            condition.unlock()
            if !more { return }
        }
    }

    /// The next batch in input order, or nil when the producer has finished. (Waits while the
    /// producer is doing that batch's deferred work.)
    func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while (full.isEmpty && !done) || (!full.isEmpty && helping == ObjectIdentifier(full[0])) { condition.wait() }
        return full.isEmpty ? nil : full.removeFirst()
    }

    /// Hand a consumed batch back for reuse.
    func recycle(_ batch: Batch) {
        condition.lock()
        free.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// Stop the producer and wait for it (it no longer touches the input afterwards); the
    /// batches, for the next input.
    func finish() -> [Batch] {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !done { condition.wait() }
        let all = free + full
        free = []
        full = []
        condition.unlock()
        return all
    }
}

protocol AheadBatch: AnyObject {
    func clear()
    /// Work left for whichever thread gets to it first (the producer while it has no free
    /// batch, else the scanner's thread when it takes the batch).
    var hasDeferredWork: Bool { get }
}

/// The payload prefilter's results for the records of one batch: each record's hits are a run
/// of `hits`. Used by both kinds of batch; reused from batch to batch.
struct BatchHits {
    var hits: [UInt32] = []
    /// The records with a payload to prefilter, and their payloads' ranges in the batch's bytes.
    private(set) var records: [Int] = []
    private(set) var ranges: [Range<Int>] = []
    private var found: [Range<Int>] = []

    mutating func clear() {
        hits.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
    }

    mutating func add(record: Int, payload: Range<Int>) {
        records.append(record)
        ranges.append(payload)
    }

    /// Every added payload in one Hyperscan call (`PayloadPrefilter.scanBatch`); `assign` gets
    /// each record and the run of `hits` that is its. False when the prefilter cannot (then
    /// nothing was assigned).
    mutating func scanBatch(_ bytes: UnsafeRawBufferPointer, _ prefilter: PayloadPrefilter,
                            assign: (_ record: Int, _ hits: Range<Int>) -> Void) -> Bool {
        guard prefilter.scansBatches, prefilter.scanBatch(bytes, payloads: ranges, hits: &hits, found: &found) else { return false }
        for (k, r) in records.enumerated() { assign(r, found[k]) }
        return true
    }
}

/// Lines framed, sorted out (blank, over-long, NMEA) and, for log formats, decoded; their
/// payloads prefiltered for the whole batch at once when the prefilter can (`scansBatches`,
/// `resolve`, on whichever thread gets to the batch first), else line by line by the matcher
/// on the scanner's thread (line by line on the decode-ahead thread was measured slower).
///
/// When a log line can only be matched through a payload hit (every log kind is one of the
/// prefilter's `quietKinds`), lines are first only framed; the batch scan then decides (on
/// whichever thread has room for it, `resolve`): lines with hits are decoded in full, the rest
/// are `quiet`, only classified (binary, broken JSON: what counting needs), counted and not
/// matched (matching them would find nothing). Most lines of a real log are quiet, and their
/// time and syslog parts were most of decoding's cost.
final class LineBatch: AheadBatch {
    enum Kind: UInt8 {
        case overLong, blank, nmea, log
        /// Framed only; `resolve` turns it into `log` or `quiet`.
        case pending
        /// No payload hit and nothing else to match: counted (decoded or malformed) only.
        case quiet
    }
    /// Small on purpose (a batch has up to 16k of them): a log line's decoding is in `decoded`.
    struct Item {
        var number: Int
        var start: Int
        var count: Int32
        var kind: Kind
        /// A quiet line's problem (malformed when set).
        var problem: DecodedLine.Problem?
        /// `decoded[decodedIndex]` for a `log` line.
        var decodedIndex: Int32 = -1
        /// The payload prefilter's hits: `hits[hitStart..<hitStart+hitCount]`; hitStart -1 when
        /// they were not worked out here.
        var hitStart: Int32 = -1
        var hitCount: Int32 = 0

        var range: Range<Int> { start..<(start + Int(count)) }
    }
    var bytes: [UInt8] = []
    var items: [Item] = []
    var decoded: [DecodedLine] = []
    var hits = BatchHits()
    var error: IngestError?
    /// `resolve` must run before the batch is scanned (a batch scan or `pending` items).
    private(set) var hasDeferredWork = false
    static let batchBytes = 1 << 20
    static let batchItems = 16_384

    init() {}

    func clear() {
        bytes.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        decoded.removeAll(keepingCapacity: true)
        hits.clear()
        error = nil
        hasDeferredWork = false
    }

    /// Whether lines can be left undecoded until the prefilter finds something in them.
    static func classifiesOnly(_ prefilter: PayloadPrefilter?) -> Bool {
        guard let prefilter, prefilter.scansBatches else { return false }
        return [EventKind.syslog, .json, .text].allSatisfy { prefilter.quietKinds.contains($0) }
    }

    /// Frame lines into `batch` until it is full, decoding log lines (with `classifyOnly`,
    /// leaving them to `resolve`); the batch scan, when `batchScan`, is left to `resolve` too.
    /// False at the end of the input.
    static func fill(_ batch: LineBatch, framer: inout LineFramer, decoder: LogDecoder, classifyOnly: Bool,
                     batchScan: Bool) -> Bool {
        let more = batch.frame(&framer, decoder: decoder, classifyOnly: classifyOnly)
        if batchScan && !batch.items.isEmpty { batch.hasDeferredWork = true }
        return more
    }

    /// Log lines' payloads in one Hyperscan call for the batch (when every payload pattern is
    /// a literal); pending lines become `log` (decoded) when they have a hit, or when the batch
    /// scan could not be done (or there is no prefilter), else `quiet` (only classified).
    /// Runs once per batch, on either thread.
    func resolve(_ prefilter: PayloadPrefilter?, decoder: LogDecoder) {
        guard hasDeferredWork else { return }
        hasDeferredWork = false
        if let prefilter, prefilter.scansBatches {
            for i in items.indices {
                let kind = items[i].kind
                guard kind == .pending
                        || (kind == .log && prefilter.covers(LineEvent.kind(of: decoded[Int(items[i].decodedIndex)].format)))
                else { continue }
                hits.add(record: i, payload: items[i].range)
            }
            _ = bytes.withUnsafeBytes { all in
                hits.scanBatch(all, prefilter) { i, r in
                    items[i].hitStart = Int32(r.lowerBound)
                    items[i].hitCount = Int32(r.count)
                }
            }
        }
        var d = DecodedLine()
        bytes.withUnsafeBytes { all in
            // Most batches have no control byte at all: then no line in them is binary.
            let controlFree = !LogDecoder.hasControlBytes(all)
            for i in items.indices where items[i].kind == .pending {
                let line = UnsafeRawBufferPointer(rebasing: all[items[i].range])
                if items[i].hitStart >= 0 && items[i].hitCount == 0 {
                    items[i].kind = .quiet
                    decoder.classify(line, into: &d, controlFree: controlFree)
                    items[i].problem = d.problem
                } else {
                    items[i].kind = .log
                    decoder.decode(line, into: &d)
                    items[i].decodedIndex = Int32(decoded.count)
                    decoded.append(d)
                }
            }
        }
    }

    private func frame(_ framer: inout LineFramer, decoder: LogDecoder, classifyOnly: Bool) -> Bool {
        var d = DecodedLine()
        do {
            while bytes.count < Self.batchBytes && items.count < Self.batchItems {
                guard let line = try framer.next() else { return false }
                var item = Item(number: line.number, start: bytes.count, count: Int32(line.bytes.count), kind: .log)
                if line.overLong {
                    item.kind = .overLong
                } else if line.bytes.isEmpty || line.bytes.allSatisfy({ $0 == 32 || $0 == 9 }) {
                    item.kind = .blank
                } else {
                    bytes.append(contentsOf: line.bytes)
                    if NMEADecoder.isNMEA(line.bytes) {
                        item.kind = .nmea
                    } else if classifyOnly {
                        item.kind = .pending
                        hasDeferredWork = true
                    } else {
                        decoder.decode(line.bytes, into: &d)
                        item.decodedIndex = Int32(decoded.count)
                        decoded.append(d)
                    }
                }
                items.append(item)
            }
            return true
        } catch {
            self.error = error
            return false
        }
    }
}

/// Capture records framed, filtered (`--filter`) and decoded up to their transport header.
final class PacketBatch: AheadBatch {
    struct Item {
        var start: Int
        var count: Int
        var linkType: UInt32
        var timestamp: Timestamp
        var originalLength: Int
        var problem: StaticString?
        var filtered: Bool
        var decoded: DecodedPacket
        var hitStart: Int32 = -1
        var hitCount: Int32 = 0
    }
    var bytes: [UInt8] = []
    var items: [Item] = []
    var hits = BatchHits()
    /// `--filter` warnings, in order, each after the item it came with.
    var warnings: [(after: Int, text: String)] = []
    var error: IngestError?
    /// pcapng interfaces beyond the cap (set on the last batch).
    var interfacesCapped = 0
    /// The batch scan of the payloads is still to do (`prefilter`).
    var hasDeferredWork = false
    static let batchBytes = 1 << 20
    static let batchItems = 8192

    init() {}

    func clear() {
        bytes.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        warnings.removeAll(keepingCapacity: true)
        hits.clear()
        error = nil
        interfacesCapped = 0
        hasDeferredWork = false
    }

    /// Frame, filter and decode records into `batch` until it is full, then prefilter their
    /// payloads: all of them in one Hyperscan call when the prefilter can (`scansBatches`: left
    /// to whichever thread gets to it first, `hasDeferredWork`), or each on its own, a
    /// `share` of them (spread evenly; the scanner's thread does the rest). False at the end of
    /// the input.
    static func fill(_ batch: PacketBatch, framer: inout any CaptureFramer, filter: BPFFilter?, decoder: PacketDecoder,
                     prefilter: PayloadPrefilter?, share: Double) -> Bool {
        var more = true
        do {
            while batch.bytes.count < batchBytes && batch.items.count < batchItems {
                guard let record = try framer.next() else {
                    if let ng = framer as? PcapngFramer { batch.interfacesCapped = ng.interfacesCapped }
                    more = false
                    break
                }
                var item = Item(start: batch.bytes.count, count: record.data.count, linkType: record.linkType,
                                timestamp: record.timestamp, originalLength: record.originalLength,
                                problem: record.problem, filtered: false, decoded: DecodedPacket())
                batch.bytes.append(contentsOf: record.data)
                if record.problem == nil {
                    if let filter {
                        item.filtered = !filter.accepts(linkType: record.linkType, data: record.data, wireLength: record.originalLength)
                        for w in filter.takeWarnings() { batch.warnings.append((batch.items.count, w)) }
                    }
                    if !item.filtered {
                        decoder.decode(linkType: record.linkType, record.data, wireLength: record.originalLength, into: &item.decoded)
                    }
                }
                batch.items.append(item)
            }
        } catch {
            batch.error = error
            more = false
        }
        if let prefilter, prefilter.covers(.packet) {
            // A batch scan is left to whichever thread gets to it first.
            if prefilter.scansBatches {
                batch.hasDeferredWork = true
            } else {
                Self.prefilter(batch, prefilter, share: share)
            }
        }
        return more
    }

    /// The deferred batch scan, on either thread (without a prefilter the matcher scans each
    /// payload itself). Runs once per batch.
    func resolve(_ prefilter: PayloadPrefilter?) {
        guard hasDeferredWork, let prefilter else { return }
        Self.prefilter(self, prefilter, share: 1)
    }

    /// The payload (the same bytes `PacketEvent.payload` gives the matcher) of each decoded item.
    private static func prefilter(_ batch: PacketBatch, _ prefilter: PayloadPrefilter, share: Double) {
        batch.hasDeferredWork = false
        batch.bytes.withUnsafeBytes { all in
            for (i, item) in batch.items.enumerated() where item.problem == nil && !item.filtered {
                let data = UnsafeRawBufferPointer(rebasing: all[item.start..<(item.start + item.count)])
                let payload = withUnsafePointer(to: item.decoded) { p in
                    PacketEvent(packet: p, data: data, wireLength: item.originalLength,
                                origin: Origin(input: 0, position: .packet(0)), timestamp: item.timestamp).payload
                }
                let offset = payload.baseAddress.map { all.baseAddress!.distance(to: $0) } ?? item.start
                batch.hits.add(record: i, payload: offset..<(offset + payload.count))
            }
            let scanned = batch.hits.scanBatch(all, prefilter) { i, r in
                batch.items[i].hitStart = Int32(r.lowerBound)
                batch.items[i].hitCount = Int32(r.count)
            }
            if scanned { return }
            var credit = 0.0
            for (i, r) in zip(batch.hits.records, batch.hits.ranges) {
                credit += share
                guard credit >= 1 else { continue }
                credit -= 1
                batch.items[i].hitStart = Int32(batch.hits.hits.count)
                prefilter.scan(UnsafeRawBufferPointer(rebasing: all[r]), into: &batch.hits.hits)
                batch.items[i].hitCount = Int32(batch.hits.hits.count) - batch.items[i].hitStart
            }
        }
    }
}
