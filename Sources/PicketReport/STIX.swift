import Foundation
import PicketCore

/// A STIX 2.1 bundle for partners: the producer's identity; per incident an `incident` with
/// the OASIS incident core extension, an `observed-data` with its observables (IP addresses,
/// domains, network traffic, vessels), one `indicator` per signature (a STIX pattern over the
/// observed entities) and a `sighting` of it; `related-to` relationships tie them together.
///
/// Vessels and GNSS receivers have no STIX type: they are the custom observables
/// `x-picket-vessel` (`mmsi`) and `x-picket-gnss-receiver` (`name`), documented in the README;
/// consumers parse the bundle with custom content allowed.
public enum STIXBundle {
    public static let incidentCoreExtension = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

    /// A UUID (version 4 layout) derived from a seed, so the same summary gives the same ids.
    static func uuid(_ seed: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in seed.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 0x9e37_79b9_7f4a_7c15
        }
        var bytes: [UInt8] = []
        for w in [a, b] { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: w >> UInt64(56 - 8 * k))) } }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    /// `…+0000` → `…Z` (STIX timestamps are RFC 3339 in UTC).
    public static func time(_ eve: String) -> String { eve.hasSuffix("+0000") ? String(eve.dropLast(5)) + "Z" : eve }

    /// A string literal inside a STIX pattern: quotes and backslashes escaped.
    static func literal(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static let criticality = ["informational": 10, "low": 30, "medium": 50, "high": 75, "critical": 95]

    public static func render(_ s: Summary, created: String) -> [UInt8] {
        var j = JSONOut()
        let identity = "identity--" + uuid("picket-producer")
        j.beginObject()
        j.key("type"); j.string("bundle")
        j.key("id"); j.string("bundle--" + uuid("bundle|" + s.incidents.map(\.id).joined(separator: ",") + "|" + created))
        j.key("objects")
        j.beginArray()
        j.beginObject()
        common(&j, type: "identity", id: identity, created: created)
        j.key("name"); j.string("Picket")
        j.key("identity_class"); j.string("system")
        j.key("description"); j.string("Picket: cyber and hybrid-threat scanning of captures and logs (maritime, cyber, space)")
        j.endObject()
        for inc in s.incidents { incident(&j, inc, identity: identity, created: created) }
        j.endArray()
        j.endObject()
        j.newline()
        return j.bytes
    }

    static func common(_ j: inout JSONOut, type: String, id: String, created: String) {
        j.key("type"); j.string(type)
        j.key("spec_version"); j.string("2.1")
        j.key("id"); j.string(id)
        j.key("created"); j.string(created)
        j.key("modified"); j.string(created)
    }

    /// Observables of an incident: (id, type, properties as key/value, pattern term).
    struct Observable {
        var id: String
        var type: String
        var properties: [(String, String)]
        var isNumber: Set<String> = []
        var pattern: String?
    }

    static func observables(_ inc: Incident) -> [Observable] {
        var out: [Observable] = []
        var seen: Set<String> = []
        func add(_ o: Observable) { if seen.insert(o.id).inserted { out.append(o) } }
        for e in inc.entities {
            let d = Dictionary(e, uniquingKeysWith: { a, _ in a })
            var ipIDs: [String: String] = [:]
            for key in ["src_ip", "dest_ip"] {
                guard let ip = d[key], !ip.isEmpty else { continue }
                let type = ip.contains(":") ? "ipv6-addr" : "ipv4-addr"
                let id = "\(type)--" + uuid("\(type)|\(ip)")
                ipIDs[key] = id
                add(Observable(id: id, type: type, properties: [("value", ip)], pattern: "\(type):value = \(literal(ip))"))
            }
            if let s = ipIDs["src_ip"], let t = ipIDs["dest_ip"] {
                add(Observable(id: "network-traffic--" + uuid("nt|\(s)|\(t)"), type: "network-traffic",
                               properties: [("src_ref", s), ("dst_ref", t)], pattern: nil))
            }
            for key in ["domain", "host"] {
                guard let name = d[key], !name.isEmpty else { continue }
                add(Observable(id: "domain-name--" + uuid("domain|\(name)"), type: "domain-name", properties: [("value", name)],
                               pattern: "domain-name:value = \(literal(name))"))
            }
            if let mmsi = d["mmsi"], !mmsi.isEmpty {
                // A number only in the form STIX and JSON write one (`Int` also takes "+5" and "0123").
                let digits = mmsi.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
                let numeric = digits && mmsi.utf8.count <= 10 && (mmsi == "0" || !mmsi.hasPrefix("0"))
                add(Observable(id: "x-picket-vessel--" + uuid("vessel|\(mmsi)"), type: "x-picket-vessel", properties: [("mmsi", mmsi)],
                               isNumber: numeric ? ["mmsi"] : [], pattern: "x-picket-vessel:mmsi = \(numeric ? mmsi : literal(mmsi))"))
            }
            if let r = d["receiver"], !r.isEmpty {
                add(Observable(id: "x-picket-gnss-receiver--" + uuid("receiver|\(r)"), type: "x-picket-gnss-receiver", properties: [("name", r)],
                               pattern: "x-picket-gnss-receiver:name = \(literal(r))"))
            }
        }
        return out
    }

    static func incident(_ j: inout JSONOut, _ inc: Incident, identity: String, created: String) {
        let obs = observables(inc)
        let observedID = "observed-data--" + uuid("od|\(inc.id)")
        let incidentID = "incident--" + uuid("incident|\(inc.id)")
        for o in obs {
            j.beginObject()
            j.key("type"); j.string(o.type)
            j.key("spec_version"); j.string("2.1")
            j.key("id"); j.string(o.id)
            for (k, v) in o.properties {
                j.key(k)
                if o.isNumber.contains(k), let n = Int(v) { j.int(n) } else { j.string(v) }
            }
            if o.type == "network-traffic" {
                j.key("protocols"); j.beginArray(); j.string("ip"); j.endArray()
            }
            j.endObject()
        }
        let pattern = obs.compactMap(\.pattern).map { "[\($0)]" }.joined(separator: " OR ")
        var related: [String] = []
        if !obs.isEmpty {
            j.beginObject()
            common(&j, type: "observed-data", id: observedID, created: created)
            j.key("created_by_ref"); j.string(identity)
            j.key("first_observed"); j.string(time(inc.firstSeen))
            j.key("last_observed"); j.string(time(inc.lastSeen))
            j.key("number_observed"); j.int(max(1, inc.count))
            j.key("object_refs"); j.beginArray(); for o in obs { j.string(o.id) }; j.endArray()
            j.endObject()
            related.append(observedID)
        }
        for sig in inc.signatures where !pattern.isEmpty {
            let indicatorID = "indicator--" + uuid("indicator|\(inc.id)|\(sig.id)")
            j.beginObject()
            common(&j, type: "indicator", id: indicatorID, created: created)
            j.key("created_by_ref"); j.string(identity)
            j.key("name"); j.string(sig.title)
            j.key("description"); j.string("Picket signature \(sig.id) (level \(sig.level)) matched \(sig.count) time(s) about \(inc.entityLabel).")
            j.key("indicator_types"); j.beginArray(); j.string("anomalous-activity"); j.endArray()
            j.key("pattern"); j.string(pattern)
            j.key("pattern_type"); j.string("stix")
            j.key("valid_from"); j.string(time(inc.firstSeen))
            j.key("labels"); j.beginArray(); j.string(inc.area); j.string(sig.level); j.endArray()
            j.key("external_references")
            j.beginArray()
            j.beginObject(); j.key("source_name"); j.string("picket"); j.key("external_id"); j.string(sig.id); j.endObject()
            j.endArray()
            j.endObject()
            related.append(indicatorID)
            j.beginObject()
            common(&j, type: "sighting", id: "sighting--" + uuid("sighting|\(inc.id)|\(sig.id)"), created: created)
            j.key("created_by_ref"); j.string(identity)
            j.key("sighting_of_ref"); j.string(indicatorID)
            j.key("first_seen"); j.string(time(inc.firstSeen))
            j.key("last_seen"); j.string(time(inc.lastSeen))
            j.key("count"); j.int(sig.count)
            if !obs.isEmpty { j.key("observed_data_refs"); j.beginArray(); j.string(observedID); j.endArray() }
            j.key("where_sighted_refs"); j.beginArray(); j.string(identity); j.endArray()
            j.endObject()
        }
        j.beginObject()
        common(&j, type: "incident", id: incidentID, created: created)
        j.key("created_by_ref"); j.string(identity)
        j.key("name"); j.string(inc.title)
        j.key("description"); j.string("\(inc.count) finding(s) in the \(inc.area) area about \(inc.entityLabel), \(inc.firstSeen) to \(inc.lastSeen); highest level \(inc.level). Picket incident \(inc.id).")
        j.key("labels"); j.beginArray(); j.string(inc.area); j.string(inc.level); for t in inc.tags { j.string(t) }; j.endArray()
        j.key("external_references")
        j.beginArray()
        j.beginObject(); j.key("source_name"); j.string("picket"); j.key("external_id"); j.string(inc.id); j.endObject()
        j.endArray()
        j.key("extensions")
        j.beginObject()
        j.key(incidentCoreExtension)
        j.beginObject()
        j.key("extension_type"); j.string("property-extension")
        j.key("determination"); j.string("suspected")
        j.key("investigation_status"); j.string("new")
        j.key("criticality"); j.int(criticality[inc.level] ?? 50)
        j.key("detection_methods"); j.beginArray(); j.string("automated-tool"); j.endArray()
        j.endObject()
        j.endObject()
        j.endObject()
        for r in related {
            j.beginObject()
            common(&j, type: "relationship", id: "relationship--" + uuid("rel|\(incidentID)|\(r)"), created: created)
            j.key("relationship_type"); j.string("related-to")
            j.key("source_ref"); j.string(incidentID)
            j.key("target_ref"); j.string(r)
            j.endObject()
        }
    }
}
