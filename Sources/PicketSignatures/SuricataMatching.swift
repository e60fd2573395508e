import PicketCore
import PicketMatch

/// An event whose fields were copied (so it outlives the record), with its own payload:
/// a stream window's alert is reported after the chunks that made it are gone.
struct SavedEvent: Event {
    var kind: EventKind
    var origin: Origin
    var timestamp: Timestamp
    var timeSource: TimeSource
    var fields: [String: FieldValue]
    var bytes: [UInt8]
    var flowID: UInt64?
    var streamKey: StreamKey?

    var payload: UnsafeRawBufferPointer { bytes.withUnsafeBytes { $0 } }
    func field(_ name: String) -> FieldValue? { fields[name] }
    func writeFields(to out: inout JSONOut) {}

    static let copied = ["src_ip", "dest_ip", "src_port", "dest_port", "proto", "direction", "flow.established", "flow_id", "vlan", "app_proto"]

    init<E: Event>(_ e: E, payload: [UInt8]) {
        kind = e.kind
        origin = e.origin
        timestamp = e.timestamp
        timeSource = e.timeSource
        flowID = e.flowID
        streamKey = e.streamKey
        bytes = payload
        var f: [String: FieldValue] = [:]
        for name in Self.copied {
            guard let v = e.field(name) else { continue }
            if case .text(let b) = v { f[name] = .string(String(decoding: b, as: UTF8.self)) } else { f[name] = v }
        }
        fields = f
    }
}

/// An event seen through another payload (a stream alert reports the stream window).
struct WithPayload<E: Event>: Event {
    let base: E
    let bytes: UnsafeRawBufferPointer
    var kind: EventKind { base.kind }
    var origin: Origin { base.origin }
    var timestamp: Timestamp { base.timestamp }
    var timeSource: TimeSource { base.timeSource }
    var payload: UnsafeRawBufferPointer { bytes }
    var flowID: UInt64? { base.flowID }
    var streamKey: StreamKey? { base.streamKey }
    func field(_ name: String) -> FieldValue? { base.field(name) }
    func writeFields(to out: inout JSONOut) { base.writeFields(to: &out) }
}

/// The reassembled data of one TCP stream direction that Suricata rules have not inspected
/// yet, as runs of contiguous bytes split at gaps. Suricata inspects raw stream data in chunks,
/// when the other side acknowledges it or when the flow ends, with `offset`/`depth` counted from
/// the start of the chunk; here the pending data is inspected when a packet comes the other way,
/// when the stream ends, or when `maxBytes` are pending (a bound on memory per direction).
struct SuricataWindow {
    struct Run { var start: Int64; var bytes: [UInt8] }
    var runs: [Run] = []
    var end: Int64 = 0
    var inspected: Int64 = 0
    var held = 0
    var last: SavedEvent
    var input: String
    /// TCP sequence number of the first pending byte, to tell whether an ACK covers it.
    var pendingSeq: UInt32?
    /// The flow's latest packet: a stream that ends alerts on it (Suricata's flow timeout or
    /// end-of-flow inspection happens on the last packet).
    var lastPacket: (Origin, Timestamp)?
    /// The end of the data inspected before, so a content that starts there and ends in the next
    /// chunk is still found (the chunk alone is inspected too, positions counted from its start).
    var tail: [UInt8] = []
    var tailEnd: Int64 = -1
    static let tailBytes = 1024
    /// The stream ended (FIN, RST): its last data is inspected on the flow's next packet (the
    /// one that closes the session) or when the input ends.
    var ended = false

    static let maxBytes = 256 * 1024

    /// Suricata's payload for a stream alert: the chunk, with `[N bytes missing]` for gaps.
    var display: [UInt8] {
        var out: [UInt8] = []
        var at: Int64 = inspected
        for r in runs {
            if r.start > at { out += Array("[\(r.start - at) bytes missing]".utf8) }
            out += r.bytes
            at = r.start + Int64(r.bytes.count)
        }
        return out
    }
}

/// Per-rule `threshold` and `detection_filter` state (Suricata's semantics).
struct ThresholdState {
    struct Entry { var count: Int; var start: Int64; var alerted: Int }
    var entries: [String: Entry] = [:]
    static let maxEntries = 50_000

    /// Whether this match should alert.
    mutating func allow<E: Event>(_ t: SuricataRule.Threshold, _ e: E, sid: Int) -> Bool {
        func text(_ n: String) -> String {
            switch e.field(n) {
            case .ip(let a): a.description
            case .string(let s): s
            case .int(let i): String(i)
            default: ""
            }
        }
        let key: String
        switch t.track {
        case .bySrc: key = text("src_ip")
        case .byDst: key = text("dest_ip")
        case .byRule: key = ""
        case .byBoth: key = text("src_ip") + "|" + text("dest_ip")
        case .byFlow: key = text("flow_id")
        }
        let now = e.timestamp.nanoseconds
        let window = Int64(t.seconds).saturatingMultiply(1_000_000_000)
        if entries[key] == nil && entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
        var entry = entries[key] ?? Entry(count: 0, start: now, alerted: 0)
        if now.saturatingSubtract(entry.start) >= window && window > 0 || now < entry.start {
            entry = Entry(count: 0, start: now, alerted: 0)
        }
        entry.count += 1
        var ok: Bool
        switch t.kind {
        case .limit:
            ok = entry.count <= t.count
        case .threshold:
            ok = entry.count >= t.count
            if ok { entry = Entry(count: 0, start: now, alerted: 0) }
        case .both:
            ok = entry.count == t.count
        case .detectionFilter:
            ok = entry.count > t.count
        }
        if ok { entry.alerted += 1 }
        entries[key] = entry
        return ok
    }
}

extension SuricataEvaluator {
    /// The whole rule on one event's buffers (header and flow already checked or not).
    static func contentMatches<E: Event>(_ r: SuricataRule, _ e: E, payload: Subject? = nil) -> Bool {
        var byBuffer: [SuricataRule.Buffer: [SuricataRule.Match]] = [:]
        for m in r.matches { byBuffer[m.buffer, default: []].append(m) }
        for (buffer, list) in byBuffer {
            if buffer == .payload {
                let subject = payload ?? Subject(bytes: e.payload)
                if !inspect(list, subject) { return false }
            } else {
                // dns.query is the request's question (answers carry their own buffers).
                if buffer == .dnsQuery, case .string(let t) = e.field("dns.type"), t != "query" { return false }
                guard let v = e.field(buffer.field) else {
                    // An absent buffer matches only negated keywords.
                    if list.allSatisfy(isNegativeMatch) { continue }
                    return false
                }
                let ok = Evaluator.withBytes(v) { raw -> Bool in
                    if buffer == .httpURI {
                        // Suricata's http.uri is the normalized URI.
                        return normalizedURI(raw).withUnsafeBytes { inspect(list, Subject(bytes: $0)) }
                    }
                    return inspect(list, Subject(bytes: raw))
                }
                if !ok { return false }
            }
        }
        return true
    }

    /// The request target as Suricata's `http.uri` sees it (libhtp's normalization): `%XX`
    /// escapes decoded, and `.` and `..` path segments removed.
    static func normalizedURI(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            if raw[i] == 37, i + 2 < raw.count, let h = hex(raw[i + 1]), let l = hex(raw[i + 2]) {
                decoded.append(h << 4 | l)
                i += 3
            } else {
                decoded.append(raw[i])
                i += 1
            }
        }
        // Remove dot segments from the path (RFC 3986 5.2.4), leaving the query alone.
        let queryStart = decoded.firstIndex(of: 63) ?? decoded.count
        let path = Array(decoded[..<queryStart])
        guard path.contains(46) else { return decoded }
        var segments: [ArraySlice<UInt8>] = []
        for seg in path.split(separator: 47, omittingEmptySubsequences: false) {
            if seg.elementsEqual([46]) { continue }
            if seg.elementsEqual([46, 46]) { if segments.count > 1 { segments.removeLast() }; continue }
            segments.append(seg)
        }
        var out: [UInt8] = []
        for (k, seg) in segments.enumerated() {
            if k > 0 { out.append(47) }
            out += seg
        }
        if (path.last == 47 || path.last == 46) && out.last != 47 { out.append(47) }
        return out + decoded[queryStart...]
    }

    static func isNegativeMatch(_ m: SuricataRule.Match) -> Bool {
        switch m {
        case .content(let c): c.negated
        case .pcre(let p): p.negated
        }
    }
}
