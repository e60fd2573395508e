import PicketCore

/// The `--stats` text for people.
public enum StatsReport {
    public static func text(_ s: ScanStats) -> String {
        func rate(_ n: Double) -> String {
            guard s.seconds > 0 else { return "-" }
            let v = n / s.seconds
            return v >= 1e6 ? "\(Double(Int(v / 1e4)) / 100)M" : v >= 1e3 ? "\(Double(Int(v / 10)) / 100)k" : "\(Int(v))"
        }
        var lines: [String] = []
        lines.append("picket: \(s.inputs) input(s), \(s.bytesIn) bytes in \(Double(Int(s.seconds * 1000)) / 1000) s (\(rate(Double(s.bytesIn)))B/s)")
        lines.append("  packets: \(s.packets.total) total, \(s.packets.decoded) decoded, \(s.packets.malformed) malformed, \(s.packets.skipped) skipped (\(rate(Double(s.packets.total)))/s)")
        lines.append("  lines:   \(s.lines.total) total, \(s.lines.decoded) decoded, \(s.lines.malformed) malformed, \(s.lines.skipped) skipped (\(rate(Double(s.lines.total)))/s)")
        lines.append("  findings: \(s.findings) (maritime \(s.findingsByArea["maritime"] ?? 0), cyber \(s.findingsByArea["cyber"] ?? 0), space \(s.findingsByArea["space"] ?? 0))")
        let caps = Cap.allCases.compactMap { c in s.capsHit[c].map { "\(c.rawValue)=\($0)" } }
        if !caps.isEmpty { lines.append("  caps hit: " + caps.joined(separator: ", ")) }
        if !s.damaged.isEmpty { lines.append("  damaged inputs: \(s.damaged.count)") }
        return lines.joined(separator: "\n")
    }
}
