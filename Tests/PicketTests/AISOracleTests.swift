import Foundation
import PicketCore
import Testing

/// Field-by-field comparison of Picket's AIS decoding with two independent decoders' output in
/// the corpus: gpsd (`gpsdecode -j`, and the AIS reports of `gpsfake` regression logs) and
/// libais (its gpsd-compatible JSON). See ../shared/corpus/nmea/INDEX.md.
enum AISOracle {
    /// gpsd/libais JSON key → Picket's `ais.*` key. Keys not listed (`*_text` descriptions,
    /// `spare`, slot and sync state of the radio status, the application payloads of types 6
    /// and 8 that gpsd decodes per DAC/FID) are not compared.
    static let keys: [String: String] = {
        var m = ["type": "msg_type", "repeat": "repeat", "mmsi": "mmsi", "status": "nav_status", "turn": "turn", "speed": "sog",
                 "accuracy": "accuracy", "lon": "lon", "lat": "lat", "course": "cog", "heading": "heading", "second": "second",
                 "maneuver": "maneuver", "raim": "raim", "radio": "radio", "timestamp": "timestamp", "epfd": "epfd", "imo": "imo",
                 "ais_version": "ais_version", "callsign": "callsign", "shipname": "name", "name": "name", "shiptype": "ship_type",
                 "to_bow": "to_bow", "to_stern": "to_stern", "to_port": "to_port", "to_starboard": "to_starboard", "eta": "eta",
                 "draught": "draught", "destination": "destination", "dte": "dte", "seqno": "seqno", "dest_mmsi": "dest_mmsi",
                 "retransmit": "retransmit", "dac": "dac", "fid": "fid", "data": "data", "alt": "alt", "regional": "regional",
                 "assigned": "assigned", "text": "text", "type1_1": "type1_1", "offset1_1": "offset1_1", "type1_2": "type1_2",
                 "offset1_2": "offset1_2", "type2_1": "type2_1", "offset2_1": "offset2_1", "cs": "cs", "display": "display",
                 "dsc": "dsc", "band": "band", "msg22": "msg22", "aid_type": "aid_type", "off_position": "off_position",
                 "virtual_aid": "virtual_aid", "channel_a": "channel_a", "channel_b": "channel_b", "txrx": "txrx", "power": "power",
                 "ne_lon": "ne_lon", "ne_lat": "ne_lat", "sw_lon": "sw_lon", "sw_lat": "sw_lat", "dest1": "dest1", "dest2": "dest2",
                 "addressed": "addressed", "band_a": "band_a", "band_b": "band_b", "zonesize": "zonesize", "stationtype": "station_type",
                 "station_type": "station_type", "interval": "interval", "quiet": "quiet", "vendorid": "vendor_id", "model": "model",
                 "serial": "serial", "mothership_mmsi": "mothership_mmsi", "structured": "structured", "app_id": "app_id",
                 "gnss": "gnss", "part_num": "part_num"]
        for k in 1...4 {
            m["mmsi\(k)"] = "mmsi\(k)"
            for f in ["offset", "number", "timeout", "increment"] { m["\(f)\(k)"] = "\(f)\(k)" }
        }
        return m
    }()

    /// Types whose application payload gpsd decodes per DAC/FID: only the envelope is compared.
    static let envelope: [Int: Set<String>] = [
        6: ["type", "repeat", "mmsi", "seqno", "dest_mmsi", "retransmit", "dac", "fid", "data"],
        8: ["type", "repeat", "mmsi", "dac", "fid", "data"],
    ]

    static let booleans: Set<String> = ["accuracy", "raim", "retransmit", "cs", "display", "dsc", "band", "msg22", "assigned",
                                        "off_position", "virtual_aid", "power", "addressed", "band_a", "band_b", "structured", "gnss"]

    /// The oracle's way of writing "not available" (or "not there"), which Picket leaves out.
    static func notAvailable(_ key: String, _ v: Any, type: Int) -> Bool {
        if let s = v as? String {
            if s.isEmpty || s == "n/a" || s == "0" { return true }
            if key == "eta" || key == "timestamp" {
                return s.hasPrefix("00-") || s.hasPrefix("0000-") || s.contains("-00") || s.contains("T24") || s.contains(":60")
            }
            return false
        }
        if v is NSNull { return true }
        guard let d = number(v) else { return false }
        if d == 0 { return true }
        switch key {
        case "lat": return abs(d) == 91
        case "lon": return abs(d) == 181
        case "speed": return abs(d - 102.3) < 1e-3 || (type == 9 && d == 1023) || (type == 27 && d == 63)
        case "course": return d == 360 || (type == 27 && d == 511)
        case "heading": return d == 511
        case "second": return d == 60
        case "status": return d == 15
        case "alt": return d == 4095
        default: return false
        }
    }

    static func equal(_ key: String, _ g: Any, _ o: Any?, message: [String: Any], libais: Bool) -> Bool {
        let type = message["msg_type"] as? Int ?? 0
        switch key {
        case "turn":
            if let s = g as? String {
                if s == "fastleft" { return o == nil && message["rot_raw"] as? Int == -127 }
                if s == "fastright" { return o == nil && message["rot_raw"] as? Int == 127 }
            }
            guard let gv = number(g), let ov = number(o) else { return false }
            return abs(gv - ov) <= 0.011 * max(1, abs(ov))
        case "timestamp":
            guard let s = o as? String else { return false }
            return (g as? String) == s.replacingOccurrences(of: ".000000+0000", with: "Z")
        case "vendorid":
            guard let s = o as? String, let gs = g as? String else { return false }
            return gs.hasPrefix(s) && s.count == min(3, gs.count)  // gpsd reads 7 characters, M.1371-4+ has 3
        case "imo":
            guard let ov = number(o), let gv = number(g) else { return false }
            return ov == gv
        case "data":
            // `bits:hex`: compare the bits; the padding of the last byte is not data.
            guard let gs = g as? String, let os = o as? String else { return false }
            let gp = gs.split(separator: ":"), op = os.split(separator: ":")
            guard gp.count == 2, op.count == 2, gp[0] == op[0], let n = Int(gp[0]) else { return false }
            let gh = Array(gp[1]), oh = Array(op[1])
            guard gh.count == oh.count else { return false }
            for k in 0..<n {
                let gd = Int(String(gh[k / 4]), radix: 16) ?? -1, od = Int(String(oh[k / 4]), radix: 16) ?? -2
                if (gd >> (3 - k % 4)) & 1 != (od >> (3 - k % 4)) & 1 { return false }
            }
            return true
        default: break
        }
        if booleans.contains(key) { return (o as? Bool) == (g as? Bool) && o != nil }
        if let gs = g as? String, !["ne_lon", "ne_lat", "sw_lon", "sw_lat"].contains(key) {
            return (o as? String) == gs
        }
        guard let gv = number(g), let ov = number(o) else { return false }
        var tol = ["lat", "lon", "ne_lon", "ne_lat", "sw_lon", "sw_lat"].contains(key) ? 2e-6 : 1e-4 * max(1, abs(gv))
        if libais { tol = max(tol, 3e-5 * max(1, abs(gv))) }  // libais writes float32
        if (key == "lat" || key == "lon") && type == 17 { tol = 0.051 }  // gpsd prints type 17 with one decimal
        if (key == "lat" || key == "lon") && type == 27 { tol = 5.1e-5 }  // and type 27 with four
        return abs(gv - ov) <= tol
    }

    struct Result {
        var agree = 0
        var disagreements: [String] = []
        var unmatched = 0
        var ratio: Double { Double(agree) / Double(max(1, agree + disagreements.count)) }
    }

    /// Pair each oracle message with the next Picket `ais` event of the same type and MMSI (a
    /// few may be skipped: Picket also reports type 24 part A on its own, which gpsd merges into
    /// part B), then compare every mapped field.
    static func compare(_ oracle: [[String: Any]], _ events: [[String: Any]], libais: Bool = false) -> Result {
        let msgs = events.filter { $0.kind == "ais" }.map(\.ais)
        var r = Result()
        var j = 0
        var partA: [Int: String] = [:]
        for (gi, g) in oracle.enumerated() {
            guard let t = g["type"] as? Int, let m = g["mmsi"] as? Int else { continue }
            var found: Int?
            for jj in j..<min(j + 12, msgs.count) {
                let a = msgs[jj]
                if a["msg_type"] as? Int == t && a["mmsi"] as? Int == m && (t != 24 || g["shiptype"] == nil || a["part_num"] as? Int == 1) {
                    found = jj
                    break
                }
            }
            guard let f = found else {
                r.unmatched += 1
                r.disagreements.append("#\(gi) type \(t) mmsi \(m): no matching message")
                continue
            }
            for jj in j..<f where msgs[jj]["msg_type"] as? Int == 24 && msgs[jj]["part_num"] as? Int == 0 {
                if let mm = msgs[jj]["mmsi"] as? Int, let n = msgs[jj]["name"] as? String { partA[mm] = n }
            }
            j = f + 1
            var a = msgs[f]
            if t == 24, a["name"] == nil, let n = partA[m] { a["name"] = n }
            for (k, v) in g {
                guard let ours = keys[k] else { continue }
                if let env = envelope[t], !env.contains(k) { continue }
                if t == 26 && k == "radio" { continue }  // gpsd does not decode it: 0 in every type 26
                if k == "timestamp" && t != 4 && t != 11 { continue }  // libais: the tag block's time
                let o = a[ours]
                if o == nil && notAvailable(k, v, type: t) { r.agree += 1; continue }
                if equal(k, v, o, message: a, libais: libais) {
                    r.agree += 1
                } else {
                    r.disagreements.append("#\(gi) type \(t) mmsi \(m) \(k): oracle \(v), picket \(o.map { "\($0)" } ?? "absent")")
                }
            }
        }
        return r
    }

    /// gpsd's `scaled: false` reports (regression logs), scaled as `gpsdecode -j` would.
    static func scaled(_ d: [String: Any]) -> [String: Any] {
        guard d["scaled"] as? Bool == false, let t = d["type"] as? Int else { return d }
        var d = d
        func scale(_ k: String, _ by: Double, na: Double) {
            if let v = number(d[k]) { d[k] = v == na ? (k == "lat" ? 91.0 : 181.0) : v / by }
        }
        if t == 17 || t == 27 {
            scale("lat", 600, na: 54600); scale("lon", 600, na: 108_600)
        } else {
            scale("lat", 600_000, na: 54_600_000); scale("lon", 600_000, na: 108_600_000)
        }
        if t != 9 && t != 27, let v = number(d["speed"]) { d["speed"] = v / 10 }
        if t != 27, let v = number(d["course"]) { d["course"] = v / 10 }
        if let v = number(d["draught"]) { d["draught"] = v / 10 }
        if let r = d["turn"] as? Int {
            switch r {
            case -128: d["turn"] = "n/a"
            case -127: d["turn"] = "fastleft"
            case 127: d["turn"] = "fastright"
            default:
                let v = (Double(r) / 4.733) * (Double(r) / 4.733)
                d["turn"] = r < 0 ? -v : v
            }
        }
        for k in ["ne_lon", "ne_lat", "sw_lon", "sw_lat"] { if let v = number(d[k]) { d[k] = v / 600 } }
        return d
    }
}

@Suite(.serialized) struct AISOracleTests {
    /// Where Picket and gpsd differ on sample.aivdm, and why Picket is right:
    /// - the type 1 of MMSI 244740981 sent with 5 fill bits is 163 bits long, so its 19-bit
    ///   radio status is cut short; Picket reads the missing bits as zeros (34432), gpsd gives
    ///   1076 (the 14 remaining bits shifted down). Neither is a real value.
    static let gpsdKnown = ["type 1 mmsi 244740981 radio"]

    /// Where Picket and libais differ on typeexamples, and why Picket is right (pyais 3.3
    /// decodes all four as Picket does):
    /// - type 6 retransmit: the bit is 0, which ITU-R M.1371-5 calls "no retransmission";
    ///   libais reports true.
    /// - type 27 gnss (position latency bit): the bit is 1; libais reports it inverted.
    /// - type 21 name: libais writes '-' and '`' where Table 47 of M.1371 has '_' and '\''
    ///   ('`' is not even in the 6-bit alphabet).
    /// - type 9 speed: SAR aircraft SOG is in whole knots; libais divides by 10.
    static let libaisKnown = ["type 6 mmsi 3669971 retransmit", "type 27 mmsi 974291422 gnss",
                              "type 21 mmsi 852992994 name", "type 9 mmsi 400214919 speed"]

    static func unexpected(_ r: AISOracle.Result, known: [String]) -> [String] {
        r.disagreements.filter { d in !known.contains { d.contains($0) } }
    }

    @Test("sample.aivdm agrees field by field with gpsd's sample.aivdm.js.chk")
    func gpsdSample() throws {
        let (events, stats) = try scanEvents([try corpusFile("nmea/ais/gpsd/sample.aivdm")])
        let oracle = try jsonLines(try corpusFile("nmea/ais/gpsd/sample.aivdm.js.chk"))
        #expect(oracle.count == 97)
        let r = AISOracle.compare(oracle, events)
        print("sample.aivdm vs gpsd: \(r.agree) fields agree, \(r.disagreements.count) disagree (\(r.ratio * 100)%)")
        for d in r.disagreements { print("  \(d)") }
        #expect(r.unmatched == 0)
        #expect(r.agree >= 940)
        #expect(r.ratio >= 0.995)
        #expect(Self.unexpected(r, known: Self.gpsdKnown).isEmpty, "\(Self.unexpected(r, known: Self.gpsdKnown))")
        #expect(stats.lines.total == stats.lines.decoded + stats.lines.malformed + stats.lines.skipped)
    }

    @Test("typeexamples.nmea agrees field by field with libais's typeexamples.json; tagblock.nmea with tagblock.json")
    func libais() throws {
        let (events, _) = try scanEvents([try corpusFile("nmea/ais/libais/typeexamples.nmea")])
        let oracle = try jsonLines(try corpusFile("nmea/ais/libais/typeexamples.json"))
        #expect(oracle.count == 26)
        #expect(events.filter { $0.kind == "ais" }.count == 26)
        let r = AISOracle.compare(oracle, events, libais: true)
        print("typeexamples vs libais: \(r.agree) fields agree, \(r.disagreements.count) disagree (\(r.ratio * 100)%)")
        for d in r.disagreements { print("  \(d)") }
        #expect(r.unmatched == 0)
        #expect(Self.unexpected(r, known: Self.libaisKnown).isEmpty, "\(Self.unexpected(r, known: Self.libaisKnown))")

        let (tagEvents, tagStats) = try scanEvents([try corpusFile("nmea/ais/libais/tagblock.nmea")])
        let tagOracle = try jsonLines(try corpusFile("nmea/ais/libais/tagblock.json"))
        let t = AISOracle.compare(tagOracle, tagEvents, libais: true)
        print("tagblock vs libais: \(t.agree) fields agree, \(t.disagreements.count) disagree")
        #expect(tagOracle.count == 4 && tagEvents.filter { $0.kind == "ais" }.count == 4)
        #expect(t.disagreements.isEmpty, "\(t.disagreements)")
        #expect(tagStats.lines.total == 5 && tagStats.lines.decoded == 5)
        // The satellite receiver (tag block s:) and the c: time come through.
        let first = try #require(tagEvents.first { $0.kind == "ais" })
        #expect(first.nmea["source"] as? String == "rORBCOMM104")
        #expect(first["timestamp"] as? String == "2014-12-10T00:41:53.000000+0000")
    }

    @Test("all three oracle files together: at least 99.5% of compared fields agree")
    func combined() throws {
        var agree = 0, disagree = 0
        for (nmea, oracle, libais) in [("ais/gpsd/sample.aivdm", "ais/gpsd/sample.aivdm.js.chk", false),
                                       ("ais/libais/typeexamples.nmea", "ais/libais/typeexamples.json", true),
                                       ("ais/libais/tagblock.nmea", "ais/libais/tagblock.json", true)] {
            let (events, _) = try scanEvents([try corpusFile("nmea/" + nmea)])
            let r = AISOracle.compare(try jsonLines(try corpusFile("nmea/" + oracle)), events, libais: libais)
            agree += r.agree
            disagree += r.disagreements.count
        }
        let ratio = Double(agree) / Double(agree + disagree)
        print("AIS vs gpsd and libais: \(agree) of \(agree + disagree) compared fields agree (\(ratio * 100)%)")
        #expect(ratio >= 0.995)
    }

    @Test("gpsd regression logs: every AIS report agrees with gpsd's", arguments: [
        "ais/gpsd/ais-nmea-type6-fid55.log", "ais/gpsd/ais-18-27.log", "ais/gpsd/ait250.log", "ais/gpsd/ais_unpack_sixbit.log",
        "mixed/gpsd/ais-nmea.log", "mixed/gpsd/saab-r4.log",
    ])
    func gpsdLogs(_ log: String) throws {
        let path = try corpusFile("nmea/" + log)
        let (events, stats) = try scanEvents([path])
        var oracle: [[String: Any]] = []
        var previous: ArraySlice<UInt8> = []
        for line in [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".chk"))).split(separator: 10)
        where line.starts(with: Array(#"{"class":"AIS""#.utf8)) {
            // gpsd repeats a report when the next sentence is not AIS; keep one.
            if line == previous { continue }
            previous = line
            if let d = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] { oracle.append(AISOracle.scaled(d)) }
        }
        let r = AISOracle.compare(oracle, events)
        print("\(log) vs gpsd: \(r.agree) fields agree, \(r.disagreements.count) disagree")
        for d in r.disagreements.prefix(10) { print("  \(d)") }
        #expect(r.unmatched == 0)
        #expect(r.disagreements.isEmpty)
        #expect(stats.lines.total == stats.lines.decoded + stats.lines.malformed + stats.lines.skipped)
    }

    @Test("own-ship reports: !AIVDO is flagged, !AIVDM is not")
    func ownShip() throws {
        let (events, _) = try scanEvents([try corpusFile("nmea/mixed/gpsd/saab-r4.log")])
        let ais = events.filter { $0.kind == "ais" }
        let own = ais.filter { $0.ais["own_ship"] as? Bool == true }
        #expect(own.count == 12)  // the log's 12 !AIVDO lines
        #expect(own.allSatisfy { $0.nmea["sentence"] as? String == "VDO" })
        #expect(ais.filter { $0.ais["own_ship"] as? Bool == false }.allSatisfy { $0.nmea["sentence"] as? String == "VDM" })
    }
}
