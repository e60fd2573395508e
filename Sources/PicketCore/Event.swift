/// What kind of record an event came from; `logsource.category` in signatures selects by it.
public enum EventKind: UInt8, Sendable, CaseIterable {
    case packet, stream, dns, http, tls, ais, gnss, nmea, syslog, json, text

    public var name: String {
        switch self {
        case .packet: "packet"
        case .stream: "stream"
        case .dns: "dns"
        case .http: "http"
        case .tls: "tls"
        case .ais: "ais"
        case .gnss: "gnss"
        case .nmea: "nmea"
        case .syslog: "syslog"
        case .json: "json"
        case .text: "text"
        }
    }
}

/// Where an event came from: the input (an index into the scan's input table) and
/// the 1-based capture record number (`pcap_cnt`) or line number (`line`).
public struct Origin: Sendable, Hashable {
    public enum Position: Sendable, Hashable {
        case packet(Int)
        case line(Int)
    }
    public var input: Int
    public var position: Position

    public init(input: Int, position: Position) {
        self.input = input
        self.position = position
    }
}

/// Where an event's timestamp came from.
public enum TimeSource: Sendable {
    /// The record carried its own time (capture record header, syslog, JSON field, leading time).
    case record
    /// The record had none: the time it was read.
    case read
}

/// A typed field value. Byte and string values borrow the record's memory and are only valid
/// while the event is being handled; copy them (`String(...)`) to keep them.
public enum FieldValue {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// UTF-8 text (not necessarily valid UTF-8: it came from the input).
    case text(UnsafeRawBufferPointer)
    /// An owned string, for values the decoder composed.
    case string(String)
    case ip(IPAddress)
}

/// One decoded record, handed to sinks by reference to the decoder's state: fields are
/// computed on demand from the borrowed record bytes, so no event allocates.
public protocol Event {
    var kind: EventKind { get }
    var origin: Origin { get }
    var timestamp: Timestamp { get }
    var timeSource: TimeSource { get }
    /// The payload bytes signatures see as `payload`: packet or stream data, or the raw log line.
    var payload: UnsafeRawBufferPointer { get }
    /// A field by its dotted name (`src_ip`, `syslog.host`, `tcp.flags`, a JSON line's own path).
    func field(_ name: String) -> FieldValue?
    /// Write the event's fields into an open JSON object, nested by their dotted names.
    func writeFields(to out: inout JSONOut)
    /// The flow the event belongs to (EVE's `flow_id`), for packets and everything above them.
    var flowID: UInt64? { get }
    /// For `stream` events: which flow direction this chunk continues, so matchers can keep
    /// state (Hyperscan streaming mode) across chunks. Nil for every other kind.
    var streamKey: StreamKey? { get }
    /// The pattern ids the payload prefilter found in `payload`, when they were worked out
    /// ahead on the decoding thread (`--threads`); nil means the matcher scans the payload itself.
    var payloadHits: UnsafeBufferPointer<UInt32>? { get }
}

extension Event {
    public var flowID: UInt64? { nil }
    public var streamKey: StreamKey? { nil }
    public var payloadHits: UnsafeBufferPointer<UInt32>? { nil }
}

/// One direction of one TCP flow.
public struct StreamKey: Hashable, Sendable {
    public var flowID: UInt64
    public var toServer: Bool
    public init(flowID: UInt64, toServer: Bool) {
        self.flowID = flowID
        self.toServer = toServer
    }
}

/// Where events go (ripgrep's `Sink`): decoders push each event in; returning false stops the
/// scan (the reader of the output went away). `input` is the input's display name.
public protocol EventSink {
    mutating func consume<E: Event>(_ event: E, input: String) -> Bool
    /// A stream direction has ended (FIN, RST, timeout or eviction): state kept for it can go.
    mutating func streamEnded(_ key: StreamKey)
    /// An input has been read to its end (after its flows were flushed).
    mutating func inputEnded() -> Bool
}

extension EventSink {
    public mutating func streamEnded(_ key: StreamKey) {}
    public mutating func inputEnded() -> Bool { true }
}

/// Where NMEA 0183 sentences found inside packets go (UDP datagrams, TCP stream data, IEC
/// 61162-450 frames): the network stage finds them, the NMEA decoder implements this.
public protocol SentenceConsumer: AnyObject {
    /// One sentence, tag block included, CR LF stripped. `origin` and `timestamp` are the
    /// packet's; `source` names the sender (`"10.30.0.5:10110"`) for per-receiver state.
    /// Returns false when the sink asked to stop.
    func consume<S: EventSink>(sentence: UnsafeRawBufferPointer, origin: Origin, timestamp: Timestamp,
                               source: String, input: String, sink: inout S) -> Bool
}

/// An IPv4 or IPv6 address held inline (no allocation).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// IPv4 addresses use `lo` only (in its low 32 bits); IPv6 uses both, network order words.
    public var hi: UInt64
    public var lo: UInt64
    public var isV6: Bool

    public init(v4 network: UInt32) { hi = 0; lo = UInt64(network); isV6 = false }
    public init(v6Hi: UInt64, lo: UInt64) { hi = v6Hi; self.lo = lo; isV6 = true }

    public var description: String {
        var out: [UInt8] = []
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Write the address as text: dotted quad, or RFC 5952 IPv6 (longest zero run compressed).
    public func append(to out: inout [UInt8]) {
        func dec(_ v: UInt32) {
            if v >= 100 { out.append(UInt8(v / 100) + 48) }
            if v >= 10 { out.append(UInt8(v / 10 % 10) + 48) }
            out.append(UInt8(v % 10) + 48)
        }
        if !isV6 {
            let v = UInt32(truncatingIfNeeded: lo)
            dec(v >> 24); out.append(46); dec(v >> 16 & 255); out.append(46)
            dec(v >> 8 & 255); out.append(46); dec(v & 255)
            return
        }
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &groups) { g in
            let words = [hi, lo]
            for w in 0..<2 {
                for k in 0..<4 {
                    let v = UInt16(truncatingIfNeeded: words[w] >> UInt64(48 - 16 * k))
                    g.storeBytes(of: v, toByteOffset: (w * 4 + k) * 2, as: UInt16.self)
                }
            }
        }
        let gs = withUnsafeBytes(of: &groups) { Array($0.bindMemory(to: UInt16.self)) }
        // Longest run of zero groups (length >= 2) is shown as "::".
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if gs[i] == 0 {
                var j = i
                while j < 8 && gs[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        i = 0
        while i < 8 {
            if i == bestStart {
                out.append(58); out.append(58)
                i += bestLen
                continue
            }
            if i > 0 && i != bestStart + bestLen { out.append(58) }
            let v = gs[i]
            var started = false
            for shift in stride(from: 12, through: 0, by: -4) {
                let d = Int(v >> UInt16(shift) & 15)
                if d != 0 || started || shift == 0 { out.append(hex[d]); started = true }
            }
            i += 1
        }
    }
}
