import Foundation
import PicketCore
import Testing

/// GNSS fields compared with gpsd's regression output (`gpsfake -1 -p`): each sentence gpsd
/// accepted is echoed, followed by the TPV/SKY reports it made from it.
enum GNSSOracle {
    struct Tally {
        var agree: [String: Int] = [:]
        var disagree: [String] = []
        var total: Int { agree.values.reduce(0, +) }
        mutating func check(_ what: String, _ ok: Bool, _ info: @autoclosure () -> String) {
            if ok { agree[what, default: 0] += 1 } else { disagree.append("\(what): \(info())") }
        }
    }

    /// gpsd's (gnssid, svid) for an NMEA satellite id under a talker (NMEA 4.11 numbering and
    /// the older GPS-talker ranges: 33–64 SBAS, 65–96 GLONASS, 193–202 QZSS; BeiDou 201+ ids).
    static func svid(_ talker: String, _ id: Int) -> (Int, Int)? {
        switch talker {
        case "GL": return (6, id >= 65 ? id - 64 : id)
        case "GA": return (2, id)
        case "GB", "BD": return (3, id > 200 ? id - 200 : id)
        case "GQ", "QZ": return (5, id)
        case "GP", "GN":
            switch id {
            case 1...32: return (0, id)
            case 33...64: return (1, id + 87)
            case 65...96: return (6, id - 64)
            case 193...202: return (5, id - 192)
            default: return nil
            }
        default: return nil
        }
    }

    static func compare(log path: String) throws -> Tally {
        let (events, _) = try scanEvents([path])
        let chk = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".chk"))).split(separator: 10).map { l -> String in
            var s = String(decoding: l, as: UTF8.self)
            while s.hasSuffix("\r") { s.removeLast() }
            return s
        }
        func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }
        var t = Tally()
        var j = 0
        var groups: [String: [[String: Any]]] = [:]
        for (i, line) in chk.enumerated() where !line.hasPrefix("{") && !line.isEmpty {
            var k = j
            while k < events.count && trim(events[k].raw) != trim(line) { k += 1 }
            guard k < events.count else { continue }  // gpsd's own resynchronisation inside broken lines
            j = k + 1
            let e = events[k], g = e.gnss
            let sentence = e.nmea["sentence"] as? String ?? "", talker = e.nmea["talker"] as? String ?? ""
            var follow: [[String: Any]] = []
            for m in chk[(i + 1)...] {
                guard m.hasPrefix("{") else { break }
                if let d = (try? JSONSerialization.jsonObject(with: Data(m.utf8))) as? [String: Any] { follow.append(d) }
            }
            let tpv = follow.first { $0["class"] as? String == "TPV" }
            let sky = follow.first { $0["class"] as? String == "SKY" }
            let fix = g["fix"] as? Bool
            if ["GGA", "RMC", "GNS", "GLL"].contains(sentence), let tpv, let fix {
                let gpsdFix = (tpv["mode"] as? Int ?? 0) >= 2 && tpv["lat"] != nil
                if sentence == "GGA" || sentence == "RMC" { t.check("fix", fix == gpsdFix, "\(line): picket \(fix), gpsd mode \(tpv["mode"] ?? "-")") }
                if fix, gpsdFix, let lat = number(g["lat"]), let lon = number(g["lon"]), let tl = number(tpv["lat"]), let tn = number(tpv["lon"]) {
                    t.check("position", abs(lat - tl) < 1e-6 && abs(lon - tn) < 1e-6, "\(line): \(lat),\(lon) vs \(tl),\(tn)")
                }
                if sentence == "RMC", fix, let sog = number(g["sog"]), let speed = number(tpv["speed"]) {
                    t.check("speed", abs(sog * 0.514444 - speed) < 0.002, "\(line): \(sog) kn vs \(speed) m/s")
                }
            }
            if sentence == "GGA", let sky {
                if let u = g["sats_used"] as? Int, let su = sky["uSat"] as? Int { t.check("sats_used", u == su, "\(line): \(u) vs \(su)") }
                if let h = number(g["hdop"]), let sh = number(sky["hdop"]) { t.check("hdop", abs(h - sh) < 0.006, "\(line): \(h) vs \(sh)") }
            }
            if sentence == "GSV" {
                let key = "\(talker)/\(g["signal_id"].map { "\($0)" } ?? "-")"
                if g["message_number"] as? Int == 1 { groups[key] = [] }
                groups[key, default: []] += g["satellites"] as? [[String: Any]] ?? []
                // A completed group is the last entries of gpsd's next SKY satellite list.
                if g["group_complete"] as? Bool == true, let sats = sky?["satellites"] as? [[String: Any]] {
                    let mine = groups[key] ?? []
                    guard mine.count <= sats.count else { t.check("cn0", false, "\(line): \(mine.count) satellites, gpsd \(sats.count)"); continue }
                    for (a, b) in zip(mine, sats.suffix(mine.count)) {
                        let id = a["id"] as? Int ?? -1
                        let same = svid(talker, id).map { $0.0 == b["gnssid"] as? Int && $0.1 == b["svid"] as? Int } ?? (b["PRN"] as? Int == id)
                        let ss = number(b["ss"]).map { Int($0) }
                        t.check("cn0", same && a["cn0"] as? Int == ss, "\(line): \(talker) \(a) vs \(b)")
                    }
                }
            }
        }
        return t
    }
}

@Suite(.serialized) struct GNSSOracleTests {
    static let logs = ["beidou-bd.log", "beidou-gb.log", "bu353-glonass.log", "ch-4711.log", "furuno_gl_ga.log", "garmin-10x.log",
                       "gp-320fw-2019-04-06-overflow.log", "gp-320fw-2019-04-07-coldboot.log", "isync.log", "magellan-ec10.log",
                       "meinberg-gps164.log", "nmea-fuzzy-cases.log", "quectel-eg25-g.log", "triton400.log",
                       "ublox-neo-m9n-nmea.log", "unicore-um621.log"]

    /// Where Picket and gpsd differ, and why:
    /// - furuno_gl_ga.log: `$GNGGA,…,2,00,…` says quality 2 (DGPS fix) with 0 satellites used;
    ///   Picket reports the sentence's fix, gpsd demotes it to no fix (mode 1) for the 0. The
    ///   receiver's RMC says A (valid) for the same epoch, so the fix is real.
    static let known = ["$GNGGA,120213.000,5957.0062,N,01100.6429,E,2,00"]

    @Test("fix, satellites used, HDOP, position, speed and per-satellite C/N0 agree with gpsd on every gnss/gpsd log")
    func gpsdLogs() throws {
        var agree: [String: Int] = [:]
        var disagree: [String] = []
        for log in Self.logs {
            let t = try GNSSOracle.compare(log: try corpusFile("nmea/gnss/gpsd/" + log))
            print("\(log): \(t.agree.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); \(t.disagree.count) disagree")
            for d in t.disagree { print("  \(d)") }
            agree.merge(t.agree, uniquingKeysWith: +)
            disagree += t.disagree
        }
        let total = agree.values.reduce(0, +)
        print("GNSS vs gpsd: \(total) of \(total + disagree.count) compared values agree: \(agree)")
        #expect(agree["cn0", default: 0] > 4000)
        #expect(agree["position", default: 0] > 200)
        #expect(agree["sats_used", default: 0] > 150)
        #expect(agree["fix", default: 0] > 300)
        #expect(Double(total) / Double(total + disagree.count) >= 0.995)
        let unexpected = disagree.filter { d in !Self.known.contains { d.contains($0) } }
        #expect(unexpected.isEmpty, "\(unexpected)")
    }

    @Test("every constellation's GSV is decoded with its C/N0 (GP, GL, GA, GB, BD)")
    func constellations() throws {
        var talkers: Set<String> = []
        for log in ["ublox-neo-m9n-nmea.log", "beidou-bd.log", "unicore-um621.log"] {
            let (events, _) = try scanEvents([try corpusFile("nmea/gnss/gpsd/" + log)])
            for e in events where e.nmea["sentence"] as? String == "GSV" {
                let sats = e.gnss["satellites"] as? [[String: Any]] ?? []
                if sats.contains(where: { $0["cn0"] != nil }) { talkers.insert(e.nmea["talker"] as? String ?? "") }
            }
        }
        #expect(talkers.isSuperset(of: ["GP", "GL", "GA", "GB", "BD"]), "\(talkers)")
    }
}
