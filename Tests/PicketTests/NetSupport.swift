import Foundation
import PicketCore
import PicketNet
import PicketScan
import Testing

/// One event as a test keeps it: its kind, fields as EVE JSON, payload bytes, and for
/// packets the whole packet's bytes.
struct Seen {
    var kind: EventKind
    var fields: [String: Any]
    var payload: [UInt8]
    var packet: [UInt8]
    var streamKey: StreamKey?
    var flowID: UInt64?
    var pcapCount: Int

    var text: String { String(decoding: payload, as: UTF8.self) }

    /// A nested field by dotted path (`tls.ja3.hash`).
    func value(_ path: String) -> Any? {
        var cur: Any? = fields
        for part in path.split(separator: ".") { cur = (cur as? [String: Any])?[String(part)] }
        return cur
    }
}

/// A sink that keeps every event and every stream end, in order.
struct RecordingSink: EventSink {
    final class Box {
        var events: [Seen] = []
        var ended: [StreamKey] = []
    }
    let box = Box()

    mutating func consume<E: Event>(_ event: E, input: String) -> Bool {
        var json = JSONOut()
        json.beginObject()
        event.writeFields(to: &json)
        json.endObject()
        let fields = (try? JSONSerialization.jsonObject(with: Data(json.bytes))) as? [String: Any] ?? [:]
        var packet: [UInt8] = []
        var count = 0
        if case .packet(let n) = event.origin.position { count = n }
        if let p = event as? PacketEvent { packet = Array(p.data) }
        box.events.append(Seen(kind: event.kind, fields: fields, payload: Array(event.payload), packet: packet,
                               streamKey: event.streamKey, flowID: event.flowID, pcapCount: count))
        return true
    }

    mutating func streamEnded(_ key: StreamKey) { box.ended.append(key) }
}

/// Raw IP packets (LINKTYPE_RAW) for the network stages.
enum Build {
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 255), UInt8(v & 255)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }

    /// An IPv4 header (checksum computed) around `payload`.
    static func ipv4(src: UInt32, dst: UInt32, proto: UInt8, id: Int = 1, flagsOffset: Int = 0, _ payload: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [0x45, 0] + be16(20 + payload.count) + be16(id) + be16(flagsOffset) + [64, proto, 0, 0] + be32(src) + be32(dst)
        var sum: UInt32 = 0
        for i in stride(from: 0, to: 20, by: 2) { sum += UInt32(h[i]) << 8 | UInt32(h[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let c = ~UInt16(sum)
        h[10] = UInt8(c >> 8)
        h[11] = UInt8(c & 255)
        return h + payload
    }

    static func tcp(sport: Int, dport: Int, seq: UInt32, ack: UInt32 = 0, flags: UInt8, _ data: [UInt8] = []) -> [UInt8] {
        be16(sport) + be16(dport) + be32(seq) + be32(ack) + [0x50, flags] + be16(65535) + [0, 0, 0, 0] + data
    }

    static func udp(sport: Int, dport: Int, _ data: [UInt8]) -> [UInt8] {
        be16(sport) + be16(dport) + be16(8 + data.count) + [0, 0] + data
    }

    static let client: UInt32 = 0x0A00_0001  // 10.0.0.1
    static let server: UInt32 = 0x0A00_0002  // 10.0.0.2

    /// A TCP segment from the client (10.0.0.1:40000) to the server (10.0.0.2:80), or back.
    static func seg(_ fromClient: Bool, seq: UInt32, ack: UInt32 = 0, flags: UInt8 = 0x18, _ text: String = "",
                    sport: Int = 40000, dport: Int = 80) -> [UInt8] {
        seg(fromClient, seq: seq, ack: ack, flags: flags, Array(text.utf8), sport: sport, dport: dport)
    }

    static func seg(_ fromClient: Bool, seq: UInt32, ack: UInt32 = 0, flags: UInt8 = 0x18, _ data: [UInt8],
                    sport: Int = 40000, dport: Int = 80) -> [UInt8] {
        if fromClient {
            return ipv4(src: client, dst: server, proto: 6, tcp(sport: sport, dport: dport, seq: seq, ack: ack, flags: flags, data))
        }
        return ipv4(src: server, dst: client, proto: 6, tcp(sport: dport, dport: sport, seq: seq, ack: ack, flags: flags, data))
    }
}

/// TCP flags.
enum F {
    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10
}

/// Run packets (one second apart unless `times` says otherwise) through the network
/// stages, then end the input. Returns the events, stream ends and cap hits.
func runPipeline(_ packets: [[UInt8]], linkType: UInt32 = 101, options: NetworkOptions = NetworkOptions(),
                 times: [Int64]? = nil, consumer: SentenceConsumer? = nil) -> (events: [Seen], ended: [StreamKey], caps: [Cap: Int]) {
    let pipeline = NetworkPipeline(options: options)
    pipeline.sentenceConsumer = consumer
    var sink = RecordingSink()
    let decoder = PacketDecoder()
    var p = DecodedPacket()
    for (i, bytes) in packets.enumerated() {
        let ts = Timestamp(seconds: 1_700_000_000 + (times?[i] ?? Int64(i)), nanos: 0)
        bytes.withUnsafeBytes { b in
            decoder.decode(linkType: linkType, b, wireLength: b.count, into: &p)
            _ = withUnsafePointer(to: p) { pp in
                pipeline.process(pp, data: b, wireLength: b.count, origin: Origin(input: 0, position: .packet(i + 1)),
                                 timestamp: ts, input: "test", sink: &sink)
            }
        }
    }
    _ = pipeline.finish(input: "test", sink: &sink)
    return (sink.box.events, sink.box.ended, pipeline.takeCapHits())
}

/// The bytes of each stream direction, with gaps shown as `[N missing]` (as Suricata's
/// `payload_printable` shows them), keyed by `to_server` / `to_client`.
func streams(_ events: [Seen]) -> [String: String] {
    var out: [String: String] = [:]
    for e in events where e.kind == .stream {
        let dir = e.fields["direction"] as? String ?? "?"
        let gap = e.value("stream.gap") as? Int ?? 0
        out[dir, default: ""] += (gap > 0 ? "[\(gap) missing]" : "") + e.text
    }
    return out
}

/// Scan one file in-process and keep every event.
func scanEvents(_ path: String, options: ScanOptions = ScanOptions()) throws -> (events: [Seen], stats: ScanStats) {
    let sink = RecordingSink()
    let scanner = try Scanner(options: options, sink: sink, report: { _ in })
    scanner.scan([.file(path)])
    return (sink.box.events, scanner.stats)
}
