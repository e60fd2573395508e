import Foundation
import PicketCore

/// A finding as exporters see it: read back from its EVE JSON line (DESIGN.md section 6), so
/// a summary made during a scan and one made later by `picket summarize` are the same.
public struct FindingRecord: Sendable {
    public var timestamp: String
    /// `timestamp` in nanoseconds since the epoch, for ordering and spans (held within
    /// ±`nanosLimit`).
    public var nanos: Int64
    public var area: String
    public var rule: String
    public var title: String
    public var signatureID: Int
    public var level: String
    public var tags: [String]
    public var references: [String]
    /// Entity fields in the order the finding gave them (`mmsi`, `src_ip`, `host`, …).
    public var entity: [(String, String)]
    public var evidence: [(String, String)]
    public var input: String
    /// `pcap_cnt` or `line`, and its number.
    public var positionKind: String
    public var position: Int
    public var srcIP: String?
    public var destIP: String?
    public var srcPort: Int?
    public var destPort: Int?
    public var proto: String?
    public var lat: Double?
    public var lon: Double?

    /// Parse one EVE finding line; nil when it is not a Picket alert.
    public init?(json line: Data) {
        guard let o = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              o["event_type"] as? String == "alert",
              let alert = o["alert"] as? [String: Any], let picket = o["picket"] as? [String: Any],
              let ts = o["timestamp"] as? String, let area = o["area"] as? String, Summary.areas.contains(area)
        else { return nil }
        // Area and level name the sections and colours of a summary: only the known ones.
        level = picket["level"] as? String ?? "informational"
        guard Levels.names.contains(level) else { return nil }
        timestamp = ts
        nanos = FindingRecord.parseTime(ts)
        self.area = area
        rule = picket["rule"] as? String ?? ""
        title = alert["signature"] as? String ?? rule
        signatureID = alert["signature_id"] as? Int ?? 0
        tags = picket["tags"] as? [String] ?? []
        references = alert["references"] as? [String] ?? []
        entity = FindingRecord.pairs(picket["entity"])
        evidence = FindingRecord.pairs(picket["evidence"])
        input = o["input"] as? String ?? "-"
        if let n = o["pcap_cnt"] as? Int { positionKind = "pcap_cnt"; position = n } else { positionKind = "line"; position = o["line"] as? Int ?? 0 }
        srcIP = o["src_ip"] as? String
        destIP = o["dest_ip"] as? String
        srcPort = o["src_port"] as? Int
        destPort = o["dest_port"] as? Int
        proto = o["proto"] as? String
        if let p = picket["position"] as? [String: Any] {
            lat = p["lat"] as? Double
            lon = p["lon"] as? Double
        }
    }

    static func pairs(_ any: Any?) -> [(String, String)] {
        guard let d = any as? [String: Any] else { return [] }
        return d.keys.sorted().map { k in (k, FindingRecord.text(d[k])) }
    }

    static func text(_ v: Any?) -> String {
        if let v, type(of: v) == Bool.self, let b = v as? Bool { return b ? "true" : "false" }
        switch v {
        case let s as String: return s
        case let i as Int: return String(i)
        case let d as Double: return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case let n as NSNumber: return n.stringValue
        case nil: return ""
        default:
            if let data = try? JSONSerialization.data(withJSONObject: v!, options: [.sortedKeys]) { return String(decoding: data, as: UTF8.self) }
            return "\(v!)"
        }
    }

    /// `2026-11-27T06:32:51.123456+0000` → nanoseconds since the epoch.
    public static func parseTime(_ s: String) -> Int64 {
        var bytes = Array(s.utf8)
        return bytes.withUnsafeMutableBytes { b -> Int64 in
            let raw = UnsafeRawBufferPointer(b)
            return isoNanos(raw) ?? 0
        }
    }

    static func isoNanos(_ b: UnsafeRawBufferPointer) -> Int64? {
        func num(_ i: Int, _ n: Int) -> Int64? {
            var v: Int64 = 0
            for k in 0..<n {
                guard i + k < b.count, b[i + k] >= 48, b[i + k] <= 57 else { return nil }
                v = v * 10 + Int64(b[i + k] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let se = num(17, 2) else { return nil }
        var nanos: Int64 = 0
        var i = 19
        if i < b.count && b[i] == 46 {
            i += 1
            var scale: Int64 = 100_000_000
            while i < b.count, b[i] >= 48, b[i] <= 57 { nanos += Int64(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        // Times are for ordering and spans; a hostile record's year 1531 or 9999 does not fit
        // in Int64 nanoseconds (1678–2261): such times are held at ±2^62 ns, so differences of
        // two never overflow either. What is shown is always the record's own text.
        let seconds = Civil.days(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + se
        let (scaled, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (t, o2) = scaled.addingReportingOverflow(nanos)
        if o1 || o2 { return seconds < 0 ? -nanosLimit : nanosLimit }
        return min(max(t, -nanosLimit), nanosLimit)
    }

    /// Bound of `nanos` (about the years 1823 and 2116).
    public static let nanosLimit: Int64 = (1 << 62) - 1
}

/// Read findings files (EVE JSON lines), skipping lines that are not Picket alerts.
public enum FindingReader {
    public static func read(path: String) throws -> [FindingRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportError("cannot read \(path)")
        }
        var out: [FindingRecord] = []
        for line in data.split(separator: 10) where !line.isEmpty {
            if let r = FindingRecord(json: Data(line)) { out.append(r) }
        }
        return out
    }
}

public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ m: String) { message = m }
    public var description: String { message }
}
