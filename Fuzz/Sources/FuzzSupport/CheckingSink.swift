import Foundation
import PicketCore
import PicketLogs
import PicketNMEA

/// Field names every event is asked for: the EVE names of DESIGN.md section 4, the packet,
/// stream and log fields, and every NMEA/AIS/GNSS field. Unknown names must give nil.
public let allFieldNames: [String] = [
    "src_ip", "dest_ip", "src_port", "dest_port", "proto", "ip_v", "vlan", "icmp_type", "icmp_code", "tcp.flags",
    "pkt_len", "flow_id", "reassembled", "payload_len", "decoder_event", "decoder_detail", "direction",
    "stream.offset", "stream.length", "stream.gap",
    "dns.type", "dns.query", "dns.rrname", "dns.rrtype", "dns.rcode", "dns.id", "dns.opcode",
    "http.hostname", "http.http_port", "http.url", "http.http_method", "http.http_user_agent", "http.protocol",
    "tls.sni", "tls.ja3.string", "tls.ja3.hash", "tls.ja4", "tls.version",
    "syslog.host", "syslog.app", "syslog.pid", "syslog.msgid", "syslog.msg", "syslog.facility", "syslog.severity",
    "json.timestamp", "timestamp", "a", "a.b", "json.a.b.c", "", ".", "..", "a..b", "no.such.field",
] + FieldID.allCases.map(\.path)

/// A sink that checks every event it is given:
/// - the payload and every field's bytes can be read (AddressSanitizer checks the bounds);
/// - the event serialises, as `picket decode --payload` writes it, to one valid JSON
///   object (checked with Foundation's parser, independent of Picket's own JSON code);
/// - optionally, a compact description of each event is kept for differential checks.
public struct CheckingSink: EventSink {
    public var events = 0
    public var perKind = [Int](repeating: 0, count: EventKind.allCases.count)
    public var ended: [StreamKey] = []
    /// Events of these kinds are described in `log` (their JSON, without origin and time).
    public var logKinds: Set<EventKind> = []
    public var log: [String] = []
    /// At most this many events are described in `log` (written, but checked only within
    /// `fullCheckLimit`).
    public var logLimit = Int.max
    /// Extra check per event (kind-specific invariants of a target).
    public var onEvent: ((any Event) -> Void)?
    /// Called when a stream direction ends.
    public var onEnded: ((StreamKey) -> Void)?
    /// When set, only events it accepts get their fields and JSON checked (targets aimed at one
    /// stage skip the costly checks of every packet event; the payload is still read).
    public var checkOnly: ((any Event) -> Bool)?
    /// Validate the JSON of every event (the costly part).
    public var validateJSON = true
    /// Fields asked for besides `allFieldNames` (e.g. paths taken from a JSON line).
    public var extraFields: [String] = []
    /// Events of one input (a sink is made per input) whose JSON is written and validated; the
    /// rest are counted (`perKind`), their payloads and fields read (and their JSON written,
    /// unchecked, where `log` describes them). A DNS message
    /// of 64 questions gave 64 events, each writing and validating the whole message: most of a
    /// run's time, for code paths the first few events had already taken; sixteen per input
    /// still made JSON writing and checking half of the DNS and TCP targets' time.
    public var fullCheckLimit = 4
    private var fullChecks = 0
    private var json = JSONOut(capacity: 1 << 12)
    private var fold: UInt8 = 0

    public init() {}

    public mutating func consume<E: Event>(_ event: E, input: String) -> Bool {
        events += 1
        perKind[Int(event.kind.rawValue)] += 1
        fold ^= touch(event.payload)
        if let f = checkOnly, !f(event) {
            onEvent?(event)
            return true
        }
        // Sixteen names per event, rotating through the whole list (asking every event for all
        // two hundred names made the field lookups most of the fuzzer's time).
        for j in 0..<16 { check(event.field(allFieldNames[(events &* 16 &+ j) % allFieldNames.count])) }
        for name in extraFields { check(event.field(name)) }
        _ = event.flowID
        _ = event.streamKey
        let fullCheck = fullChecks < fullCheckLimit
        let logged = logKinds.contains(event.kind) && log.count < logLimit
        if !fullCheck && !logged {
            onEvent?(event)
            return true
        }
        if fullCheck { fullChecks += 1 }

        json.reset()
        json.beginObject()
        json.key("kind"); json.string(event.kind.name)
        json.key("timestamp"); json.timestamp(event.timestamp)
        json.key("input"); json.string(input)
        switch event.origin.position {
        case .packet(let n): json.key("pcap_cnt"); json.int(n)
        case .line(let n): json.key("line"); json.int(n)
        }
        let fieldsStart = json.bytes.count
        event.writeFields(to: &json)
        let fieldsEnd = json.bytes.count
        json.key("payload"); json.base64(event.payload)
        json.endObject()
        if fullCheck && validateJSON {
            // Each fully checked event: valid UTF-8 and valid JSON by Picket's own scanner; one in
            // eight also through Foundation's parser (independent of Picket's JSON code).
            // (UTF-8 by the standard library: independent of Picket, and not instrumented.)
            let fast = json.bytes.withUnsafeBytes { b -> String? in
                if let f = JSONScanner.validate(b) { return "at \(f.position): \(f.reason)" }
                return String(validating: b, as: UTF8.self) == nil ? "invalid UTF-8" : nil
            }
            if let problem = fast {
                invariantFailed("\(event.kind.name) event wrote invalid JSON (\(problem)): \(String(decoding: json.bytes.prefix(2000), as: UTF8.self))")
            }
        }
        if fullCheck && validateJSON && events % 8 == 1 {
            let data = Data(json.bytes)
            do {
                let obj = try JSONSerialization.jsonObject(with: data, options: [])
                require(obj is [String: Any], "event JSON is not an object")
            } catch {
                invariantFailed("\(event.kind.name) event wrote invalid JSON (\(error)): \(String(decoding: json.bytes.prefix(2000), as: UTF8.self))")
            }
        }
        if logged {
            log.append(event.kind.name + " " + String(decoding: json.bytes[fieldsStart..<fieldsEnd], as: UTF8.self))
        }
        onEvent?(event)
        return true
    }

    public mutating func streamEnded(_ key: StreamKey) {
        ended.append(key)
        onEnded?(key)
    }

    private mutating func check(_ v: FieldValue?) {
        guard let v else { return }
        switch v {
        case .text(let b): fold ^= touch(b)
        case .string(let s): fold ^= UInt8(truncatingIfNeeded: s.utf8.count)
        case .int, .double, .bool, .ip: break
        }
    }
}
