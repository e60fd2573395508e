import Foundation
import PicketCore
import PicketNMEA
import Testing

/// The vessel and receiver trackers on synthetic tracks (and one real C/N0 collapse).
@Suite struct VesselTrackerTests {
    @Test("a position jump implying 300 kn: jump_nm, implied_speed_kn, no identity conflict")
    func jump() {
        let events = decodeLines([
            "\(stamp(0)) \(aisPosition(mmsi: 230123456, lat: 60.0, lon: 25.0))",
            "\(stamp(120)) \(aisPosition(mmsi: 230123456, lat: 60.0 + 10.0 / 60, lon: 25.0))",  // 10 nm north, 2 min later
            "\(stamp(240)) \(aisPosition(mmsi: 230123456, lat: 60.0 + 10.0 / 60 + 0.3 / 60, lon: 25.0))",
        ])
        #expect(events[0].ais["jump_nm"] == nil && events[0].ais["gap_s"] == nil)
        let j = events[1].ais
        #expect(number(j["jump_nm"]).map { abs($0 - 10.0) < 0.05 } == true, "\(j)")
        #expect(number(j["implied_speed_kn"]).map { abs($0 - 300) < 2 } == true, "\(j)")
        #expect(number(j["gap_s"]) == 120)
        #expect(j["identity_conflict"] as? Bool == false)
        // The track continues from the new place: 0.3 nm in 2 minutes is 9 kn.
        #expect(number(events[2].ais["implied_speed_kn"]).map { abs($0 - 9) < 0.2 } == true)
        #expect(events[2].ais["identity_conflict"] as? Bool == false)
        #expect(events[1].ais["mmsi_valid"] as? Bool == true && events[1].ais["mid"] as? Int == 230)
    }

    @Test("one MMSI at two places 100 nm apart within two minutes: identity conflict")
    func twoTransmitters() {
        let a = (lat: 59.0, lon: 20.0), b = (lat: 59.0 + 100.0 / 60, lon: 20.0)
        let events = decodeLines([
            "\(stamp(0)) \(aisPosition(mmsi: 276000001, lat: a.lat, lon: a.lon))",
            "\(stamp(60)) \(aisPosition(mmsi: 276000001, lat: b.lat, lon: b.lon))",
            "\(stamp(100)) \(aisPosition(mmsi: 276000001, lat: a.lat + 0.001, lon: a.lon))",
            "\(stamp(110)) \(aisPosition(mmsi: 276000001, lat: b.lat, lon: b.lon + 0.001))",
        ])
        #expect(number(events[1].ais["jump_nm"]).map { abs($0 - 100) < 0.5 } == true)
        #expect(number(events[1].ais["implied_speed_kn"]).map { $0 > 5000 } == true)
        // One jump alone could be a glitch or spoofing; coming back shows two transmitters.
        #expect(events[1].ais["identity_conflict"] as? Bool == false)
        #expect(events[2].ais["identity_conflict"] as? Bool == true)
        #expect(events[3].ais["identity_conflict"] as? Bool == true)
    }

    @Test("a changed static identity under one MMSI is an identity conflict")
    func staticIdentity() {
        let events = decodeLines([
            aisStatic(mmsi: 257000111, name: "NORDIC ALPHA", callsign: "LAXX1", imo: 9100001),
            aisStatic(mmsi: 257000111, name: "NORDIC ALPHA", callsign: "LAXX1", imo: 9100001),
            aisStatic(mmsi: 257000111, name: "OCEAN BRAVO", callsign: "LAXX1", imo: 9100001),
        ])
        #expect(events.map { $0.ais["identity_conflict"] as? Bool } == [false, false, true])
    }

    @Test("six hours of silence: gap_s")
    func silence() {
        let events = decodeLines([
            "\(stamp(0)) \(aisPosition(mmsi: 244000222, lat: 52.0, lon: 4.0))",
            "\(stamp(6 * 3600)) \(aisPosition(mmsi: 244000222, lat: 52.01, lon: 4.0))",
        ])
        #expect(number(events[1].ais["gap_s"]) == 21600)
        #expect(number(events[1].ais["implied_speed_kn"]).map { $0 < 0.2 } == true)
    }

    static var estlink2: [String: Any] { [
        "type": "FeatureCollection",
        "features": [
            ["type": "Feature", "properties": ["name": "cable:Estlink 2", "buffer_m": 1000],
             "geometry": ["type": "LineString", "coordinates": [[27.05, 59.35], [26.20, 59.95], [25.65, 60.38]]]],
            ["type": "Feature", "properties": ["name": "anchorage:Muuga"],
             "geometry": ["type": "Polygon", "coordinates": [[[25.00, 59.50], [25.10, 59.50], [25.10, 59.55], [25.00, 59.55], [25.00, 59.50]],
                                                              [[25.04, 59.52], [25.06, 59.52], [25.06, 59.53], [25.04, 59.53], [25.04, 59.52]]]]],
        ],
    ] }

    @Test("two hours at 1 kn inside a cable corridor (a line string with buffer_m): ais.zone and zone_dwell_s")
    func corridorDwell() throws {
        var zones = ZoneSet()
        try zones.add(geoJSON: Self.estlink2, origin: "test.geojson")
        let d = NMEADecoder(zones: zones)
        // Along the first leg, 300 m off the line, 1 nm an hour, a report every 10 minutes.
        let (lat0, lon0, lat1, lon1) = (59.35, 27.05, 59.95, 26.20)
        let legNM = Geo.distanceNM(lat0, lon0, lat1, lon1)
        var lines: [String] = []
        for k in 0...12 {
            let f = 0.3 + Double(k) * (1.0 / 6) / legNM
            let lat = lat0 + f * (lat1 - lat0), lon = lon0 + f * (lon1 - lon0) + 0.005
            lines.append("\(stamp(600 * k)) \(aisPosition(mmsi: 273000333, lat: lat, lon: lon, sog: 1, cog: 315))")
        }
        lines.append("\(stamp(600 * 13)) \(aisPosition(mmsi: 273000333, lat: 59.5, lon: 27.2, sog: 1))")  // well off the route
        let events = decodeLines(lines, decoder: d)
        for e in events.prefix(13) { #expect(e.ais["zone"] as? String == "cable:Estlink 2", "\(e.ais)") }
        #expect(number(events[0].ais["zone_dwell_s"]) == 0)
        #expect(number(events[12].ais["zone_dwell_s"]) == 7200)
        #expect(number(events[12].ais["sog"]) == 1)
        #expect(number(events[12].ais["implied_speed_kn"]).map { abs($0 - 1) < 0.05 } == true)
        #expect(events[13].ais["zone"] == nil && events[13].ais["zone_dwell_s"] == nil)
    }

    @Test("polygon zones: inside, in a hole, outside; loading from files and folders with errors named")
    func polygonsAndLoading() throws {
        let dir = Paths.temporary("zones-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: Self.estlink2).write(to: URL(fileURLWithPath: dir + "/sub/baltic.geojson"))
        let zones = try ZoneSet.load(paths: [dir])
        #expect(zones.count == 2)
        #expect(zones.zone(containingLat: 59.51, lon: 25.01).map { zones.zones[$0].name } == "anchorage:Muuga")
        #expect(zones.zone(containingLat: 59.525, lon: 25.05) == nil)  // the hole
        #expect(zones.zone(containingLat: 59.60, lon: 25.05) == nil)
        #expect(zones.zone(containingLat: 59.35, lon: 27.05 + 0.016) != nil)  // ~900 m east of the landing point
        #expect(zones.zone(containingLat: 59.35, lon: 27.05 + 0.02) == nil)  // ~1.1 km
        try Data(#"{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[200,1],[2,3]]}}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/bad.geojson"))
        #expect(throws: ZoneSet.LoadError.self) { _ = try ZoneSet.load(paths: [dir]) }
        do {
            _ = try ZoneSet.load(paths: [dir + "/bad.geojson"])
        } catch {
            #expect(error.message.contains("bad.geojson"))
        }
    }

    @Test("MMSI structure and MID table", arguments: [
        (244740981, true), (4, false), (3669702, true), (111232511, true), (970123456, true), (974123456, true),
        (999999999, false), (123456789, false), (200000000, false), (261000000, true), (260000000, false), (992509976, true),
        (982470001, true), (0, false), (1000, false), (100000000, false), (775999999, true), (776000000, false),
    ])
    func mmsi(_ mmsi: Int, _ valid: Bool) {
        #expect(MID.check(mmsi: Int64(mmsi)).valid == valid)
    }

    @Test("the GFW identity-spoofing list: its malformed MMSIs are flagged invalid")
    func gfwList() throws {
        let text = try String(contentsOfFile: try corpusFile("nmea/anomalies/gfw-spoofing-mmsi/2017.txt"), encoding: .utf8)
        let mmsis = text.split(whereSeparator: \.isNewline).compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        #expect(mmsis.count > 14000)
        let short = mmsis.filter { $0 < 1_000_000 }  // fewer than seven significant digits: no structure fits
        #expect(!short.isEmpty)
        #expect(short.allSatisfy { !MID.check(mmsi: $0).valid })
        let invalid = mmsis.filter { !MID.check(mmsi: $0).valid }
        print("GFW 2017 spoofed-identity list: \(mmsis.count) MMSIs, \(invalid.count) malformed or with an unallocated MID")
        #expect(invalid.count >= short.count)
    }

    @Test("the ais_tracks cap: the least recently seen vessels are evicted and counted")
    func trackCap() {
        var stats = ScanStats()
        let d = NMEADecoder(maxTracks: 16)
        var lines: [String] = []
        for k in 0..<40 { lines.append(aisPosition(mmsi: 230000000 + Int64(k), lat: 60, lon: 25)) }
        _ = decodeLines(lines, decoder: d, stats: &stats)
        #expect(d.trackedVessels <= 16)
        #expect((stats.capsHit[.aisTracks] ?? 0) >= 24)
    }
}

@Suite struct ReceiverTrackerTests {
    @Test("unicore-um621.log: C/N0 collapse then fix loss — cn0_mean, sats_strong, cn0_drop_db and fix_lost_s on one event")
    func cn0Collapse() throws {
        let (events, _) = try scanEvents([try corpusFile("nmea/gnss/gpsd/unicore-um621.log")])
        let gnss = events.filter { $0.kind == "gnss" }
        let means = gnss.compactMap { number($0.gnss["cn0_mean"]) }
        #expect(try #require(means.first) > 33)
        #expect(try #require(means.min()) < 14)
        let drops = gnss.compactMap { number($0.gnss["cn0_drop_db"]) }
        #expect(try #require(drops.max()) >= 15)
        // One event says both: C/N0 has collapsed and the fix is lost.
        let both = gnss.filter { (number($0.gnss["cn0_drop_db"]) ?? 0) >= 10 && (number($0.gnss["fix_lost_s"]) ?? 0) >= 3 }
        #expect(!both.isEmpty)
        #expect(both.allSatisfy { ($0.gnss["sats_strong"] as? Int ?? 99) == 0 })
        #expect(gnss.first?.gnss["receiver"] as? String == Paths.corpus("nmea/gnss/gpsd/unicore-um621.log") + ":GN")
        // And it recovers: a fix again, fix_lost_s gone.
        let lastRMC = try #require(gnss.last { $0.nmea["sentence"] as? String == "RMC" })
        #expect(lastRMC.gnss["fix"] as? Bool == true && lastRMC.gnss["fix_lost_s"] == nil)
        print("unicore-um621: cn0_mean \(means.first ?? 0) → \(means.min() ?? 0) dB-Hz, largest drop \(drops.max() ?? 0) dB, fix lost up to \(gnss.compactMap { number($0.gnss["fix_lost_s"]) }.max() ?? 0) s")
    }

    /// A spoofer's signals arrive equally strong from one antenna: uniform high C/N0, then the
    /// position moves.
    @Test("uniform strong C/N0 with a position jump: cn0_std near 0, sats_strong, jump_m")
    func uniformStrongJump() {
        func gsv(_ cn0: [Int]) -> [String] {
            var out: [String] = []
            let groups = stride(from: 0, to: cn0.count, by: 4).map { Array(cn0[$0..<min($0 + 4, cn0.count)]) }
            var id = 2
            for (k, g) in groups.enumerated() {
                var body = "$GPGSV,\(groups.count),\(k + 1),\(cn0.count)"
                for c in g { body += ",\(String(format: "%02d", id)),45,\(String(format: "%03d", id * 20)),\(c)"; id += 3 }
                out.append(nmea(body))
            }
            return out
        }
        func gga(_ t: Int, _ lat: String, _ lon: String) -> String {
            nmea("$GPGGA,0800\(String(format: "%02d", t)).00,\(lat),N,\(lon),E,1,08,0.9,10.0,M,18.0,M,,")
        }
        var lines: [String] = []
        lines += gsv([38, 44, 31, 47, 29, 41, 35, 40]).map { "\(stamp(0)) \($0)" }  // a real sky: spread C/N0
        lines.append("\(stamp(1)) \(gga(1, "5924.0000", "02442.0000"))")
        lines += gsv([52, 52, 52, 52, 52, 52, 52, 52]).map { "\(stamp(2)) \($0)" }  // all equal and strong
        lines.append("\(stamp(2)) \(gga(2, "5924.0000", "02442.0000"))")
        lines.append("\(stamp(3)) \(gga(3, "5926.7000", "02442.0000"))")  // 2.7' north: 5 km in a second
        let events = decodeLines(lines)
        let real = events[1].gnss, spoofed = events[5].gnss
        #expect(number(real["cn0_std"]).map { $0 > 5 } == true)
        #expect(number(spoofed["cn0_std"]) == 0)
        #expect(spoofed["sats_strong"] as? Int == 8 && number(spoofed["cn0_mean"]) == 52)
        let jump = events[6].gnss
        #expect(number(jump["jump_m"]).map { abs($0 - 5004) < 10 } == true, "\(jump)")
        #expect(number(jump["cn0_std"]) == 0)
    }

    @Test("time_jump_s: the sentence's own date and time against the receive time")
    func timeJump() {
        let events = decodeLines([
            "2026-11-27T08:00:00Z " + nmea("$GPRMC,080000.00,A,5924.0000,N,02442.0000,E,0.1,0.0,271126,,,A"),
            "2026-11-27T08:00:01Z " + nmea("$GPGGA,080001.00,5924.0000,N,02442.0000,E,1,08,0.9,10.0,M,18.0,M,,"),
            "2026-11-27T08:00:02Z " + nmea("$GPRMC,000427.00,A,5924.0000,N,02442.0000,E,0.1,0.0,070419,,,A"),  // 2019-04-07
            "2026-11-27T08:00:03Z " + nmea("$GPZDA,080003.00,27,11,2026,00,00"),
            nmea("$GPRMC,080004.00,A,5924.0000,N,02442.0000,E,0.1,0.0,271126,,,A"),  // no receive time: no time_jump_s
        ])
        #expect(number(events[0].gnss["time_jump_s"]) == 0)
        #expect(events[1].gnss["time"] as? String == "2026-11-27T08:00:01.000000+0000")
        #expect(number(events[1].gnss["time_jump_s"]) == 0)
        #expect(events[2].gnss["time"] as? String == "2019-04-07T00:04:27.000000+0000")
        #expect(number(events[2].gnss["time_jump_s"]).map { $0 < -200_000_000 } == true)
        #expect(number(events[3].gnss["time_jump_s"]) == 0)
        #expect(events[4].gnss["time_jump_s"] == nil && events[4].gnss["time"] != nil)
    }

    @Test("fix loss on a log without receive times: fix_lost_s runs on the receiver's own clock")
    func fixLossOwnClock() throws {
        let (events, _) = try scanEvents([try corpusFile("nmea/gnss/gpsd/meinberg-gps164.log")])
        let lost = events.compactMap { number($0.gnss["fix_lost_s"]) }
        #expect(try #require(lost.max()) >= 19)  // the 20-epoch A→V outage
    }

    @Test("the gnss_receivers cap: receivers beyond it evict the least recently seen")
    func receiverCap() {
        var stats = ScanStats()
        let d = NMEADecoder(maxReceivers: 4)
        for input in 0..<12 {
            _ = decodeLines([nmea("$GPGGA,080001.00,5924.0000,N,02442.0000,E,1,08,0.9,10.0,M,18.0,M,,")], decoder: d, input: input, stats: &stats)
        }
        #expect((stats.capsHit[.gnssReceivers] ?? 0) >= 8)
    }
}
