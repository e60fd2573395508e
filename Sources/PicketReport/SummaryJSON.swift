import Foundation
import PicketCore

/// The JSON summary (schema: `schemas/summary.schema.json`). It carries everything an incident
/// merges by, so `picket summarize` can merge shard summaries into the summary of the whole.
public enum SummaryJSON {
    public static func write(_ s: Summary) -> [UInt8] {
        var j = JSONOut()
        j.beginObject()
        j.key("picket_summary"); j.int(1)
        j.key("gap_seconds"); j.int(s.gapSeconds)
        j.key("totals")
        j.beginObject()
        for a in Summary.areas {
            let t = s.totals(a)
            j.key(a)
            j.beginObject()
            j.key("findings"); j.int(t.findings)
            j.key("incidents"); j.int(t.incidents)
            j.endObject()
        }
        j.endObject()
        j.key("incidents")
        j.beginArray()
        for i in s.incidents {
            j.beginObject()
            j.key("id"); j.string(i.id)
            j.key("area"); j.string(i.area)
            j.key("title"); j.string(i.title)
            j.key("level"); j.string(i.level)
            j.key("first_seen"); j.string(i.firstSeen)
            j.key("last_seen"); j.string(i.lastSeen)
            j.key("count"); j.int(i.count)
            j.key("key"); j.string(i.key)
            j.key("entities")
            j.beginArray()
            for e in i.entities {
                j.beginObject()
                for (k, v) in e { j.key(k); j.string(v) }
                j.endObject()
            }
            j.endArray()
            j.key("signatures")
            j.beginArray()
            for sig in i.signatures {
                j.beginObject()
                j.key("id"); j.string(sig.id)
                j.key("title"); j.string(sig.title)
                j.key("signature_id"); j.int(sig.signatureID)
                j.key("level"); j.string(sig.level)
                j.key("count"); j.int(sig.count)
                j.endObject()
            }
            j.endArray()
            j.key("tags"); j.beginArray(); for t in i.tags { j.string(t) }; j.endArray()
            j.key("evidence")
            j.beginArray()
            for e in i.evidence {
                j.beginObject()
                j.key("timestamp"); j.string(e.timestamp)
                j.key("signature"); j.string(e.signature)
                j.key("input"); j.string(e.input)
                j.key(e.positionKind == "pcap_cnt" ? "pcap_cnt" : "line"); j.int(e.position)
                j.key("fields")
                j.beginObject()
                for (k, v) in e.fields { j.key(k); j.string(v) }
                j.endObject()
                j.endObject()
            }
            j.endArray()
            j.key("track")
            j.beginArray()
            for p in i.track {
                j.beginArray(); j.double(p.lat); j.double(p.lon); j.string(p.time); j.endArray()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.endObject()
        j.newline()
        return j.bytes
    }

    /// Read a summary written by `write`; nil when the data is not one (an incident or
    /// signature of an unknown area or level makes it none: those name sections and colours).
    public static func read(_ data: Data) -> Summary? {
        guard let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any], o["picket_summary"] != nil,
              let list = o["incidents"] as? [[String: Any]] else { return nil }
        let gap = o["gap_seconds"] as? Int ?? 1800
        var incidents: [Incident] = []
        for d in list {
            guard let area = d["area"] as? String, Summary.areas.contains(area),
                  let level = d["level"] as? String, Levels.names.contains(level),
                  (d["signatures"] as? [[String: Any]] ?? []).allSatisfy({ Levels.names.contains($0["level"] as? String ?? "") })
            else { return nil }
            let first = d["first_seen"] as? String ?? "", last = d["last_seen"] as? String ?? ""
            let entities = (d["entities"] as? [[String: Any]] ?? []).map { FindingRecord.pairs($0) }
            let sigs = (d["signatures"] as? [[String: Any]] ?? []).map {
                Incident.SignatureCount(id: $0["id"] as? String ?? "", title: $0["title"] as? String ?? "",
                                        signatureID: $0["signature_id"] as? Int ?? 0, level: $0["level"] as? String ?? "",
                                        count: $0["count"] as? Int ?? 0)
            }
            let samples = (d["evidence"] as? [[String: Any]] ?? []).map { e -> Incident.Sample in
                let ts = e["timestamp"] as? String ?? ""
                let isPacket = e["pcap_cnt"] != nil
                return Incident.Sample(timestamp: ts, nanos: FindingRecord.parseTime(ts), signature: e["signature"] as? String ?? "",
                                       input: e["input"] as? String ?? "", positionKind: isPacket ? "pcap_cnt" : "line",
                                       position: (isPacket ? e["pcap_cnt"] : e["line"]) as? Int ?? 0,
                                       fields: FindingRecord.pairs(e["fields"]))
            }
            let track = (d["track"] as? [[Any]] ?? []).compactMap { p -> Incident.TrackPoint? in
                guard p.count == 3, let lat = p[0] as? Double, let lon = p[1] as? Double, let ts = p[2] as? String else { return nil }
                return Incident.TrackPoint(nanos: FindingRecord.parseTime(ts), lat: lat, lon: lon, time: ts)
            }
            incidents.append(Incident(area: area, key: d["key"] as? String ?? "",
                                      firstNanos: FindingRecord.parseTime(first), lastNanos: FindingRecord.parseTime(last),
                                      firstSeen: first, lastSeen: last, count: d["count"] as? Int ?? 0, level: level,
                                      entities: entities, signatures: sigs, tags: d["tags"] as? [String] ?? [], evidence: samples, track: track))
        }
        return Summary(gapSeconds: gap, incidents: incidents)
    }
}
