import Foundation
import Testing

/// End to end on the Samples scenario (scripts/make-samples.py): the default set finds every
/// planted event, with the right area and entity, and nothing about the benign vessels,
/// receivers and hosts around them.
@Suite(.serialized) struct SamplesScenarioTests {
    static let samples = Paths.repo.appendingPathComponent("Samples").path

    /// (area, signature id, entity) for every finding of a scan of Samples.
    struct Hit: Hashable, CustomStringConvertible {
        var area: String
        var rule: String
        var entity: String
        var description: String { "\(area) \(rule) \(entity)" }
    }

    /// The subject a watch officer would name: the vessel, the receiver (by file), the host, or the client and server.
    static func entity(_ e: [String: Any]) -> String {
        if let m = e["mmsi"] { return "mmsi \(m)" }
        if let r = e["receiver"] as? String { return "receiver \((r as NSString).lastPathComponent)" }
        if let h = e["host"] as? String, e["src_ip"] == nil { return "host \(h)" }
        return "\(e["src_ip"] ?? "?") -> \(e["dest_ip"] ?? "?")"
    }

    static let planted: Set<Hit> = [
        // Anchor drag over the Estlink 2 corridor.
        Hit(area: "maritime", rule: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b04", entity: "mmsi 518998877"),
        // AIS identity spoof of the tanker: impossible speed, jumps, two places at once.
        Hit(area: "maritime", rule: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a01", entity: "mmsi 230123456"),
        Hit(area: "maritime", rule: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a04", entity: "mmsi 230123456"),
        Hit(area: "maritime", rule: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a05", entity: "mmsi 230123456"),
        // GNSS jamming (collapse, fix lost), then spoofing (uniform C/N0, position and time jumps).
        Hit(area: "space", rule: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c01", entity: "receiver bridge-gnss.log:GP"),
        Hit(area: "space", rule: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c03", entity: "receiver bridge-gnss.log:GP"),
        Hit(area: "space", rule: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c04", entity: "receiver bridge-gnss.log:GP"),
        Hit(area: "space", rule: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c05", entity: "receiver bridge-gnss.log:GP"),
        Hit(area: "space", rule: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c06", entity: "receiver bridge-gnss.log:GP"),
        Hit(area: "space", rule: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c07", entity: "receiver bridge-gnss.log:GP"),
        // The ECDIS clock stepped by the spoofed GNSS time.
        Hit(area: "space", rule: "5d2c7f31-8a4b-4e09-b6d2-3c1e0f9a8b04", entity: "host ecdis"),
        // SSH brute force on the port gateway; DNS tunnel and TLS beacon from 10.20.0.23.
        Hit(area: "cyber", rule: "7a4e2b10-93c8-4d1e-8f60-5b2d1c9e4a02", entity: "host port-gw"),
        Hit(area: "cyber", rule: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a02", entity: "10.20.0.23 -> 10.20.0.1"),
        Hit(area: "cyber", rule: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3b02", entity: "10.20.0.23 -> 203.0.113.66"),
    ]

    /// Benign subjects of the scenario: other vessels, office hosts, servers and names.
    static let benign = ["230111222", "276555444", "230666777", "273444555", "244820000", "212345000", "265111000", "636092345",
                         "10.20.0.11", "10.20.0.12", "10.20.0.15", "198.51.100.", "updates.example.net", "www.example.org",
                         "mail.example.com", "ntp.example.org", "portauthority.example", "api.weather.example", "engine-room"]

    @Test("picket scan Samples/ finds exactly the planted events, each with its area and entity, and nothing about benign ones")
    func planted() throws {
        let summary = Paths.temporary("samples-summary.json")
        let r = try picket(["scan", Self.samples, "--format", "eve", "--summary", summary])
        #expect(r.status == 0, "\(r.stderr)")
        var hits: Set<Hit> = []
        for line in r.stdout.split(separator: "\n") {
            let f = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let p = try #require(f["picket"] as? [String: Any])
            let e = try #require(p["entity"] as? [String: Any])
            hits.insert(Hit(area: f["area"] as? String ?? "?", rule: p["rule"] as? String ?? "?", entity: Self.entity(e)))
            let text = String(line)
            for b in Self.benign { #expect(!text.contains("\"\(b)") && !text.contains(":\(b)"), "a finding names benign \(b): \(text.prefix(300))") }
        }
        #expect(hits.subtracting(Self.planted).isEmpty, "unexpected: \(hits.subtracting(Self.planted).sorted { $0.description < $1.description })")
        #expect(Self.planted.subtracting(hits).isEmpty, "missed: \(Self.planted.subtracting(hits).sorted { $0.description < $1.description })")

        // Incidents: the drag and the spoof; jamming, spoofing and the ECDIS step; the brute force, the tunnel and the beacon.
        let s = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary))) as? [String: Any])
        let totals = try #require(s["totals"] as? [String: [String: Int]])
        #expect(totals["maritime"]?["incidents"] == 2)
        #expect(totals["space"]?["incidents"] == 3)
        #expect(totals["cyber"]?["incidents"] == 3)
        let incidents = try #require(s["incidents"] as? [[String: Any]])
        #expect(incidents.count == 8)
    }
}
