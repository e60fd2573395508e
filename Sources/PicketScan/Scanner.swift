import PicketCore
import PicketIngest
import PicketLogs
import PicketNet
import PicketNMEA
import PicketSignatures

/// A sink that only lets the scanner count (a scan with no signatures).
public struct CountingSink: EventSink {
    public init() {}
    public mutating func consume<E: Event>(_ event: E, input: String) -> Bool { true }
}

public struct ScanOptions: Sendable {
    /// Longest log line kept (`line_length` cap).
    public var maxLineBytes = 1 << 20
    /// Largest capture record or pcapng block (`record_length` cap).
    public var maxRecordBytes = 16 << 20
    /// gzip/zlib layers unwrapped around one input (`compression_layers` cap).
    public var maxCompressionLayers = 3
    /// A libpcap filter expression for packets.
    public var filter: String?
    /// Zones the AIS tracker names (`--zones`, and the default set).
    public var zones = ZoneSet()
    /// Limits of defragmentation, flows, TCP reassembly.
    public var network = NetworkOptions()
    /// Threads a scan may use: with 2 or more, framing and stateless decoding run a few batches
    /// ahead on a thread of their own (`DecodeAhead`) and gzip inflates on another; with 1,
    /// everything runs on the calling thread. Results do not depend on it.
    public var threads = 1
    /// Regular files smaller than this are scanned on one thread even when `threads` > 1
    /// (starting the decode-ahead thread costs more than it saves on them).
    public var decodeAheadMinimumBytes: Int64 = 4 << 20
    /// Counts bytes read and inputs started, for a progress display.
    public var progress: ProgressMeter?

    public init() {}
}

/// Runs inputs through sniffing, framing and decoding, counts every record, and reports damage.
///
/// Each record is counted once: packets and lines are `decoded`, `malformed` (a decoder event)
/// or `skipped` (filtered out by `--filter`, blank, or longer than the line cap).
public final class Scanner<Sink: EventSink> {
    public private(set) var stats = ScanStats()
    public var sink: Sink
    private let options: ScanOptions
    private let filter: BPFFilter?
    private let report: (String) -> Void
    private let packetDecoder = PacketDecoder()
    private let logDecoder = LogDecoder()
    /// NMEA 0183 / AIS / GNSS lines; its vessel and receiver state lives for the whole scan.
    public let nmea: NMEADecoder
    private var decodedPacket = DecodedPacket()
    private var decodedLine = DecodedLine()
    private var stopped = false
    /// Defragmentation, flows, TCP reassembly and app layers (PicketNet).
    private let network: NetworkPipeline

    /// Where NMEA sentences found inside packets go (the NMEA decoder).
    public var sentenceConsumer: SentenceConsumer? {
        get { network.sentenceConsumer }
        set { network.sentenceConsumer = newValue }
    }

    /// The payload prefilter the decode-ahead thread runs (`--threads` 2 or more), so the
    /// matcher takes its hits instead of scanning payloads itself. Set by whoever matches.
    public var prefilter: PayloadPrefilter?
    /// The same for this thread, for batches the decode-ahead thread left to it.
    private lazy var ownPrefilter: PayloadPrefilter? = try? prefilter?.forAnotherThread()
    /// Whether the current input is framed and decoded on a second thread.
    private var decodeAhead = false
    /// Decode-ahead batches kept from one input to the next.
    private var packetBatches: [PacketBatch] = []
    private var lineBatches: [LineBatch] = []

    /// `report` receives one line per problem, for stderr.
    public init(options: ScanOptions, sink: Sink, report: @escaping (String) -> Void) throws(BPFError) {
        self.options = options
        self.sink = sink
        self.report = report
        nmea = NMEADecoder(zones: options.zones)
        network = NetworkPipeline(options: options.network)
        // NMEA found in UDP datagrams, IEC 61162-450 frames and TCP streams.
        network.sentenceConsumer = nmea
        filter = try options.filter.map { (e: String) throws(BPFError) -> BPFFilter in try BPFFilter(expression: e) }
    }

    /// Scan inputs in order. Stats accumulate across calls.
    public func scan(_ inputs: [InputSpec]) {
        let started = Timestamp.now()
        for (index, spec) in inputs.enumerated() where !stopped {
            scanOne(spec, index: stats.inputs + index)
        }
        stats.inputs += inputs.count
        stats.seconds += Timestamp.now().seconds - started.seconds
    }

    private func damage(_ input: String, _ offset: Int64, _ reason: String) {
        stats.damaged.append(Damage(input: input, offset: offset, reason: reason))
        report("picket: \(input): offset \(offset): \(reason)")
    }

    private func scanOne(_ spec: InputSpec, index: Int) {
        let name = spec.displayName
        let source: FileSource
        options.progress?.startedInput()
        switch spec {
        case .unreadable(let path, let reason):
            stats.unreadable += 1
            damage(path, 0, "cannot read: \(reason)")
            return
        case .standardInput:
            source = FileSource.standardInput()
        case .file, .rawFile:
            do { source = try FileSource(pathBytes: spec.pathBytes ?? []) } catch {
                stats.unreadable += 1
                damage(name, 0, error.reason)
                return
            }
        }
        source.meter = options.progress
        defer { nmea.endInput(stats: &stats) }
        // A second thread pays off past a few batches; for small files starting it costs more
        // (a folder of thousands of small logs). Stdin and pipes: always.
        decodeAhead = options.threads > 1 && (source.regularFileSize.map { $0 >= options.decodeAheadMinimumBytes } ?? true)
        var buffer = InputBuffer(source: source, capacity: 1 << 20,
                                 maximumCapacity: max(options.maxRecordBytes, options.maxLineBytes) + (1 << 20))
        var layers = 0
        defer { stats.bytesIn += source.storedOffset }
        do {
            while true {
                let format = try Sniffer.sniff(buffer)
                switch format {
                case .gzip, .zlib:
                    guard layers < options.maxCompressionLayers else {
                        stats.hit(.compressionLayers)
                        damage(name, 0, "more than \(options.maxCompressionLayers) nested compression layers (compression_layers cap)")
                        return
                    }
                    // Inflate on a thread of its own (with --threads 2 or more), a few blocks ahead of decoding.
                    let inflater = try InflateSource(input: buffer, format: format.name, outermost: layers == 0)
                    let source: ByteSource = options.threads > 1 ? ThreadedSource(inflater) : inflater
                    buffer = InputBuffer(source: source, capacity: 1 << 20, maximumCapacity: buffer.maximumCapacity)
                    layers += 1
                    continue
                case .pcap, .pcapng:
                    try scanCapture(CaptureFramers.make(format, buffer: buffer, maxRecord: options.maxRecordBytes),
                                    input: name, index: index)
                case .text:
                    try scanLines(LineFramer(buffer: buffer, maxLineBytes: options.maxLineBytes), input: name, index: index)
                case .binary:
                    damage(name, layers > 0 ? 0 : buffer.offset,
                           "unrecognised content: not pcap, pcapng, gzip, zlib or text\(layers > 0 ? " (inside \(layers) compression layer(s))" : "")")
                case .empty:
                    break
                }
                return
            }
        } catch {
            if let cap = error.cap { stats.hit(cap) }
            if error.unreadable && layers == 0 { stats.unreadable += 1 }
            let where_ = error.stored || layers == 0 ? "" : " (offset in the decompressed data)"
            damage(name, error.offset, error.reason + where_)
        }
    }

    private func scanCapture(_ framer: any CaptureFramer, input: String, index: Int) throws(IngestError) {
        var framer = framer
        var count = 0
        defer {
            // End of the capture: flows end, held stream data is handed on.
            if !network.finish(input: input, sink: &sink) { stopped = true }
            if !sink.inputEnded() { stopped = true }
            for (cap, n) in network.takeCapHits() { stats.capsHit[cap, default: 0] += n }
            nmea.drainCaps(into: &stats)
        }
        var interfacesCapped = 0
        var failure: IngestError?
        if decodeAhead {
            // Framing, --filter and L2-L4 decoding (and as much of the payload prefilter as keeps
            // both threads busy) on the decode-ahead thread.
            let filter = self.filter, decoder = self.packetDecoder, prefilter = self.prefilter
            let ahead = DecodeAhead<PacketBatch>(reusing: packetBatches, make: PacketBatch.init, fill: { batch, share in
                PacketBatch.fill(batch, framer: &framer, filter: filter, decoder: decoder, prefilter: prefilter, share: share)
            }, help: { batch in
                batch.resolve(prefilter)
            })
            packetBatches = []
            defer { packetBatches = ahead.finish() }
            while !stopped, let batch = ahead.next() {
                if batch.hasDeferredWork { batch.resolve(ownPrefilter) }
                var warning = 0
                batch.bytes.withUnsafeBytes { all in batch.hits.hits.withUnsafeBufferPointer { hits in
                    for (i, item) in batch.items.enumerated() where !stopped {
                        count += 1
                        let data = UnsafeRawBufferPointer(rebasing: all[item.start..<(item.start + item.count)])
                        while warning < batch.warnings.count && batch.warnings[warning].after <= i {
                            report("picket: \(input): \(batch.warnings[warning].text)")
                            warning += 1
                        }
                        if let problem = item.problem {
                            malformedRecord(problem, data: data, item.originalLength, item.timestamp, count: count, input: input, index: index)
                        } else if item.filtered {
                            stats.packets.countSkipped()
                        } else {
                            decodedPacket = item.decoded
                            decoded(data, item.originalLength, item.timestamp, count: count, input: input, index: index,
                                    payloadHits: Self.slice(hits, item.hitStart, item.hitCount))
                        }
                    }
                } }
                failure = batch.error
                interfacesCapped = batch.interfacesCapped
                ahead.recycle(batch)
            }
        } else {
            do {
                while !stopped, let record = try framer.next() {
                    count += 1
                    handle(record, count: count, input: input, index: index)
                }
                if let ng = framer as? PcapngFramer { interfacesCapped = ng.interfacesCapped }
            } catch {
                failure = error
            }
        }
        if var e = failure {
            e.reason += "; the \(count) whole packet(s) before it were read"
            throw e
        }
        for _ in 0..<interfacesCapped { stats.hit(.pcapngInterfaces) }
    }

    private func handle(_ record: CaptureRecord, count: Int, input: String, index: Int) {
        if let problem = record.problem {
            malformedRecord(problem, data: record.data, record.originalLength, record.timestamp, count: count, input: input, index: index)
            return
        }
        if let filter {
            let pass = filter.accepts(linkType: record.linkType, data: record.data, wireLength: record.originalLength)
            for w in filter.takeWarnings() { report("picket: \(input): \(w)") }
            if !pass {
                stats.packets.countSkipped()
                return
            }
        }
        packetDecoder.decode(linkType: record.linkType, record.data, wireLength: record.originalLength, into: &decodedPacket)
        decoded(record.data, record.originalLength, record.timestamp, count: count, input: input, index: index)
    }

    /// A record whose framing is broken (the file's is not): counted malformed, its event pushed.
    private func malformedRecord(_ problem: StaticString, data: UnsafeRawBufferPointer, _ wireLength: Int, _ timestamp: Timestamp,
                                 count: Int, input: String, index: Int) {
        stats.packets.countMalformed()
        decodedPacket = DecodedPacket()
        let origin = Origin(input: index, position: .packet(count))
        let ok = withUnsafePointer(to: decodedPacket) { p in
            sink.consume(PacketEvent(packet: p, data: data, wireLength: wireLength,
                                     origin: origin, timestamp: timestamp, framingProblem: problem), input: input)
        }
        if !ok { stopped = true }
    }

    /// A packet decoded into `decodedPacket`: counted, then through the network stages.
    private func decoded(_ data: UnsafeRawBufferPointer, _ wireLength: Int, _ timestamp: Timestamp, count: Int, input: String, index: Int,
                         payloadHits: UnsafeBufferPointer<UInt32>? = nil) {
        if let e = decodedPacket.event {
            stats.packets.countMalformed()
            if e == .vlanTooManyLayers { stats.hit(.vlanLayers) }
            if e == .ipv6ExthdrTooMany { stats.hit(.ipv6ExtHeaders) }
        } else {
            stats.packets.countDecoded()
        }
        // The network stages emit the packet event (with its flow) and what follows from it.
        let origin = Origin(input: index, position: .packet(count))
        let ok = withUnsafePointer(to: decodedPacket) { p in
            network.process(p, data: data, wireLength: wireLength, origin: origin,
                            timestamp: timestamp, input: input, sink: &sink, payloadHits: payloadHits)
        }
        if !ok { stopped = true }
    }

    private func scanLines(_ framer: LineFramer, input: String, index: Int) throws(IngestError) {
        var framer = framer
        let readTime = Timestamp.now()
        if decodeAhead {
            // Framing and log-format decoding on the decode-ahead thread; NMEA (stateful) and
            // matching here.
            let decoder = logDecoder, prefilter = self.prefilter
            let classifyOnly = LineBatch.classifiesOnly(prefilter)
            // The batch prefilter (and the decoding it decides) on whichever thread has room;
            // without one, the matcher scans each line.
            let batchScan = prefilter?.scansBatches ?? false
            let ahead = DecodeAhead<LineBatch>(reusing: lineBatches, make: LineBatch.init, fill: { batch, _ in
                LineBatch.fill(batch, framer: &framer, decoder: decoder, classifyOnly: classifyOnly, batchScan: batchScan)
            }, help: { batch in
                batch.resolve(prefilter, decoder: decoder)
            })
            lineBatches = []
            defer { lineBatches = ahead.finish() }
            var failure: IngestError?
            while !stopped, let batch = ahead.next() {
                if batch.hasDeferredWork { batch.resolve(ownPrefilter, decoder: logDecoder) }
                batch.bytes.withUnsafeBytes { all in batch.hits.hits.withUnsafeBufferPointer { hits in
                    for item in batch.items where !stopped {
                        switch item.kind {
                        case .overLong: overLongLine()
                        case .blank: stats.lines.countSkipped()
                        case .quiet: countLine(item.problem)
                        case .nmea:
                            nmeaLine(UnsafeRawBufferPointer(rebasing: all[item.range]), number: item.number, readTime: readTime,
                                     input: input, index: index)
                        case .log, .pending:
                            let bytes = UnsafeRawBufferPointer(rebasing: all[item.range])
                            if item.kind == .log {
                                decodedLine = batch.decoded[Int(item.decodedIndex)]
                            } else {
                                logDecoder.decode(bytes, into: &decodedLine)  // (resolve leaves none)
                            }
                            logLine(bytes, number: item.number, readTime: readTime, input: input, index: index,
                                    payloadHits: Self.slice(hits, item.hitStart, item.hitCount))
                        }
                    }
                } }
                failure = batch.error
                ahead.recycle(batch)
            }
            if let failure { throw failure }
            return
        }
        while !stopped, let line = try framer.next() {
            if line.overLong {
                overLongLine()
                continue
            }
            if line.bytes.isEmpty || line.bytes.allSatisfy({ $0 == 32 || $0 == 9 }) {
                stats.lines.countSkipped()
                continue
            }
            if NMEADecoder.isNMEA(line.bytes) {
                nmeaLine(line.bytes, number: line.number, readTime: readTime, input: input, index: index)
                continue
            }
            logDecoder.decode(line.bytes, into: &decodedLine)
            logLine(line.bytes, number: line.number, readTime: readTime, input: input, index: index)
        }
    }

    /// The hits worked out ahead for one item (nil when they were not).
    private static func slice(_ hits: UnsafeBufferPointer<UInt32>, _ start: Int32, _ count: Int32) -> UnsafeBufferPointer<UInt32>? {
        guard start >= 0 else { return nil }
        return UnsafeBufferPointer(rebasing: hits[Int(start)..<Int(start + count)])
    }

    private func overLongLine() {
        stats.lines.countSkipped()
        stats.hit(.lineLength)
    }

    /// NMEA 0183 (after an optional leading time, `$`, `!` or `\`): the NMEA decoder counts
    /// the line and pushes its event.
    private func nmeaLine(_ bytes: UnsafeRawBufferPointer, number: Int, readTime: Timestamp, input: String, index: Int) {
        let origin = Origin(input: index, position: .line(number))
        if !nmea.decodeLine(bytes, origin: origin, readTime: readTime, input: input, stats: &stats, sink: &sink) {
            stopped = true
        }
    }

    /// A log line decoded into `decodedLine`: counted, its event pushed.
    private func logLine(_ bytes: UnsafeRawBufferPointer, number: Int, readTime: Timestamp, input: String, index: Int,
                         payloadHits: UnsafeBufferPointer<UInt32>? = nil) {
        countLine(decodedLine.problem)
        let origin = Origin(input: index, position: .line(number))
        let ok = withUnsafePointer(to: decodedLine) { d in
            sink.consume(LineEvent(line: bytes, decoded: d, origin: origin, readTime: readTime, payloadHits: payloadHits), input: input)
        }
        if !ok { stopped = true }
    }

    /// A log line is decoded, or malformed when its decoder found a problem.
    private func countLine(_ problem: DecodedLine.Problem?) {
        if let problem {
            stats.lines.countMalformed()
            if problem == .jsonTooDeep { stats.hit(.jsonDepth) }
        } else {
            stats.lines.countDecoded()
        }
    }
}
