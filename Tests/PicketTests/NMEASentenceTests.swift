import Foundation
import PicketCore
import PicketNMEA
import Testing

struct SentenceCase: CustomTestStringConvertible, Sendable {
    var line: String
    var kind: String
    var problem: String? = nil
    var talker: String? = nil
    var sentence: String? = nil
    var time: String? = nil
    var source: String? = nil
    var testDescription: String { line }
}

let gga = "$GPGGA,120658.28,5412.5114,N,01203.8768,E,1,08,0.9,12.0,M,18.0,M,,"

let sentenceCases: [SentenceCase] = [
    // Checksums (IEC 61162-1: XOR of the bytes between '$'/'!' and '*', two hex digits).
    SentenceCase(line: nmea(gga), kind: "gnss", talker: "GP", sentence: "GGA"),
    SentenceCase(line: "$GPGGA,120658.28,5412.5114,N,01203.8768,E,1,08,0.9,12.0,M,18.0,M,,*00", kind: "nmea",
                 problem: "decoder.nmea.bad_checksum", talker: "GP", sentence: "GGA"),
    SentenceCase(line: gga, kind: "nmea", problem: "decoder.nmea.missing_checksum"),
    SentenceCase(line: "$GPRMC,000426.00,V,0000.0000,N,00000.0000,E,,,220899,,,N*4e", kind: "gnss", sentence: "RMC"),
    SentenceCase(line: "$GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000*6", kind: "nmea",
                 problem: "decoder.nmea.bad_checksum_field"),
    SentenceCase(line: "$GPGSA,A,1,,,,,,,,,,,,,,,*1E0,*4E", kind: "nmea", problem: "decoder.nmea.trailing_data"),
    SentenceCase(line: "$GPGSA,A,1,,,,,,,,,,,,,,,*1E   ", kind: "gnss"),
    SentenceCase(line: "  \(nmea(gga))", kind: "gnss"),
    SentenceCase(line: nmea("$GPGGA,120658.28,54\u{1}2.5114,N,01203.8768,E,1,08,0.9,12.0,M,18.0,M,,"), kind: "nmea",
                 problem: "decoder.nmea.invalid_character"),
    SentenceCase(line: "$GPRMC,000346.03,A,4808\u{0}\u{0}\u{0}      ", kind: "nmea", problem: "decoder.nmea.missing_checksum"),
    // USCG NAIS metadata after the checksum: tolerated; its station and receive time are used.
    SentenceCase(line: "!AIVDM,1,1,,A,403Ovl@000Htt<tSF0l4Q@100`Pq,0*28,d-109,S2105,t050056.00,T56.13718694,r003669946,1325394060,1325394001",
                 kind: "ais", talker: "AI", sentence: "VDM", time: "2012-01-01T05:01:00.000000+0000", source: "r003669946"),
    SentenceCase(line: "!AIVDM,1,1,,B,15Mw1U?P00qNGTP@v`0@9wwn26sd,0*0E,b2003669950,1272412827", kind: "ais",
                 time: "2010-04-28T00:00:27.000000+0000", source: "b2003669950"),
    // Tag blocks (NMEA 4.10): c: time, s: source, g: group; their own checksum is required.
    SentenceCase(line: #"\s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53*55\!AIVDM,1,1,,B,13F?Vv700<DJuLEtvep`iToV0<00,0*78"#,
                 kind: "ais", time: "2014-12-10T00:41:53.000000+0000", source: "rORBCOMM104"),
    SentenceCase(line: tag("c:1612192061123,s:GP001") + nmea(gga), kind: "gnss", time: "2021-02-01T15:07:41.123000+0000", source: "GP001"),
    SentenceCase(line: #"\g:2-2-73874,n:157037*A\!AIVDM,1,1,,B,100h00PP0@PHFV`Mg5gTH?vNPUIp,0*3B"#, kind: "nmea",
                 problem: "decoder.nmea.tagblock_bad_checksum"),
    SentenceCase(line: #"\s:blah,c:1747818025\!AIVDM,1,1,,B,100h00PP0@PHFV`Mg5gTH?vNPUIp,0*3B"#, kind: "nmea",
                 problem: "decoder.nmea.tagblock_missing_checksum"),
    SentenceCase(line: #"\s:blah,c:1747818025*5A!AIVDM,1,1,,B,100h00PP0@PHFV`Mg5gTH?vNPUIp,0*3B"#, kind: "nmea",
                 problem: "decoder.nmea.tagblock_unterminated"),
    SentenceCase(line: tag("s:r1,c:1747818025"), kind: "nmea", problem: "decoder.nmea.no_sentence", time: "2025-05-21T09:00:25.000000+0000"),
    // Leading receive times.
    SentenceCase(line: "2026-11-27T08:00:10Z \(nmea(gga))", kind: "gnss", time: "2026-11-27T08:00:10.000000+0000"),
    SentenceCase(line: "2026-11-27 08:00:10.25+01:00\t\(nmea(gga))", kind: "gnss", time: "2026-11-27T07:00:10.250000+0000"),
    SentenceCase(line: "[2026-11-27T08:00:10.5Z] \(nmea(gga))", kind: "gnss", time: "2026-11-27T08:00:10.500000+0000"),
    SentenceCase(line: "1612192061.795489 \(nmea(gga))", kind: "gnss", time: "2021-02-01T15:07:41.795489+0000"),
    SentenceCase(line: "1612192061795,\(nmea(gga))", kind: "gnss", time: "2021-02-01T15:07:41.795000+0000"),
    // All talkers, proprietary and other sentences.
    SentenceCase(line: nmea("$PGRME,15.0,M,45.0,M,25.0,M"), kind: "nmea", talker: "P", sentence: "GRME"),
    SentenceCase(line: nmea("$HEHDT,238.5,T"), kind: "nmea", talker: "HE", sentence: "HDT"),
    SentenceCase(line: nmea("$BDGSV,1,1,02,201,45,120,40,202,30,240,35"), kind: "gnss", talker: "BD", sentence: "GSV"),
    SentenceCase(line: nmea("$GIGGA,120658.28,5412.5114,N,01203.8768,E,1,08,0.9,12.0,M,18.0,M,,"), kind: "gnss", talker: "GI"),
    SentenceCase(line: nmea("!BSVDO,1,1,,A,403Ovl@000Htt<tSF0l4Q@100`Pq,0"), kind: "ais", talker: "BS", sentence: "VDO"),
    // AIS problems inside a good sentence.
    SentenceCase(line: nmea("!AIVDM,1,1,,B,15Mw1U?P00qNGTP@v`0@9wwn26s{,0"), kind: "nmea", problem: "decoder.ais.bad_payload_character"),
    SentenceCase(line: nmea("!AAVDM,0,1,,B,16UK7Fi0?w4tQF0l4Q@>401v1PS;,0"), kind: "nmea", problem: "decoder.ais.bad_fragment_header"),
    SentenceCase(line: nmea("!AIVDM,1,1,,B,15Mw1U?P00qNGTP@v`0@9wwn26sd,7"), kind: "nmea", problem: "decoder.ais.bad_fragment_header"),
    SentenceCase(line: nmea("!AIVDM,1,1,,B,,0"), kind: "nmea", problem: "decoder.ais.empty_payload"),
    SentenceCase(line: nmea("!AIVDM,1,1,,A,p6I9o8000000000000000000000,0"), kind: "nmea", problem: "decoder.ais.unknown_type"),
    SentenceCase(line: nmea("!AIVDM,1,1,,A,15Mw1U?P00qN,0"), kind: "nmea", problem: "decoder.ais.too_short"),
    SentenceCase(line: nmea("!AIVDM,2,2,1,B,00000000000,2"), kind: "nmea", problem: "decoder.ais.fragment_out_of_order"),
]

@Suite struct NMEASentenceTests {
    @Test(arguments: sentenceCases)
    func sentence(_ c: SentenceCase) throws {
        let events = decodeLines([c.line])
        let e = try #require(events.first)
        #expect(e.kind == c.kind)
        #expect(e.decoderEvent == c.problem)
        if let t = c.talker { #expect(e.nmea["talker"] as? String == t) }
        if let s = c.sentence { #expect(e.nmea["sentence"] as? String == s) }
        if let t = c.time {
            #expect(e["timestamp"] as? String == t)
            #expect(e["time_source"] as? String == "record")
        } else {
            #expect(e["time_source"] as? String == "read")
        }
        if let s = c.source { #expect(e.nmea["source"] as? String == s) }
    }

    @Test("lines that only start like NMEA stay text", arguments: [
        "$ ls -l /var/log", "! important", #"\\server\share\file"#, "$1 = 3", "2026-11-27T08:00:00Z $ sudo reboot",
    ])
    func notNMEA(_ line: String) {
        let isNMEA = Array(line.utf8).withUnsafeBytes { NMEADecoder.isNMEA($0) }
        #expect(!isNMEA)
    }

    @Test("every line is counted once: decoded or malformed")
    func counting() {
        var stats = ScanStats()
        _ = decodeLines(sentenceCases.map(\.line), stats: &stats)
        #expect(stats.lines.total == sentenceCases.count)
        #expect(stats.lines.malformed == sentenceCases.filter { $0.problem != nil }.count)
        #expect(stats.lines.decoded == sentenceCases.filter { $0.problem == nil }.count)
    }

    @Test("a lost line break: both sentences decoded, the line counted once")
    func twoSentencesOnALine() {
        var stats = ScanStats()
        let rmc = nmea("$GPRMC,235949.00,V,0000.0000,N,00000.0000,E,,,161206,,,N")
        let events = decodeLines(["$GPGSA,A,1,,,,,,,,,,,,,,,*1E" + rmc, "$GPGGA,030130" + nmea("$GPGLL,2638.1728,N,08011.3893,W,030131.000,A,A")],
                                 stats: &stats)
        #expect(events.count == 4)
        #expect(events.map(\.kind) == ["gnss", "gnss", "nmea", "gnss"])
        #expect(events[2].decoderEvent == "decoder.nmea.truncated")
        #expect(events[3].nmea["sentence"] as? String == "GLL")
        #expect(stats.lines.total == 2 && stats.lines.decoded == 1 && stats.lines.malformed == 1)
    }

    @Test("a later sentence of a tag-block group takes the group's c: time")
    func tagGroupTime() {
        let events = decodeLines([
            #"\g:1-2-1604,s:rORBCOMM008,c:1418169601,T:2014-12-10 00.00.01*37\!AIVDM,2,1,6,A,53@o0E000001Q0CG37U8u<Tp4q@D00000000000018330400000000000000,0*63"#,
            #"\g:2-2-1604,s:rORBCOMM008,c:1418169601,T:2014-12-10 00.00.01*34\!AIVDM,2,2,6,A,00000000008,2*2A"#,
            tag("g:1-2-77,c:1418169700") + nmea("$GPTXT,01,01,02,first"),
            tag("g:2-2-77") + nmea("$GPTXT,01,01,02,second"),
        ])
        #expect(events[1].kind == "ais")
        #expect(events[1].ais["name"] as? String == "ROSINANTE")
        #expect(events[1]["timestamp"] as? String == "2014-12-10T00:00:01.000000+0000")
        #expect(events[1].nmea["group"] as? String == "2-2-1604")
        #expect(events[3]["timestamp"] as? String == "2014-12-10T00:01:40.000000+0000")
    }
}

struct SixBitCase: CustomTestStringConvertible, Sendable {
    var name: String
    var fields: [Int64]
    var widths: [Int]
    var expect: [String: String]
    var absent: [String] = []
    var testDescription: String { name }
}

/// Payloads built bit by bit (ITU-R M.1371-5 layouts), decoded back.
let sixBitCases: [SixBitCase] = [
    // type 1: status, rot, sog, accuracy, lon, lat, cog, heading, second, maneuver, spare, raim, radio
    SixBitCase(name: "type 1, every value present", fields: [1, 0, 244740981, 5, -127, 123, 1, -74_037_230, 29_028_980, 2240, 215, 33, 1, 0, 1, 34017],
               widths: [6, 2, 30, 4, 8, 10, 1, 28, 27, 12, 9, 6, 2, 3, 1, 19],
               expect: ["msg_type": "1", "mmsi": "244740981", "nav_status": "5", "rot_raw": "-127", "sog": "12.3", "accuracy": "true",
                        "lon": "-123.39538333333333", "lat": "48.38163333333333", "cog": "224.0", "heading": "215", "second": "33",
                        "maneuver": "1", "raim": "true", "radio": "34017", "mid": "244", "mmsi_valid": "true"],
               absent: ["turn"]),
    SixBitCase(name: "type 1, every value not available", fields: [1, 0, 4, 15, -128, 1023, 0, 108_600_000, 54_600_000, 3600, 511, 60, 0, 0, 0, 0],
               widths: [6, 2, 30, 4, 8, 10, 1, 28, 27, 12, 9, 6, 2, 3, 1, 19],
               expect: ["msg_type": "1", "mmsi": "4", "mmsi_valid": "false"],
               absent: ["nav_status", "rot_raw", "turn", "sog", "lon", "lat", "cog", "heading", "second", "maneuver", "mid"]),
    SixBitCase(name: "type 1, rate of turn scaled", fields: [1, 0, 230000000, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
               widths: [6, 2, 30, 4, 8, 10, 1, 28, 27, 12, 9, 6, 2, 3, 1, 19],
               expect: ["turn": "17.86", "rot_raw": "20", "lat": "0.0", "lon": "0.0"]),
    // type 27: accuracy, raim, status, lon (1/10'), lat, sog (kn), cog (°), gnss, spare
    SixBitCase(name: "type 27 long-range", fields: [27, 1, 236091959, 0, 0, 3, -92521, 52239, 0, 0, 0, 0],
               widths: [6, 2, 30, 1, 1, 4, 18, 17, 6, 9, 1, 1],
               expect: ["msg_type": "27", "nav_status": "3", "lon": "-154.20166666666665", "lat": "87.065", "sog": "0.0", "cog": "0.0", "gnss": "false"]),
    SixBitCase(name: "type 27 not available", fields: [27, 1, 236091959, 0, 0, 3, 108600, 54600, 63, 511, 0, 0],
               widths: [6, 2, 30, 1, 1, 4, 18, 17, 6, 9, 1, 1],
               expect: ["msg_type": "27"], absent: ["lat", "lon", "sog", "cog"]),
    // type 9: altitude 4095 and SOG 1023 are not available; SOG is in whole knots
    SixBitCase(name: "type 9 SAR aircraft", fields: [9, 0, 111232511, 303, 42, 0, 0, 0, 1545, 15, 0, 1, 0, 0, 0, 33392],
               widths: [6, 2, 30, 12, 10, 1, 28, 27, 12, 6, 8, 1, 3, 1, 1, 20],
               expect: ["alt": "303", "sog": "42.0", "cog": "154.5", "mid": "232", "mmsi_valid": "true"]),
    // type 24 part B of an auxiliary craft: mothership MMSI instead of dimensions
    SixBitCase(name: "type 24 part B, auxiliary craft", fields: [24, 0, 982_470_001, 1, 37, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 247_123_000, 0],
               widths: [6, 2, 30, 2, 8, 6, 6, 6, 4, 20, 6, 6, 6, 6, 6, 6, 6, 30, 6],
               expect: ["part_num": "1", "ship_type": "37", "mothership_mmsi": "247123000", "mid": "247", "mmsi_valid": "true"],
               absent: ["to_bow", "callsign", "vendor_id"]),
]

@Suite struct SixBitTests {
    @Test(arguments: sixBitCases)
    func decode(_ c: SixBitCase) throws {
        let (payload, fill) = armour(Array(zip(c.fields, c.widths)))
        let events = decodeLines([nmea("!AIVDM,1,1,,A,\(payload),\(fill)")])
        let e = try #require(events.first)
        #expect(e.kind == "ais", "\(e)")
        for (k, v) in c.expect {
            if v == "true" || v == "false" {
                #expect(e.ais[k] as? Bool == (v == "true"), "\(k)")
            } else if let d = Double(v) {
                #expect(number(e.ais[k]).map { abs($0 - d) < 1e-9 } == true, "\(k): \(String(describing: e.ais[k]))")
            } else {
                #expect(e.ais[k] as? String == v, "\(k)")
            }
        }
        for k in c.absent { #expect(e.ais[k] == nil, "\(k) should be absent") }
    }

    @Test("text fields: 6-bit ASCII, '@' ends the text, trailing spaces dropped")
    func text() throws {
        let e = try #require(decodeLines([aisStatic(mmsi: 351759000, name: "EVER DIADEM  ", callsign: "3FOF8", imo: 9134270)]).first)
        #expect(e.ais["name"] as? String == "EVER DIADEM")
        #expect(e.ais["callsign"] as? String == "3FOF8")
        #expect(e.ais["imo"] as? Int == 9134270)
        #expect(e.ais["destination"] == nil)
        #expect(e.ais["eta"] as? String == "00-00T24:60Z" || e.ais["eta"] == nil)
        #expect(e.ais["draught"] as? Double == 5.0)
    }

    @Test("armouring alphabet: every character of the 64 decodes, others are malformed")
    func alphabet() {
        // '0'...'W' and '`'...'w' are the 64 armouring characters.
        var valid = Array(UInt8(48)...UInt8(87)) + Array(UInt8(96)...UInt8(119))
        #expect(valid.count == 64)
        valid.insert(49, at: 0)  // message type 1
        var lines = [nmea("!AIVDM,1,1,,A,\(String(decoding: valid, as: UTF8.self)),0")]
        for bad in [UInt8(88), 92, 95, 120, 33] {
            lines.append(nmea("!AIVDM,1,1,,A,15Mw1U?P00qNGTP@v`0@9wwn26s\(String(UnicodeScalar(bad))),0"))
        }
        let events = decodeLines(lines)
        #expect(events[0].kind == "ais")
        #expect(events.dropFirst().allSatisfy { $0.decoderEvent != nil && $0.kind == "nmea" })
    }
}

@Suite struct FragmentTests {
    let part1 = "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C"
    let part2 = "!AIVDM,2,2,1,A,88888888880,2*25"

    @Test("two fragments make one type 5; the first is an nmea event waiting for the rest")
    func twoFragments() {
        var stats = ScanStats()
        let events = decodeLines([part1, part2], stats: &stats)
        #expect(events.map(\.kind) == ["nmea", "ais"])
        #expect(events[0].nmea["fragment_number"] as? Int == 1)
        #expect(events[1].ais["msg_type"] as? Int == 5)
        #expect(events[1].ais["mmsi"] as? Int == 351759000)
        #expect(events[1].ais["name"] as? String == "EVER DIADEM")
        #expect(events[1].ais["destination"] as? String == "NEW YORK")
        #expect(events[1].ais["eta"] as? String == "05-15T14:00Z")
        #expect(events[1].ais["draught"] as? Double == 12.2)
        #expect(stats.lines.decoded == 2 && stats.lines.malformed == 0)
    }

    @Test("interleaved channels and sequence ids assemble separately; inputs do not mix")
    func interleaved() {
        let d = NMEADecoder()
        let b1 = part1.replacingOccurrences(of: ",1,A,", with: ",1,B,"), b2 = part2.replacingOccurrences(of: ",1,A,", with: ",1,B,")
        let events = decodeLines([part1, nmea(String(b1.split(separator: "*")[0])), part2, nmea(String(b2.split(separator: "*")[0]))], decoder: d)
        #expect(events.map(\.kind) == ["nmea", "nmea", "ais", "ais"])
        // The same fragments split across two inputs do not assemble.
        var stats = ScanStats()
        _ = decodeLines([part1], decoder: d, input: 5, stats: &stats)
        let other = decodeLines([part2], decoder: d, input: 6, stats: &stats)
        #expect(other.first?.decoderEvent == "decoder.ais.fragment_out_of_order")
    }

    @Test("out of order, restarted and timed-out groups")
    func problems() {
        var stats = ScanStats()
        let d = NMEADecoder()
        // A second fragment without its first; a first fragment twice (the first copy is dropped).
        let e1 = decodeLines([part2, part1, part1, part2], decoder: d, stats: &stats)
        #expect(e1.map(\.kind) == ["nmea", "nmea", "nmea", "ais"])
        #expect(e1[0].decoderEvent == "decoder.ais.fragment_out_of_order")
        // A group whose next fragment comes three minutes later (record times) has timed out.
        var lines = ["2026-11-27T08:00:00Z " + part1]
        for k in 0..<300 { lines.append(stamp(180 + k) + " " + aisPosition(mmsi: 230000000 + Int64(k), lat: 60, lon: 25)) }
        lines.append(stamp(500) + " " + part2)
        let e2 = decodeLines(lines, decoder: d, input: 1, stats: &stats)
        #expect(e2.last?.decoderEvent == "decoder.ais.fragment_out_of_order")
        #expect(stats.capsHit[.aisFragmentTimeout] == 1)
        #expect(stats.lines.total == stats.lines.decoded + stats.lines.malformed)
    }

    @Test("caps: pending groups, fragments per message, payload length")
    func caps() {
        var stats = ScanStats()
        let d = NMEADecoder()
        // 1030 inputs each leave one first fragment waiting: the six oldest are dropped.
        for input in 0..<1030 { _ = decodeLines([part1], decoder: d, input: input, stats: &stats) }
        #expect(stats.capsHit[.aisFragmentGroups] == 6)
        #expect(d.pendingFragmentGroups == 1024)
        // More than nine fragments is not a valid header.
        let ten = decodeLines([nmea("!AIVDM,10,1,3,A,55?MbV02;H;s<HtKR20EHE:0,0")], decoder: d, stats: &stats)
        #expect(ten.first?.decoderEvent == "decoder.ais.bad_fragment_header")
        // Nine fragments of 60 characters pass the 512-character payload cap.
        let chunk = String(repeating: "0", count: 60)
        var lines: [String] = []
        for k in 1...9 { lines.append(nmea("!AIVDM,9,\(k),4,B,\(k == 1 ? "8" + chunk.dropFirst() : Substring(chunk)),0")) }
        let long = decodeLines(lines, decoder: d, input: 2000, stats: &stats)
        #expect(long.last?.decoderEvent == "decoder.ais.payload_too_long")
        #expect(stats.capsHit[.aisFragments] == 1)
    }
}

/// What signatures see: `Event.field(_:)` for every kind of value.
struct FieldProbe: EventSink {
    var names: [String]
    var seen: [[String: String]] = []
    mutating func consume<E: Event>(_ event: E, input: String) -> Bool {
        var row: [String: String] = [:]
        for n in names {
            switch event.field(n) {
            case .int(let v): row[n] = "int \(v)"
            case .double(let v): row[n] = "double \(v)"
            case .bool(let v): row[n] = "bool \(v)"
            case .text(let b): row[n] = "text \(String(decoding: b, as: UTF8.self))"
            case .string(let s): row[n] = "string \(s)"
            case .ip: row[n] = "ip"
            case nil: break
            }
        }
        seen.append(row)
        return true
    }
}

@Suite struct NMEAFieldAccessTests {
    @Test("field(_:) answers every kind of NMEA, AIS and GNSS field by its dotted name")
    func fields() {
        let names = ["nmea.talker", "nmea.sentence", "nmea.channel", "nmea.source", "ais.msg_type", "ais.mmsi", "ais.name",
                     "ais.callsign", "ais.imo", "ais.eta", "ais.draught", "ais.lat", "ais.sog", "ais.own_ship", "ais.mmsi_valid",
                     "gnss.satellites", "gnss.cn0_mean", "gnss.status", "gnss.time", "gnss.receiver", "decoder_event", "ais.nothing"]
        var probe = FieldProbe(names: names)
        var stats = ScanStats()
        let d = NMEADecoder()
        let lines = [
            "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
            tag("s:r003669946,c:1325394060") + "!AIVDM,2,2,1,A,88888888880,2*25",
            nmea("$GPGSV,1,1,02,03,20,000,42,07,25,030,44"),
            nmea("$GPRMC,080000.00,A,5924.0000,N,02442.0000,E,11.2,48.0,271126,,,A"),
            "$GPRMC,080000.00,A*00",
        ]
        for (k, line) in lines.enumerated() {
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { b in
                d.decodeLine(UnsafeRawBufferPointer(b), origin: Origin(input: 0, position: .line(k + 1)), readTime: Timestamp(nanoseconds: 0),
                             input: "probe.log", stats: &stats, sink: &probe)
            }
        }
        let ais = probe.seen[1]
        #expect(ais["nmea.talker"] == "text AI" && ais["nmea.channel"] == "text A" && ais["nmea.source"] == "text r003669946")
        #expect(ais["ais.msg_type"] == "int 5" && ais["ais.mmsi"] == "int 351759000" && ais["ais.imo"] == "int 9134270")
        #expect(ais["ais.name"] == "string EVER DIADEM" && ais["ais.callsign"] == "string 3FOF8")
        #expect(ais["ais.eta"] == "string 05-15T14:00Z" && ais["ais.draught"] == "double 12.2")
        #expect(ais["ais.own_ship"] == "bool false" && ais["ais.mmsi_valid"] == "bool true")
        #expect(ais["ais.lat"] == nil && ais["ais.nothing"] == nil && ais["decoder_event"] == nil)
        #expect(probe.seen[2]["gnss.satellites"] == #"string [{"id":3,"el":20,"az":0,"cn0":42},{"id":7,"el":25,"az":30,"cn0":44}]"#)
        #expect(probe.seen[2]["gnss.cn0_mean"] == "double 43.0")
        #expect(probe.seen[3]["gnss.status"] == "string A" && probe.seen[3]["gnss.time"] == "string 2026-11-27T08:00:00.000000+0000")
        #expect(probe.seen[3]["gnss.receiver"] == "string probe.log:GP")
        #expect(probe.seen[4]["decoder_event"] == "string decoder.nmea.bad_checksum")
    }
}

/// A small deterministic generator, so the random cases are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct NMEARobustnessTests {
    @Test("random sentences with good checksums (random AIS payloads and headers, random GNSS fields) never crash; every line counted")
    func randomSentences() {
        var rng = SplitMix64(state: 42)
        let armourChars = Array("0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw")
        let fieldChars = Array("0123456789.-,NSEWAV ")
        var lines: [String] = []
        for k in 0..<4000 {
            switch k % 4 {
            case 0, 1:
                let n = Int.random(in: 0...90, using: &rng)
                let payload = String((0..<n).map { _ in armourChars.randomElement(using: &rng) ?? "0" })
                let count = Int.random(in: 1...3, using: &rng), number = Int.random(in: 1...count, using: &rng)
                lines.append(nmea("!AIVDM,\(count),\(number),\(Int.random(in: 0...9, using: &rng)),A,\(payload),\(Int.random(in: 0...5, using: &rng))"))
            case 2:
                let kind = ["GGA", "RMC", "GSV", "GSA", "VTG", "ZDA", "GLL", "GNS"].randomElement(using: &rng) ?? "GGA"
                let body = String((0..<Int.random(in: 0...80, using: &rng)).map { _ in fieldChars.randomElement(using: &rng) ?? "," })
                lines.append(nmea("$GN\(kind),\(body)"))
            default:
                let raw = (0..<Int.random(in: 1...120, using: &rng)).map { _ in UInt8.random(in: 1...255, using: &rng) }
                lines.append("$" + String(decoding: raw, as: UTF8.self))
            }
        }
        var stats = ScanStats()
        let events = decodeLines(lines, stats: &stats)
        #expect(stats.lines.total == lines.count)
        #expect(stats.lines.total == stats.lines.decoded + stats.lines.malformed)
        #expect(events.count >= lines.count)
        #expect(events.contains { $0.kind == "ais" } && events.contains { $0.kind == "gnss" })
    }
}
