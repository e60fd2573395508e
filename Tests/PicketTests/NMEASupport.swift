import Foundation
import PicketCore
import PicketNMEA
import PicketScan
import Testing

/// A sink that keeps every event as the JSON object `picket decode` would print for it.
struct EventCollector: EventSink {
    var events: [[String: Any]] = []
    var includePayload = false

    mutating func consume<E: Event>(_ event: E, input: String) -> Bool {
        var out = JSONOut(capacity: 1024)
        out.beginObject()
        out.key("kind"); out.string(event.kind.name)
        out.key("timestamp"); out.timestamp(event.timestamp)
        out.key("time_source"); out.string(event.timeSource == .record ? "record" : "read")
        switch event.origin.position {
        case .packet(let n): out.key("pcap_cnt"); out.int(n)
        case .line(let n): out.key("line"); out.int(n)
        }
        event.writeFields(to: &out)
        out.key("raw"); out.string(bytes: event.payload)
        out.endObject()
        let object = (try? JSONSerialization.jsonObject(with: Data(out.bytes))) as? [String: Any]
        events.append(object ?? ["kind": "unparseable", "json": String(decoding: out.bytes, as: UTF8.self)])
        return true
    }
}

extension Dictionary where Key == String, Value == Any {
    var kind: String { self["kind"] as? String ?? "" }
    var ais: [String: Any] { self["ais"] as? [String: Any] ?? [:] }
    var gnss: [String: Any] { self["gnss"] as? [String: Any] ?? [:] }
    var nmea: [String: Any] { self["nmea"] as? [String: Any] ?? [:] }
    var raw: String { self["raw"] as? String ?? "" }
    var decoderEvent: String? { self["decoder_event"] as? String }
}

func number(_ v: Any?) -> Double? {
    if let n = v as? NSNumber { return n.doubleValue }
    if let s = v as? String { return Double(s) }
    return nil
}

/// Scan files through the real pipeline (sniffing, framing, NMEA decoding) in process.
func scanEvents(_ paths: [String], zones: ZoneSet = ZoneSet()) throws -> (events: [[String: Any]], stats: ScanStats) {
    var options = ScanOptions()
    options.zones = zones
    let scanner = try Scanner(options: options, sink: EventCollector(), report: { _ in })
    scanner.scan(paths.map { InputSpec.file($0) })
    return (scanner.sink.events, scanner.stats)
}

/// Decode lines with one decoder (state kept across calls when the same decoder is passed).
func decodeLines(_ lines: [String], decoder: NMEADecoder = NMEADecoder(), input: Int = 0,
                 stats: inout ScanStats) -> [[String: Any]] {
    var sink = EventCollector()
    let readTime = Timestamp(seconds: 1_795_780_800, nanos: 0)
    for (k, line) in lines.enumerated() {
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { b in
            decoder.decodeLine(UnsafeRawBufferPointer(b), origin: Origin(input: input, position: .line(k + 1)), readTime: readTime,
                               input: "test\(input).log", stats: &stats, sink: &sink)
        }
    }
    return sink.events
}

func decodeLines(_ lines: [String], decoder: NMEADecoder = NMEADecoder()) -> [[String: Any]] {
    var stats = ScanStats()
    return decodeLines(lines, decoder: decoder, stats: &stats)
}

/// An NMEA sentence with its checksum: `nmea("$GPGGA,…")` → `$GPGGA,…*hh`.
func nmea(_ body: String) -> String {
    var c: UInt8 = 0
    for b in body.utf8.dropFirst() { c ^= b }
    return body + "*" + String(format: "%02X", c)
}

/// A tag block with its checksum: `tag("c:1418169601,s:r1")` → `\c:1418169601,s:r1*hh\`.
func tag(_ body: String) -> String {
    var c: UInt8 = 0
    for b in body.utf8 { c ^= b }
    return "\\" + body + "*" + String(format: "%02X", c) + "\\"
}

/// 6-bit armouring of AIS fields (value, bits), ITU-R M.1371 / IEC 61162-1.
func armour(_ fields: [(Int64, Int)]) -> (payload: String, fill: Int) {
    var bits: [UInt8] = []
    for (v, n) in fields {
        let u = UInt64(bitPattern: v) & (n == 64 ? ~0 : (1 << UInt64(n)) - 1)
        for k in stride(from: n - 1, through: 0, by: -1) { bits.append(UInt8(u >> UInt64(k) & 1)) }
    }
    let fill = (6 - bits.count % 6) % 6
    bits += [UInt8](repeating: 0, count: fill)
    var out = ""
    for i in stride(from: 0, to: bits.count, by: 6) {
        var v = 0
        for k in 0..<6 { v = v << 1 | Int(bits[i + k]) }
        out.append(Character(UnicodeScalar(UInt8(v < 40 ? v + 48 : v + 56))))
    }
    return (out, fill)
}

/// A type 1 position report for synthetic tracks.
func aisPosition(mmsi: Int64, lat: Double, lon: Double, sog: Double = 10, cog: Double = 90, heading: Int64 = 90,
                 second: Int64 = 0, channel: String = "A") -> String {
    let (p, fill) = armour([(1, 6), (0, 2), (mmsi, 30), (0, 4), (0, 8), (Int64(sog * 10), 10), (1, 1),
                            (Int64((lon * 600_000).rounded()), 28), (Int64((lat * 600_000).rounded()), 27),
                            (Int64(cog * 10), 12), (heading, 9), (second, 6), (0, 2), (0, 3), (0, 1), (0, 19)])
    return nmea("!AIVDM,1,1,,\(channel),\(p),\(fill)")
}

/// A type 5 static report (one sentence, for tests: real ones come in two fragments).
func aisStatic(mmsi: Int64, name: String, callsign: String, imo: Int64) -> String {
    func text(_ s: String, _ n: Int) -> [(Int64, Int)] {
        let chars = Array(s.uppercased().utf8) + [UInt8](repeating: 64, count: max(0, n - s.utf8.count))
        return chars.prefix(n).map { c in (Int64(c >= 64 ? c - 64 : c), 6) }
    }
    var f: [(Int64, Int)] = [(5, 6), (0, 2), (mmsi, 30), (0, 2), (imo, 30)]
    f += text(callsign, 7) + text(name, 20)
    f += [(70, 8), (100, 9), (20, 9), (5, 6), (5, 6), (1, 4), (0, 4), (0, 5), (24, 5), (60, 6), (50, 8)]
    f += text("", 20) + [(0, 1), (0, 1)]
    let (p, fill) = armour(f)
    return nmea("!AIVDM,1,1,,A,\(p),\(fill)")
}

/// ISO 8601 time `seconds` after 2026-11-27T08:00:00Z, as a leading time for log lines.
func stamp(_ seconds: Int) -> String {
    let t = Timestamp(seconds: 1_795_766_400 + Int64(seconds), nanos: 0).iso8601
    return String(t.prefix(19)) + "Z"
}

/// The corpus file must be there: the tests fail, not skip, without it.
func corpusFile(_ relative: String) throws -> String {
    let path = Paths.corpus(relative)
    try #require(FileManager.default.fileExists(atPath: path), "missing corpus file \(path) (../shared/corpus)")
    return path
}

/// The JSON objects among a file's lines (other lines, such as echoed sentences, are skipped).
func jsonLines(_ path: String) throws -> [[String: Any]] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    return bytes.split(separator: 10).compactMap { l in
        guard l.first == UInt8(ascii: "{") else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(l))) as? [String: Any]
    }
}
