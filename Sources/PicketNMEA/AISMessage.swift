import PicketCore

/// Decodes an AIS message's bits (ITU-R M.1371-5, Annex 8) into fields.
///
/// Every message starts:
/// ```
///  bits 0-5 message type | 6-7 repeat indicator | 8-37 MMSI (user ID)
/// ```
/// Values are scaled (positions in degrees from 1/10000 minute, speeds in knots from 1/10 knot,
/// courses in degrees from 1/10 degree, draught in metres from 1/10 m) and the "not available"
/// values of the standard (longitude 181, latitude 91, SOG 102.3, COG 360, heading 511, ROT -128,
/// time stamp 60, IMO 0, dimensions 0, empty text) are left out rather than written. Other
/// out-of-range values (a latitude of -101°, a heading of 472) are written as sent, so
/// signatures can see them; the vessel tracker ignores positions off the globe.
///
/// A field that the end of the payload cuts short is read with the missing bits as zeros, as
/// gpsd and libais read it (a 128-bit type 7 still gives a third MMSI); a field that starts past
/// the end is left out; a payload too short for the message's core fields is malformed. Text
/// fields take whole characters only, and stay bits until they are written or asked for.
enum AISDecoder {
    static let type20Slots: [(FieldID, FieldID, FieldID, FieldID)] = [
        (.aisOffset1, .aisNumber1, .aisTimeout1, .aisIncrement1), (.aisOffset2, .aisNumber2, .aisTimeout2, .aisIncrement2),
        (.aisOffset3, .aisNumber3, .aisTimeout3, .aisIncrement3), (.aisOffset4, .aisNumber4, .aisTimeout4, .aisIncrement4),
    ]

    /// Bits a message type needs before it is worth an event (its core fields).
    static func minimumBits(_ type: Int) -> Int {
        switch type {
        case 1, 2, 3: 137
        case 4, 11: 134
        case 5: 302
        case 6: 88
        case 7, 13: 70
        case 8: 56
        case 9: 128
        case 10: 70
        case 12: 72
        case 14: 40
        case 15: 88
        case 16: 92
        case 17: 75
        case 18: 133
        case 19: 143
        case 20: 70
        case 21: 219
        case 22: 145
        case 23: 122
        case 24: 40
        case 25, 26: 40
        case 27: 94
        default: 38
        }
    }

    static func decode(_ p: AISPayload, into f: inout FieldList) -> NMEAProblem? {
        guard p.bitCount > 0 else { return .aisEmptyPayload }
        guard p.has(38) else { return .aisTooShort }
        let type = Int(p.uint(0, 6))
        guard type >= 1 && type <= 27 else { return .aisUnknownType }
        guard p.has(minimumBits(type)) else { return .aisTooShort }
        f.add(.aisMsgType, int: type)
        f.add(.aisRepeat, int: Int64(p.uint(6, 2)))
        f.add(.aisMMSI, int: Int64(p.uint(8, 30)))

        /// Add an unsigned field when the payload reaches it (and it is not `na`).
        func u(_ id: FieldID, _ s: Int, _ n: Int, na: UInt64? = nil) {
            guard p.has(s + 1) else { return }
            let v = p.uint(s, n)
            if let na, v == na { return }
            f.add(id, int: Int64(v))
        }
        func flag(_ id: FieldID, _ s: Int) {
            guard p.has(s + 1) else { return }
            f.add(id, bool: p.bool(s))
        }
        func text(_ id: FieldID, _ s: Int, _ chars: Int) {
            guard p.has(s + 6), !p.textIsEmpty(s, chars) else { return }
            f.add(id, .sixbit(Int32(s), Int32(chars)))
        }
        func data(_ s: Int, _ end: Int) {
            guard end > s, p.has(s + 1) else { return }
            f.add(.aisData, .bits(Int32(s), Int32(end - s)))
        }
        /// Longitude and latitude in 1/10000 minute (`lonBits`/`latBits` wide) or 1/10 minute.
        /// 181 and 91 mean "not available" (each left out on its own).
        func position(_ lonAt: Int, _ lonBits: Int, _ latAt: Int, _ latBits: Int, tenthMinutes: Bool = false) {
            guard p.has(latAt + latBits) else { return }
            let scale = tenthMinutes ? 600.0 : 600_000.0
            let lonRaw = p.int(lonAt, lonBits), latRaw = p.int(latAt, latBits)
            let naLon: Int64 = tenthMinutes ? 108_600 : 108_600_000
            let naLat: Int64 = tenthMinutes ? 54_600 : 54_600_000
            if lonRaw != naLon { f.add(.aisLon, double: Double(lonRaw) / scale) }
            if latRaw != naLat { f.add(.aisLat, double: Double(latRaw) / scale) }
        }
        func corner(_ lonID: FieldID, _ lonAt: Int, _ latID: FieldID, _ latAt: Int) {
            guard p.has(latAt + 17) else { return }
            f.add(lonID, double: Double(p.int(lonAt, 18)) / 600)
            f.add(latID, double: Double(p.int(latAt, 17)) / 600)
        }
        func sog(_ s: Int) {
            guard p.has(s + 10) else { return }
            let v = p.uint(s, 10)
            if v != 1023 { f.add(.aisSOG, double: Double(v) / 10) }
        }
        func cog(_ s: Int) {
            guard p.has(s + 12) else { return }
            let v = p.uint(s, 12)
            if v != 3600 { f.add(.aisCOG, double: Double(v) / 10) }
        }
        func heading(_ s: Int) {
            guard p.has(s + 9) else { return }
            let v = p.uint(s, 9)
            if v != 511 { f.add(.aisHeading, int: Int64(v)) }
        }
        func second(_ s: Int) {
            guard p.has(s + 6) else { return }
            // 60 = not available; 61 manual input, 62 dead reckoning, 63 inoperative are kept.
            let v = p.uint(s, 6)
            if v != 60 { f.add(.aisSecond, int: Int64(v)) }
        }
        func epfd(_ s: Int) { u(.aisEPFD, s, 4, na: 0) }
        func dimensions(_ s: Int) {
            u(.aisToBow, s, 9, na: 0)
            u(.aisToStern, s + 9, 9, na: 0)
            u(.aisToPort, s + 18, 6, na: 0)
            u(.aisToStarboard, s + 24, 6, na: 0)
        }
        func shipType(_ s: Int) { u(.aisShipType, s, 8, na: 0) }
        /// Year(14) month(4) day(5) hour(5) minute(6) second(6), each with its "not available".
        func utc(_ s: Int) {
            guard p.has(s + 40) else { return }
            let y = Int64(p.uint(s, 14)), mo = Int64(p.uint(s + 14, 4)), d = Int64(p.uint(s + 18, 5))
            let h = Int64(p.uint(s + 23, 5)), mi = Int64(p.uint(s + 28, 6)), se = Int64(p.uint(s + 34, 6))
            guard y > 0, mo >= 1, mo <= 12, d >= 1, d <= 31, h <= 23, mi <= 59, se <= 59 else { return }
            let secs = Civil.days(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + se
            f.add(.aisTimestamp, .time(Timestamp(seconds: secs, nanos: 0)))
        }

        switch type {
        case 1, 2, 3:
            // status(4) rot(8s) sog(10) accuracy(1) lon(28s) lat(27s) cog(12) heading(9) second(6)
            // maneuver(2) spare(3) raim(1) radio(19)
            u(.aisNavStatus, 38, 4, na: 15)
            let rot = p.int(42, 8)
            if rot != -128 {
                f.add(.aisRotRaw, int: rot)
                if abs(rot) <= 126 {
                    let t = (Double(rot) / 4.733) * (Double(rot) / 4.733)
                    f.add(.aisTurn, double: ((rot < 0 ? -t : t) * 100).rounded() / 100)
                }
            }
            sog(50)
            flag(.aisAccuracy, 60)
            position(61, 28, 89, 27)
            cog(116)
            heading(128)
            second(137)
            u(.aisManeuver, 143, 2, na: 0)
            flag(.aisRAIM, 148)
            u(.aisRadio, 149, 19)
        case 4, 11:
            // UTC year..second(40) accuracy(1) lon(28s) lat(27s) epfd(4) spare(10) raim(1) radio(19)
            utc(38)
            flag(.aisAccuracy, 78)
            position(79, 28, 107, 27)
            epfd(134)
            flag(.aisRAIM, 148)
            u(.aisRadio, 149, 19)
        case 5:
            // ais_version(2) imo(30) callsign(42) shipname(120) shiptype(8) dimensions(30) epfd(4)
            // eta month(4) day(5) hour(5) minute(6) draught(8) destination(120) dte(1) spare(1)
            u(.aisVersion, 38, 2)
            u(.aisIMO, 40, 30, na: 0)
            text(.aisCallsign, 70, 7)
            text(.aisName, 112, 20)
            shipType(232)
            dimensions(240)
            epfd(270)
            if p.has(294) {
                let mo = Int32(p.uint(274, 4)), d = Int32(p.uint(278, 5)), h = Int32(p.uint(283, 5)), mi = Int32(p.uint(288, 6))
                if mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 {
                    f.add(.aisETA, .eta(mo * 1_000_000 + d * 10_000 + h * 100 + mi))
                }
            }
            if p.has(302) {
                let dr = p.uint(294, 8)
                if dr > 0 { f.add(.aisDraught, double: Double(dr) / 10) }
            }
            text(.aisDestination, 302, 20)
            u(.aisDTE, 422, 1)
        case 6:
            // seqno(2) dest_mmsi(30) retransmit(1) spare(1) dac(10) fid(6) data
            u(.aisSeqno, 38, 2)
            u(.aisDestMMSI, 40, 30)
            flag(.aisRetransmit, 70)
            u(.aisDAC, 72, 10)
            u(.aisFID, 82, 6)
            data(88, p.bitCount)
        case 7, 13:
            // spare(2) then up to four (mmsi(30) sequence(2))
            u(.aisMMSI1, 40, 30)
            u(.aisMMSI2, 72, 30)
            u(.aisMMSI3, 104, 30)
            u(.aisMMSI4, 136, 30)
        case 8:
            // spare(2) dac(10) fid(6) data
            u(.aisDAC, 40, 10)
            u(.aisFID, 50, 6)
            data(56, p.bitCount)
        case 9:
            // alt(12) sog(10, knots) accuracy(1) lon(28s) lat(27s) cog(12) second(6) regional(8)
            // dte(1) spare(3) assigned(1) raim(1) radio(20)
            u(.aisAlt, 38, 12, na: 4095)
            if p.has(60) {
                let v = p.uint(50, 10)
                if v != 1023 { f.add(.aisSOG, double: Double(v)) }
            }
            flag(.aisAccuracy, 60)
            position(61, 28, 89, 27)
            cog(116)
            second(128)
            u(.aisRegional, 134, 8)
            u(.aisDTE, 142, 1)
            flag(.aisAssigned, 146)
            flag(.aisRAIM, 147)
            u(.aisRadio, 148, 20)
        case 10:
            u(.aisDestMMSI, 40, 30)
        case 12:
            // seqno(2) dest_mmsi(30) retransmit(1) spare(1) text(6-bit, to the end)
            u(.aisSeqno, 38, 2)
            u(.aisDestMMSI, 40, 30)
            flag(.aisRetransmit, 70)
            text(.aisText, 72, (p.bitCount - 72) / 6)
        case 14:
            text(.aisText, 40, (p.bitCount - 40) / 6)
        case 15:
            // spare(2) mmsi1(30) type1_1(6) offset1_1(12) spare(2) type1_2(6) offset1_2(12) spare(2)
            // mmsi2(30) type2_1(6) offset2_1(12) spare(2)
            u(.aisMMSI1, 40, 30)
            u(.aisType11, 70, 6)
            u(.aisOffset11, 76, 12)
            u(.aisType12, 90, 6)
            u(.aisOffset12, 96, 12)
            u(.aisMMSI2, 110, 30)
            u(.aisType21, 140, 6)
            u(.aisOffset21, 146, 12)
        case 16:
            // spare(2) mmsi1(30) offset1(12) increment1(10) [mmsi2(30) offset2(12) increment2(10)]
            u(.aisMMSI1, 40, 30)
            u(.aisOffset1, 70, 12)
            u(.aisIncrement1, 82, 10)
            // 96 bits: one destination and 4 spare bits; 144 bits: two destinations.
            if p.bitCount > 96 {
                u(.aisMMSI2, 92, 30)
                u(.aisOffset2, 122, 12)
                u(.aisIncrement2, 134, 10)
            }
        case 17:
            // spare(2) lon(18s, 1/10') lat(17s) spare(5) data (DGNSS corrections)
            position(40, 18, 58, 17, tenthMinutes: true)
            data(80, p.bitCount)
        case 18:
            // reserved(8) sog(10) accuracy(1) lon(28s) lat(27s) cog(12) heading(9) second(6)
            // regional(2) cs(1) display(1) dsc(1) band(1) msg22(1) assigned(1) raim(1) radio(20)
            sog(46)
            flag(.aisAccuracy, 56)
            position(57, 28, 85, 27)
            cog(112)
            heading(124)
            second(133)
            u(.aisRegional, 139, 2)
            flag(.aisCS, 141)
            flag(.aisDisplay, 142)
            flag(.aisDSC, 143)
            flag(.aisBand, 144)
            flag(.aisMsg22, 145)
            flag(.aisAssigned, 146)
            flag(.aisRAIM, 147)
            u(.aisRadio, 148, 20)
        case 19:
            // as 18 to second, regional(4) shipname(120) shiptype(8) dimensions(30) epfd(4) raim(1)
            // dte(1) assigned(1) spare(4)
            sog(46)
            flag(.aisAccuracy, 56)
            position(57, 28, 85, 27)
            cog(112)
            heading(124)
            second(133)
            u(.aisRegional, 139, 4)
            text(.aisName, 143, 20)
            shipType(263)
            dimensions(271)
            epfd(301)
            flag(.aisRAIM, 305)
            u(.aisDTE, 306, 1)
            flag(.aisAssigned, 307)
        case 20:
            // spare(2) then one to four (offset(12) number(4) timeout(3) increment(11))
            let slots = type20Slots
            for k in 0..<4 {
                let s = 40 + 30 * k
                guard p.has(s + 1) else { continue }
                u(slots[k].0, s, 12)
                u(slots[k].1, s + 12, 4)
                u(slots[k].2, s + 16, 3)
                u(slots[k].3, s + 19, 11)
            }
        case 21:
            // aid_type(5) name(120) accuracy(1) lon(28s) lat(27s) dimensions(30) epfd(4) second(6)
            // off_position(1) regional(8) raim(1) virtual_aid(1) assigned(1) spare(1) name extension(0-88)
            u(.aisAidType, 38, 5, na: 0)
            // The name extension (up to 14 more characters after bit 272) continues the name.
            let ext = max(0, min(14, (p.bitCount - 272) / 6))
            if p.has(43 + 6), !p.textIsEmpty(43, 20, then: 272, ext) {
                f.add(.aisName, .sixbit(43, Int32(20 + ext)))
            }
            flag(.aisAccuracy, 163)
            position(164, 28, 192, 27)
            dimensions(219)
            epfd(249)
            second(253)
            flag(.aisOffPosition, 259)
            u(.aisRegional, 260, 8)
            flag(.aisRAIM, 268)
            flag(.aisVirtualAid, 269)
            flag(.aisAssigned, 270)
        case 22:
            // spare(2) channel_a(12) channel_b(12) txrx(4) power(1) then either a box (ne_lon(18s)
            // ne_lat(17s) sw_lon(18s) sw_lat(17s)) or two addresses (dest1(30) spare(5) dest2(30)
            // spare(5)), addressed(1) band_a(1) band_b(1) zonesize(3) spare(23)
            u(.aisChannelA, 40, 12)
            u(.aisChannelB, 52, 12)
            u(.aisTxRx, 64, 4)
            flag(.aisPower, 68)
            let addressed = p.bool(139)
            if addressed {
                u(.aisDest1, 69, 30)
                u(.aisDest2, 104, 30)
            } else {
                corner(.aisNELon, 69, .aisNELat, 87)
                corner(.aisSWLon, 104, .aisSWLat, 122)
            }
            flag(.aisAddressed, 139)
            flag(.aisBandA, 140)
            flag(.aisBandB, 141)
            u(.aisZoneSize, 142, 3)
        case 23:
            // spare(2) ne_lon(18s) ne_lat(17s) sw_lon(18s) sw_lat(17s) station_type(4) shiptype(8)
            // spare(22) txrx(2) interval(4) quiet(4) spare(6)
            corner(.aisNELon, 40, .aisNELat, 58)
            corner(.aisSWLon, 75, .aisSWLat, 93)
            u(.aisStationType, 110, 4)
            shipType(114)
            u(.aisTxRx, 144, 2)
            u(.aisInterval, 146, 4)
            u(.aisQuiet, 150, 4)
        case 24:
            // part_num(2); part A: shipname(120); part B: shiptype(8) vendor_id(18, 3 chars)
            // model(4) serial(20) callsign(42) then dimensions(30) or, for an auxiliary craft
            // (MMSI 98xxxxxxx), mothership_mmsi(30)
            let part = p.uint(38, 2)
            f.add(.aisPartNum, int: Int64(part))
            if part == 0 {
                text(.aisName, 40, 20)
            } else if part == 1 {
                shipType(40)
                text(.aisVendorID, 48, 3)
                u(.aisModel, 66, 4)
                u(.aisSerial, 70, 20)
                text(.aisCallsign, 90, 7)
                let mmsi = p.uint(8, 30)
                if mmsi / 10_000_000 == 98 {
                    u(.aisMothershipMMSI, 132, 30)
                } else {
                    dimensions(132)
                }
            }
        case 25, 26:
            // addressed(1) structured(1) [dest_mmsi(30)] [app_id(16)] data; type 26 ends with
            // radio(20)
            let addressed = p.bool(38), structured = p.bool(39)
            f.add(.aisAddressed, bool: addressed)
            f.add(.aisStructured, bool: structured)
            var s = 40
            if addressed { u(.aisDestMMSI, 40, 30); s = 70 }
            if structured {
                // Application identifier: DAC (10 bits) and function identifier (6 bits).
                u(.aisAppID, s, 16)
                u(.aisDAC, s, 10)
                u(.aisFID, s + 10, 6)
                s += 16
            }
            let end = type == 26 ? p.bitCount - 20 : p.bitCount
            data(s, end)
            if type == 26 && p.bitCount >= s + 20 { f.add(.aisRadio, int: Int64(p.uint(p.bitCount - 20, 20))) }
        case 27:
            // accuracy(1) raim(1) status(4) lon(18s, 1/10') lat(17s) sog(6, knots) cog(9, degrees)
            // gnss(1, 0 = current GNSS position) spare(1)
            flag(.aisAccuracy, 38)
            flag(.aisRAIM, 39)
            u(.aisNavStatus, 40, 4, na: 15)
            position(44, 18, 62, 17, tenthMinutes: true)
            if p.has(85) {
                let v = p.uint(79, 6)
                if v != 63 { f.add(.aisSOG, double: Double(v)) }
            }
            if p.has(94) {
                let v = p.uint(85, 9)
                if v != 511 { f.add(.aisCOG, double: Double(v)) }
            }
            flag(.aisGNSS, 94)
        default:
            return .aisUnknownType
        }
        return nil
    }
}
