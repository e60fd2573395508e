import PicketCore

/// Decodes NMEA 0183 lines from logs and sentences from packets into `ais`, `gnss` and `nmea`
/// events, and keeps the vessel and receiver state for the whole scan.
///
/// How each line is counted (`lines.*`, DESIGN.md section 5); every line gives one event:
/// - decoded: a sentence with a good checksum — a complete AIS message (`ais`, including the
///   last fragment of a multi-fragment one), an AIS fragment still waiting for the rest (`nmea`),
///   a GNSS sentence (`gnss`), any other sentence (`nmea`);
/// - malformed: a bad or missing checksum (sentence or tag block), a tag block without a
///   sentence, data after the checksum that is not receiver metadata, a spliced or non-ASCII
///   sentence, an AIS fragment header out of range, a fragment whose predecessors were not
///   seen, a payload that is not 6-bit armouring, an unknown AIS type or a payload too short
///   for its type — each an `nmea` event with its `decoder_event`.
/// Skipped lines (blank, over-long) never reach this decoder.
///
/// The event time is the tag block `c:` time, else the line's leading time, else the NAIS
/// trailer's receive time (for a multi-fragment AIS message, the first fragment's), else the
/// packet's time or, for logs, the read time (`time_source: read`).
public final class NMEADecoder: SentenceConsumer {
    public let record = NMEARecord()
    private var frame = SentenceFrame()
    private var reading = GNSSReading()
    private let assembler = AISAssembler()
    let vessels: AISTracker
    let receivers: GNSSTracker
    /// Recent tag-block groups (`g:`), so later sentences of a group take the first one's `c:`.
    private var groupTimes: [(stream: UInt64, id: Int, time: Timestamp)] = []
    private var groupNext = 0
    private var drained: [Int] = [0, 0, 0, 0, 0, 0, 0]
    private var drainedTotal = 0
    private var fieldsCapped = 0

    /// Vessels tracked at once (the `ais_tracks` cap) and receivers (`gnss_receivers`).
    public static let defaultMaxTracks = 100_000
    public static let defaultMaxReceivers = 4096

    public init(zones: ZoneSet = ZoneSet(), maxTracks: Int = NMEADecoder.defaultMaxTracks,
                maxReceivers: Int = NMEADecoder.defaultMaxReceivers) {
        vessels = AISTracker(zones: zones, maxTracks: maxTracks)
        receivers = GNSSTracker(maxReceivers: maxReceivers)
        groupTimes.reserveCapacity(16)
    }

    /// Vessels and receivers tracked now, and AIS groups waiting for fragments.
    public var trackedVessels: Int { vessels.count }
    public var pendingFragmentGroups: Int { assembler.pendingCount }

    // MARK: lines

    /// Whether a log line is NMEA (after an optional leading time it starts `$`, `!` or `\`).
    public static func isNMEA(_ line: UnsafeRawBufferPointer) -> Bool { SentenceParser.looksLikeNMEA(line) }

    /// Decode one log line, count it in `stats.lines`, count caps hit, and push its event.
    /// Returns false when the sink asked to stop.
    public func decodeLine<S: EventSink>(_ line: UnsafeRawBufferPointer, origin: Origin, readTime: Timestamp, input: String,
                                         stats: inout ScanStats, sink: inout S) -> Bool {
        let stream = UInt64(truncatingIfNeeded: origin.input) &* 0x9E37_79B9_7F4A_7C15 | 1
        var piece = line
        var malformed = false
        var lineTime: Timestamp?
        var pieces = 0
        while true {
            pieces += 1
            let (kind, time, source) = decode(piece, stream: stream, streamName: input, fallback: lineTime ?? readTime,
                                              fallbackIsRecord: lineTime != nil)
            if record.problem != nil { malformed = true }
            if source == .record && lineTime == nil { lineTime = frame.leadingTime }
            let next = frame.next
            let sentence = next > 0 && next < piece.count ? UnsafeRawBufferPointer(rebasing: piece[0..<next]) : piece
            let ok = sink.consume(NMEAEvent(kind: kind, origin: origin, timestamp: time, timeSource: source,
                                            payload: sentence, record: record), input: input)
            // A lost line break: the next sentence on the same line is decoded too (each its own
            // event; the line is counted once, malformed if any of its sentences is).
            guard ok, next > 0, next < piece.count, pieces < Self.maxSentencesPerLine else {
                if malformed { stats.lines.countMalformed() } else { stats.lines.countDecoded() }
                drainCaps(into: &stats)
                return ok
            }
            piece = UnsafeRawBufferPointer(rebasing: piece[next...])
        }
    }

    /// Sentences decoded from one line at most (lines whose line breaks were lost).
    public static let maxSentencesPerLine = 64

    // MARK: packets (SentenceConsumer)

    /// One sentence from a packet (tag block included; an IEC 61162-450 `UdPbC\0` header and
    /// a trailing CR LF are tolerated). Packets are counted by the network stage, not here.
    public func consume<S: EventSink>(sentence: UnsafeRawBufferPointer, origin: Origin, timestamp: Timestamp,
                                      source: String, input: String, sink: inout S) -> Bool {
        var b = Self.stripFrameHeader(sentence)
        while let last = b.last, last == 10 || last == 13 { b = UnsafeRawBufferPointer(rebasing: b[0..<(b.count - 1)]) }
        guard !b.isEmpty else { return true }
        let stream = fnv(source) &+ UInt64(truncatingIfNeeded: origin.input) &* 0x9E37_79B9_7F4A_7C15
        let (kind, time, ts) = decode(b, stream: stream, streamName: source, fallback: timestamp, fallbackIsRecord: true)
        return sink.consume(NMEAEvent(kind: kind, origin: origin, timestamp: time, timeSource: ts, payload: b, record: record),
                            input: input)
    }

    /// A whole UDP datagram or a chunk of TCP data: an optional IEC 61162-450 header, then
    /// sentences separated by CR LF. Each sentence becomes an event.
    ///
    /// ```
    ///  IEC 61162-450 (UDP multicast):  "UdPbC" 00  \s:GP0001,n:245*hh\$GPRMC,...*hh CR LF ...
    ///                                  token  NUL  tag block with the source (SFI) and line count
    /// ```
    /// Other tokens of the standard (`RaUdP`, `RrUdP`, `NkPgN`) carry binary files or
    /// acknowledgements, not sentences; their header is skipped the same way.
    public func consume<S: EventSink>(datagram: UnsafeRawBufferPointer, origin: Origin, timestamp: Timestamp,
                                      source: String, input: String, sink: inout S) -> Bool {
        let b = Self.stripFrameHeader(datagram)
        var start = 0
        for i in 0...b.count where i == b.count || b[i] == 10 {
            var end = i
            if end > start && b[end - 1] == 13 { end -= 1 }
            if end > start {
                let piece = UnsafeRawBufferPointer(rebasing: b[start..<end])
                if !consume(sentence: piece, origin: origin, timestamp: timestamp, source: source, input: input, sink: &sink) {
                    return false
                }
            }
            start = i + 1
        }
        return true
    }

    /// The IEC 61162-450 header: a 5-character token and a NUL.
    public static func stripFrameHeader(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard b.count >= 6, b[5] == 0 else { return b }
        let t = (b[0], b[1], b[2], b[3], b[4])
        switch t {
        case (85, 100, 80, 98, 67),  // UdPbC
             (82, 97, 85, 100, 80),  // RaUdP
             (82, 114, 85, 100, 80),  // RrUdP
             (78, 107, 80, 103, 78):  // NkPgN
            return UnsafeRawBufferPointer(rebasing: b[6...])
        default:
            return b
        }
    }

    // MARK: caps

    /// The end of one input: AIS messages still missing fragments are dropped and counted
    /// (`ais_fragment_timeout`), as they can no longer complete.
    public func endInput(stats: inout ScanStats) {
        assembler.endInput()
        drainCaps(into: &stats)
    }

    /// Add the caps hit since the last call to `stats.capsHit`. Called after every line; the
    /// network stage calls it for sentences from packets.
    public func drainCaps(into stats: inout ScanStats) {
        let counters = (fieldsCapped, assembler.groupsCapped, assembler.tooLong, assembler.timedOut,
                        vessels.evicted, receivers.evicted, receivers.satellitesCapped)
        let total = counters.0 + counters.1 + counters.2 + counters.3 + counters.4 + counters.5 + counters.6
        guard total != drainedTotal else { return }
        drainedTotal = total
        let now = [counters.0, counters.1, counters.2, counters.3, counters.4, counters.5, counters.6]
        let caps: [Cap] = [.nmeaFields, .aisFragmentGroups, .aisFragments, .aisFragmentTimeout, .aisTracks, .gnssReceivers, .gnssSatellites]
        for k in 0..<caps.count where now[k] > drained[k] {
            stats.capsHit[caps[k], default: 0] += now[k] - drained[k]
        }
        drained = now
    }

    // MARK: decoding

    /// Decode one line or sentence into `record`. Returns the event kind and time.
    func decode(_ b: UnsafeRawBufferPointer, stream: UInt64, streamName: String, fallback: Timestamp,
                fallbackIsRecord: Bool) -> (EventKind, Timestamp, TimeSource) {
        record.reset(b)
        SentenceParser.parse(b, into: &frame)
        let rec = record

        // Receive time.
        var groupStart: Timestamp?
        if frame.groupID >= 0 {
            if let t = frame.tagTime {
                rememberGroup(stream, frame.groupID, t)
            } else {
                groupStart = groupTime(stream, frame.groupID)
            }
        }
        let recordTime = groupStart ?? frame.recordTime

        if !frame.talker.isEmpty {
            rec.fields.add(.nmeaTalker, range: frame.talker)
            rec.fields.add(.nmeaSentence, range: frame.formatter)
        }
        if let s = frame.source { rec.fields.add(.nmeaSource, range: s) }
        if let g = frame.groupRange { rec.fields.add(.nmeaGroup, range: g) }

        // A parametric sentence's fields as sent (for malformed ones too, so people can see them).
        if frame.start >= 0, b[frame.start] == 36, frame.fields.count > 1 {
            let F = frame.fields
            rec.fields.add(.nmeaFields, range: F[1].lowerBound..<F[F.count - 1].upperBound)
        }
        func finish(_ kind: EventKind, time: Timestamp? = nil) -> (EventKind, Timestamp, TimeSource) {
            if let t = time ?? recordTime { return (kind, t, .record) }
            return (kind, fallback, fallbackIsRecord ? .record : .read)
        }
        if let p = frame.problem {
            if p == .tooManyFields { fieldsCapped += 1 }
            record.problem = p
            return finish(.nmea)
        }
        let F = frame.fields
        let isAIS = b[frame.start] == 33 && frame.formatter.count == 3
            && b[frame.formatter.lowerBound] == 86 && b[frame.formatter.lowerBound + 1] == 68
            && (b[frame.formatter.lowerBound + 2] == 77 || b[frame.formatter.lowerBound + 2] == 79)  // VDM, VDO
        if isAIS {
            let own = b[frame.formatter.lowerBound + 2] == 79
            // count, number, sequence id, channel, payload, fill bits
            guard let count = parseInt(b, F[1]), count >= 1, count <= Int64(AISAssembler.maxFragments),
                  let number = parseInt(b, F[2]), number >= 1, number <= count, F.count >= 6 else {
                record.problem = .aisBadFragmentHeader
                return finish(.nmea)
            }
            let seq = F[3].isEmpty ? -1 : (parseInt(b, F[3]) ?? -2)
            let fill = F[6].isEmpty ? 0 : (parseInt(b, F[6]) ?? -1)
            guard seq >= -1, seq <= 9, fill >= 0, fill <= 5 else {
                record.problem = .aisBadFragmentHeader
                return finish(.nmea)
            }
            if !F[4].isEmpty { rec.fields.add(.nmeaChannel, range: F[4]) }
            rec.fields.add(.nmeaFragmentCount, int: count)
            rec.fields.add(.nmeaFragmentNumber, int: number)
            if seq >= 0 { rec.fields.add(.nmeaSequenceID, int: seq) }
            let talker = frame.talker.count == 2 ? UInt16(b[frame.talker.lowerBound]) << 8 | UInt16(b[frame.talker.lowerBound + 1]) : 0
            // Fragments from different stations (tag block `s:`) interleave in one feed: each
            // station's are put together on their own, as the GNSS path keys receivers.
            var source: UInt64 = 0
            if frame.sourceFromTagBlock, let r = frame.source { source = fnv(UnsafeRawBufferPointer(rebasing: b[r])) | 1 }
            let key = FragmentKey(stream: stream, talker: talker, own: own, channel: F[4].isEmpty ? 0 : b[F[4].lowerBound],
                                  sequence: Int8(seq), count: UInt8(count), source: source)
            switch assembler.add(key, number: Int(number), b: b, payloadRange: F[5], fill: Int(fill), time: recordTime,
                                 into: &record.payload) {
            case .pending:
                return finish(.nmea)
            case .problem(let p):
                record.problem = p
                return finish(.nmea)
            case .complete(let first):
                if let p = AISDecoder.decode(rec.payload, into: &rec.fields) {
                    record.problem = p
                    return finish(.nmea)
                }
                rec.fields.add(.aisOwnShip, bool: own)
                let time = first ?? recordTime
                let trackTime = time ?? (fallbackIsRecord ? fallback : nil)
                vessels.update(&rec.fields, payload: rec.payload, time: trackTime?.nanoseconds)
                return finish(.ais, time: time)
            }
        }

        if let kind = GNSSDecoder.kind(b, frame.formatter), b[frame.start] == 36 {
            GNSSDecoder.decode(b, frame, kind: kind, into: &rec.fields, reading: &reading)
            let talker = frame.talker.count == 2 ? UInt16(b[frame.talker.lowerBound]) << 8 | UInt16(b[frame.talker.lowerBound + 1]) : 0x5858
            var key = stream
            var tagSource: UnsafeRawBufferPointer?
            if let s = frame.source {
                let src = UnsafeRawBufferPointer(rebasing: b[s])
                key = key &+ fnv(src)
                tagSource = src
            }
            let received = recordTime ?? (fallbackIsRecord ? fallback : nil)
            receivers.update(&rec.fields, reading: reading, key: key, stream: streamName, tagSource: tagSource, talker: talker,
                             recordNS: received?.nanoseconds)
            return finish(.gnss)
        }
        return finish(.nmea)
    }

    private func rememberGroup(_ stream: UInt64, _ id: Int, _ t: Timestamp) {
        if groupTimes.count < 16 {
            groupTimes.append((stream, id, t))
        } else {
            groupTimes[groupNext] = (stream, id, t)
            groupNext = (groupNext + 1) % 16
        }
    }

    private func groupTime(_ stream: UInt64, _ id: Int) -> Timestamp? {
        for g in groupTimes where g.stream == stream && g.id == id { return g.time }
        return nil
    }
}
