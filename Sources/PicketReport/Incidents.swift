import Foundation
import PicketCore

/// Findings of one area about one entity, close in time. Every field merges: two incidents of
/// the same key whose times are within the gap merge into what grouping all their findings at
/// once would give, so summaries of shards merge into the summary of the whole.
public struct Incident: Sendable {
    public struct SignatureCount: Sendable {
        public var id: String
        public var title: String
        public var signatureID: Int
        public var level: String
        public var count: Int
    }

    public struct Sample: Sendable {
        public var timestamp: String
        public var nanos: Int64
        public var signature: String
        public var input: String
        public var positionKind: String
        public var position: Int
        public var fields: [(String, String)]
    }

    public struct TrackPoint: Sendable {
        /// For ordering (see `FindingRecord.nanos`); `time` is what is shown.
        public var nanos: Int64
        public var lat: Double
        public var lon: Double
        public var time: String
    }

    public var area: String
    /// The grouping key: `mmsi:…`, `receiver:…`, `ips:a|b`, `host:…`, `domain:…`, …
    public var key: String
    public var firstNanos: Int64
    public var lastNanos: Int64
    public var firstSeen: String
    public var lastSeen: String
    public var count: Int
    public var level: String
    public var entities: [[(String, String)]]
    public var signatures: [SignatureCount]
    public var tags: [String]
    public var evidence: [Sample]
    public var track: [TrackPoint]

    public static let maxSamples = 3
    public static let maxTrackPoints = 2000

    /// A readable title: the most severe (then most frequent) signature, and what it is about.
    public var title: String {
        let top = signatures.max { a, b in
            let la = Levels.rank(a.level), lb = Levels.rank(b.level)
            if la != lb { return la < lb }
            if a.count != b.count { return a.count < b.count }
            return a.title > b.title
        }
        let more = signatures.count > 1 ? " (+\(signatures.count - 1) more)" : ""
        return "\(top?.title ?? "finding")\(more): \(entityLabel)"
    }

    public var entityLabel: String {
        let parts = key.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { return key }
        switch parts[0] {
        case "mmsi": return "vessel MMSI \(parts[1])"
        case "receiver": return "GNSS receiver \(parts[1])"
        case "ips": return parts[1].replacingOccurrences(of: "|", with: " ↔ ")
        default: return "\(parts[0]) \(parts[1])"
        }
    }

    /// Deterministic: the same findings always give the same id.
    public var id: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in "\(area)|\(key)|\(firstNanos)".utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return "INC-" + String(h, radix: 16).uppercased()
    }

    /// One finding as an incident of its own.
    init(_ f: FindingRecord) {
        area = f.area
        key = Incident.key(f)
        firstNanos = f.nanos
        lastNanos = f.nanos
        firstSeen = f.timestamp
        lastSeen = f.timestamp
        count = 1
        level = f.level
        entities = f.entity.isEmpty ? [] : [f.entity]
        signatures = [SignatureCount(id: f.rule, title: f.title, signatureID: f.signatureID, level: f.level, count: 1)]
        tags = f.tags.sorted()
        evidence = [Sample(timestamp: f.timestamp, nanos: f.nanos, signature: f.title, input: f.input,
                           positionKind: f.positionKind, position: f.position, fields: f.evidence)]
        track = (f.lat != nil && f.lon != nil) ? [TrackPoint(nanos: f.nanos, lat: f.lat!, lon: f.lon!, time: f.timestamp)] : []
    }

    init(area: String, key: String, firstNanos: Int64, lastNanos: Int64, firstSeen: String, lastSeen: String, count: Int,
         level: String, entities: [[(String, String)]], signatures: [SignatureCount], tags: [String], evidence: [Sample], track: [TrackPoint]) {
        self.area = area; self.key = key; self.firstNanos = firstNanos; self.lastNanos = lastNanos
        self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.count = count; self.level = level
        self.entities = entities; self.signatures = signatures; self.tags = tags; self.evidence = evidence; self.track = track
    }

    /// The entity a finding is grouped by (DESIGN.md: IP pair or host, MMSI, GNSS receiver).
    static func key(_ f: FindingRecord) -> String {
        let e = Dictionary(f.entity, uniquingKeysWith: { a, _ in a })
        if let m = e["mmsi"], !m.isEmpty { return "mmsi:\(m)" }
        if let r = e["receiver"], !r.isEmpty { return "receiver:\(r)" }
        if let s = e["src_ip"] ?? f.srcIP, let d = e["dest_ip"] ?? f.destIP { return "ips:" + [s, d].sorted().joined(separator: "|") }
        if let h = e["host"], !h.isEmpty { return "host:\(h)" }
        if let d = e["domain"], !d.isEmpty { return "domain:\(d)" }
        if let s = e["src_ip"] ?? f.srcIP { return "ip:\(s)" }
        return "input:\(f.input)"
    }

    /// Merge `other` (same area and key, close in time) into this incident.
    mutating func absorb(_ o: Incident) {
        if o.firstNanos < firstNanos || (o.firstNanos == firstNanos && o.firstSeen < firstSeen) { firstNanos = o.firstNanos; firstSeen = o.firstSeen }
        if o.lastNanos > lastNanos || (o.lastNanos == lastNanos && o.lastSeen > lastSeen) { lastNanos = o.lastNanos; lastSeen = o.lastSeen }
        count += o.count
        if Levels.rank(o.level) > Levels.rank(level) { level = o.level }
        for e in o.entities where !entities.contains(where: { Incident.same($0, e) }) { entities.append(e) }
        entities.sort { Incident.canonical($0) < Incident.canonical($1) }
        for s in o.signatures {
            if let i = signatures.firstIndex(where: { $0.id == s.id }) { signatures[i].count += s.count } else { signatures.append(s) }
        }
        signatures.sort { $0.id < $1.id }
        tags = Array(Set(tags).union(o.tags)).sorted()
        evidence = Array((evidence + o.evidence).sorted(by: Incident.sampleOrder).prefix(Self.maxSamples))
        track = Array((track + o.track).sorted { ($0.nanos, $0.lat, $0.lon) < ($1.nanos, $1.lat, $1.lon) }.prefix(Self.maxTrackPoints))
    }

    static func sampleOrder(_ a: Sample, _ b: Sample) -> Bool {
        (a.nanos, a.input, a.position, a.signature) < (b.nanos, b.input, b.position, b.signature)
    }

    static func canonical(_ e: [(String, String)]) -> String { e.map { "\($0.0)=\($0.1)" }.joined(separator: "\u{1f}") }
    static func same(_ a: [(String, String)], _ b: [(String, String)]) -> Bool { canonical(a) == canonical(b) }
}

public enum Levels {
    public static let names = ["informational", "low", "medium", "high", "critical"]
    public static func rank(_ l: String) -> Int { names.firstIndex(of: l) ?? 0 }
}

/// Per-area totals and the incidents, most severe first.
public struct Summary: Sendable {
    public var gapSeconds: Int
    public var incidents: [Incident]

    public static let areas = ["maritime", "cyber", "space"]

    public func totals(_ area: String) -> (findings: Int, incidents: Int) {
        let mine = incidents.filter { $0.area == area }
        return (mine.reduce(0) { $0 + $1.count }, mine.count)
    }

    /// Group findings into incidents.
    public static func build(findings: [FindingRecord], gapSeconds: Int = 1800) -> Summary {
        merge(findings.map(Incident.init), gapSeconds: gapSeconds)
    }

    /// Merge incidents (from findings or from shard summaries): per area and key, in time order,
    /// neighbours no more than the gap apart become one.
    public static func merge(_ parts: [Incident], gapSeconds: Int) -> Summary {
        let gap = Int64(gapSeconds).saturatingMultiply(1_000_000_000)
        let sorted = parts.sorted { ($0.area, $0.key, $0.firstNanos, $0.lastNanos) < ($1.area, $1.key, $1.firstNanos, $1.lastNanos) }
        var out: [Incident] = []
        for inc in sorted {
            if var last = out.last, last.area == inc.area, last.key == inc.key, inc.firstNanos - last.lastNanos <= gap {
                last.absorb(inc)
                out[out.count - 1] = last
            } else {
                var fresh = inc
                // Normalise a single incident the same way a merge does.
                fresh.signatures.sort { $0.id < $1.id }
                fresh.entities.sort { Incident.canonical($0) < Incident.canonical($1) }
                out.append(fresh)
            }
        }
        out.sort { a, b in
            let la = Levels.rank(a.level), lb = Levels.rank(b.level)
            if la != lb { return la > lb }
            if a.firstNanos != b.firstNanos { return a.firstNanos < b.firstNanos }
            return a.id < b.id
        }
        return Summary(gapSeconds: gapSeconds, incidents: out)
    }
}
