import Foundation
import PicketCore

/// A STIX 2.1 bundle for partners: the producer's identity; per incident an `incident` with
/// the OASIS incident core extension, an `observed-data` with its observables (IP addresses,
/// domains, network traffic, vessels), one `indicator` per signature (a STIX pattern over the
/// observed entities) and a `sighting` of it; `related-to` relationships tie them together.
///
/// Vessels and GNSS receivers have no STIX cyber-observable type. Custom object types make
/// the bundle unreadable to `stix2.parse` unless custom content is allowed, so they are
/// `infrastructure` objects ("Vessel MMSI 230987000", "GNSS receiver gnss.log:GP") carrying
/// `mmsi` or `receiver` in Picket's property extension (its `extension-definition` is in the
/// bundle), tied to the incident by `related-to`. Indicator patterns name them as
/// `x-picket-vessel:mmsi` and `x-picket-gnss-receiver:name` (patterns may use custom types).
public enum STIXBundle {
    public static let incidentCoreExtension = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
    /// Picket's property extension for vessels and receivers.
    public static let picketExtension = "extension-definition--" + uuid("picket-extension|vessel-and-receiver|1.0")

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
        if s.incidents.contains(where: { !assets($0).isEmpty }) {
            j.beginObject()
            common(&j, type: "extension-definition", id: picketExtension, created: created)
            j.key("created_by_ref"); j.string(identity)
            j.key("name"); j.string("Picket vessel and GNSS receiver")
            j.key("description"); j.string("On infrastructure objects: mmsi (the vessel's Maritime Mobile Service Identity) or receiver (the GNSS receiver's input and talker).")
            j.key("schema"); j.string("Plain text: mmsi is the vessel's MMSI (ITU-R M.585), an integer when it has an integer's form, else a string; receiver is a string naming the GNSS receiver as Picket does (input, then talker or tag-block source).")
            j.key("version"); j.string("1.0")
            j.key("extension_types"); j.beginArray(); j.string("property-extension"); j.endArray()
            j.endObject()
        }
        var written: Set<String> = []  // observables and assets shared by incidents go in once
        for inc in s.incidents { incident(&j, inc, identity: identity, created: created, written: &written) }
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
        }
        return out
    }

    /// A vessel or GNSS receiver of an incident, as an `infrastructure` object.
    struct Asset {
        var id: String
        var name: String
        var property: String
        var value: String
        var isNumber: Bool
        var pattern: String
    }

    static func assets(_ inc: Incident) -> [Asset] {
        var out: [Asset] = []
        var seen: Set<String> = []
        for e in inc.entities {
            let d = Dictionary(e, uniquingKeysWith: { a, _ in a })
            if let mmsi = d["mmsi"], !mmsi.isEmpty {
                // A number only in the form STIX and JSON write one (`Int` also takes "+5" and "0123").
                let digits = mmsi.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
                let numeric = digits && mmsi.utf8.count <= 10 && (mmsi == "0" || !mmsi.hasPrefix("0"))
                let a = Asset(id: "infrastructure--" + uuid("vessel|\(mmsi)"), name: "Vessel MMSI \(mmsi)", property: "mmsi", value: mmsi,
                              isNumber: numeric, pattern: "x-picket-vessel:mmsi = \(numeric ? mmsi : literal(mmsi))")
                if seen.insert(a.id).inserted { out.append(a) }
            }
            if let r = d["receiver"], !r.isEmpty {
                let a = Asset(id: "infrastructure--" + uuid("receiver|\(r)"), name: "GNSS receiver \(r)", property: "receiver", value: r,
                              isNumber: false, pattern: "x-picket-gnss-receiver:name = \(literal(r))")
                if seen.insert(a.id).inserted { out.append(a) }
            }
        }
        return out
    }

    static func incident(_ j: inout JSONOut, _ inc: Incident, identity: String, created: String, written: inout Set<String>) {
        let obs = observables(inc)
        let observedID = "observed-data--" + uuid("od|\(inc.id)")
        let incidentID = "incident--" + uuid("incident|\(inc.id)")
        for o in obs where written.insert(o.id).inserted {
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
        let assets = assets(inc)
        for a in assets where written.insert(a.id).inserted {
            j.beginObject()
            common(&j, type: "infrastructure", id: a.id, created: created)
            j.key("created_by_ref"); j.string(identity)
            j.key("name"); j.string(a.name)
            j.key("infrastructure_types"); j.beginArray(); j.string("unknown"); j.endArray()
            j.key("extensions")
            j.beginObject()
            j.key(picketExtension)
            j.beginObject()
            j.key("extension_type"); j.string("property-extension")
            j.key(a.property)
            if a.isNumber, let n = Int(a.value) { j.int(n) } else { j.string(a.value) }
            j.endObject()
            j.endObject()
            j.endObject()
        }
        let pattern = (obs.compactMap(\.pattern) + assets.map(\.pattern)).map { "[\($0)]" }.joined(separator: " OR ")
        var related: [String] = assets.map(\.id)
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
