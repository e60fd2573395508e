import PicketCore

/// What a GNSS sentence says, for the receiver state (the fields themselves go to the event).
struct GNSSReading {
    enum Kind { case gga, rmc, gll, gns, gsa, gsv, vtg, zda }
    var kind: Kind = .gga
    /// Whether the sentence reports a usable fix (GGA quality > 0, RMC/GLL status A, GNS mode).
    var fix: Bool?
    var lat: Double?
    var lon: Double?
    /// Seconds of the day (UTC) the sentence carries.
    var timeOfDay: Double?
    /// Day number since 1970 (RMC date, ZDA).
    var days: Int64?
    // GSV
    var gsvCount = 0, gsvNumber = 0, gsvInView = -1, signalID = -1
    var sats: (GSVSat, GSVSat, GSVSat, GSVSat, GSVSat, GSVSat, GSVSat, GSVSat) = (.init(), .init(), .init(), .init(), .init(), .init(), .init(), .init())
    var satCount = 0

    init() {}

    mutating func addSat(_ s: GSVSat) {
        guard satCount < 8 else { return }
        withUnsafeMutableBytes(of: &sats) { $0.storeBytes(of: s, toByteOffset: satCount * MemoryLayout<GSVSat>.stride, as: GSVSat.self) }
        satCount += 1
    }

    func sat(_ k: Int) -> GSVSat {
        withUnsafeBytes(of: sats) { $0.load(fromByteOffset: k * MemoryLayout<GSVSat>.stride, as: GSVSat.self) }
    }
}

/// One satellite of a GSV sentence: id, elevation (°, `Int16.min` when empty), azimuth (°),
/// C/N0 (dB-Hz) (-1 when empty).
struct GSVSat {
    var id: Int16 = -1
    var elevation: Int16 = Int16.min
    var azimuth: Int16 = -1
    var cn0: Int16 = -1

    var packed: Int64 {
        Int64(UInt16(bitPattern: id)) << 48 | Int64(UInt16(bitPattern: elevation)) << 32
            | Int64(UInt16(bitPattern: azimuth)) << 16 | Int64(UInt16(bitPattern: cn0))
    }

    init() {}
    init(packed v: Int64) {
        id = Int16(bitPattern: UInt16(truncatingIfNeeded: v >> 48))
        elevation = Int16(bitPattern: UInt16(truncatingIfNeeded: v >> 32))
        azimuth = Int16(bitPattern: UInt16(truncatingIfNeeded: v >> 16))
        cn0 = Int16(bitPattern: UInt16(truncatingIfNeeded: v))
    }
}

/// Decodes the GNSS sentences of IEC 61162-1 / NMEA 0183 (4.11), whatever the talker
/// (`GP` GPS, `GL` GLONASS, `GA` Galileo, `GB`/`BD` BeiDou, `GQ`/`QZ` QZSS, `GI` NavIC, `GN`
/// combined). Field positions, after the address:
/// ```
///  GGA  time, lat, N/S, lon, E/W, quality, sats used, HDOP, altitude, M, geoid separation, M, age, station
///  RMC  time, status A/V, lat, N/S, lon, E/W, SOG kn, COG °T, date ddmmyy, magvar, E/W, mode, nav status
///  GLL  lat, N/S, lon, E/W, time, status, mode
///  GNS  time, lat, N/S, lon, E/W, mode per system, sats used, HDOP, altitude, separation, age, station, nav status
///  GSA  mode M/A, fix 1/2/3, 12 × satellite id, PDOP, HDOP, VDOP, [system id]
///  GSV  sentences in group, sentence number, satellites in view, 1–4 × (id, elevation, azimuth, C/N0), [signal id]
///  VTG  COG °T, T, COG °M, M, SOG kn, N, SOG km/h, K, mode      (pre-2.0: COG T, COG M, SOG kn, SOG km/h)
///  ZDA  time, day, month, year, local zone hours, local zone minutes
/// ```
enum GNSSDecoder {
    /// An NMEA 2.3+ mode indicator that stands for a satellite fix: not N (no fix), E (dead
    /// reckoning: what a receiver coasts on when jammed), M (manual) or S (simulator). Absent
    /// (older receivers) counts as a fix, the status field deciding.
    static func modeIsFix(_ mode: UInt8?) -> Bool {
        guard let mode else { return true }
        return mode != 78 && mode != 69 && mode != 77 && mode != 83
    }

    static func kind(_ b: UnsafeRawBufferPointer, _ formatter: Range<Int>) -> GNSSReading.Kind? {
        guard formatter.count == 3 else { return nil }
        let c0 = b[formatter.lowerBound], c1 = b[formatter.lowerBound + 1], c2 = b[formatter.lowerBound + 2]
        switch (c0, c1, c2) {
        case (71, 71, 65): return .gga  // GGA
        case (82, 77, 67): return .rmc  // RMC
        case (71, 76, 76): return .gll  // GLL
        case (71, 78, 83): return .gns  // GNS
        case (71, 83, 65): return .gsa  // GSA
        case (71, 83, 86): return .gsv  // GSV
        case (86, 84, 71): return .vtg  // VTG
        case (90, 68, 65): return .zda  // ZDA
        default: return nil
        }
    }

    static func decode(_ b: UnsafeRawBufferPointer, _ fr: SentenceFrame, kind: GNSSReading.Kind,
                       into f: inout FieldList, reading r: inout GNSSReading) {
        r = GNSSReading()
        r.kind = kind
        let F = fr.fields
        func dec(_ i: Int) -> Double? { parseDecimal(b, F[i]) }
        func int(_ i: Int) -> Int64? { parseInt(b, F[i]) }
        func char(_ i: Int) -> UInt8? { F[i].count == 1 ? b[F[i].lowerBound] : nil }
        func position(_ latAt: Int) {
            if let lat = parseLatLon(b, F[latAt], F[latAt + 1], isLatitude: true),
               let lon = parseLatLon(b, F[latAt + 2], F[latAt + 3], isLatitude: false) {
                r.lat = lat; r.lon = lon
                f.add(.gnssLat, double: lat)
                f.add(.gnssLon, double: lon)
            }
        }
        func add(_ id: FieldID, _ v: Double?) { if let v { f.add(id, double: v) } }
        func add(_ id: FieldID, _ v: Int64?) { if let v { f.add(id, int: v) } }
        func addChar(_ id: FieldID, _ v: UInt8?) { if let v, v > 32 && v < 127 { f.add(id, .character(v)) } }

        switch kind {
        case .gga:
            r.timeOfDay = parseTimeOfDay(b, F[1])
            position(2)
            if let q = int(6) {
                f.add(.gnssFixQuality, int: q)
                // 6 is dead reckoning (no satellites behind it), 7 manual, 8 simulation: no fix.
                let ok = q > 0 && q != 6 && q != 7 && q != 8
                r.fix = ok
                f.add(.gnssFix, bool: ok)
            }
            add(.gnssSatsUsed, int(7))
            add(.gnssHDOP, dec(8))
            add(.gnssAltM, dec(9))
            add(.gnssGeoidSepM, dec(11))
        case .rmc:
            r.timeOfDay = parseTimeOfDay(b, F[1])
            let status = char(2)
            addChar(.gnssStatus, status)
            position(3)
            add(.gnssSOG, dec(7))
            add(.gnssCOG, dec(8))
            r.days = parseDate(b, F[9])
            if var mv = dec(10) {
                if char(11) == 87 { mv = -mv }
                f.add(.gnssMagvar, double: mv)
            }
            let mode = char(12)
            addChar(.gnssModeIndicator, mode)
            if let status {
                let ok = status == 65 && Self.modeIsFix(mode)
                r.fix = ok
                f.add(.gnssFix, bool: ok)
            }
        case .gll:
            position(1)
            r.timeOfDay = parseTimeOfDay(b, F[5])
            let status = char(6)
            addChar(.gnssStatus, status)
            let mode = char(7)
            addChar(.gnssModeIndicator, mode)
            if let status {
                let ok = status == 65 && Self.modeIsFix(mode)
                r.fix = ok
                f.add(.gnssFix, bool: ok)
            }
        case .gns:
            r.timeOfDay = parseTimeOfDay(b, F[1])
            position(2)
            let m = F[6]
            if !m.isEmpty {
                f.add(.gnssModeIndicator, range: m)
                var ok = false
                for k in m where Self.modeIsFix(b[k]) { ok = true }  // any system with a fix
                r.fix = ok
                f.add(.gnssFix, bool: ok)
            }
            add(.gnssSatsUsed, int(7))
            add(.gnssHDOP, dec(8))
            add(.gnssAltM, dec(9))
            add(.gnssGeoidSepM, dec(10))
        case .gsa:
            addChar(.gnssModeIndicator, char(1))
            if let m = int(2) { f.add(.gnssFixMode, int: m) }
            var used = 0
            for k in 3...14 where !F[k].isEmpty { used += 1 }
            f.add(.gnssSatsUsed, int: used)
            add(.gnssPDOP, dec(15))
            add(.gnssHDOP, dec(16))
            add(.gnssVDOP, dec(17))
            if F.count > 18 { add(.gnssSystemID, int(18)) }
        case .vtg:
            let unitsForm = F[2].count == 1 && b[F[2].lowerBound] == 84  // 'T'
            if unitsForm {
                add(.gnssCOG, dec(1))
                add(.gnssSOG, dec(5))
                addChar(.gnssModeIndicator, char(9))
            } else {
                add(.gnssCOG, dec(1))
                add(.gnssSOG, dec(3))
            }
        case .zda:
            r.timeOfDay = parseTimeOfDay(b, F[1])
            if let d = int(2), let m = int(3), let y = int(4), y >= 1980, y <= 9999, m >= 1, m <= 12, d >= 1,
               d <= Civil.daysIn(month: m, year: y) {
                r.days = Civil.days(year: y, month: m, day: d)
            }
        case .gsv:
            // count, number, in view, then 4-field blocks and an optional signal id (NMEA 4.10+).
            let n = F.count
            r.gsvCount = Int(int(1) ?? 0)
            r.gsvNumber = Int(int(2) ?? 0)
            r.gsvInView = Int(int(3) ?? -1)
            f.add(.gnssMessageCount, int: r.gsvCount)
            f.add(.gnssMessageNumber, int: r.gsvNumber)
            if r.gsvInView >= 0 { f.add(.gnssSatsInView, int: r.gsvInView) }
            let blocks = max(0, (n - 4) / 4)
            if (n - 4) % 4 == 1, let sig = int(n - 1) {
                r.signalID = Int(sig)
                f.add(.gnssSignalID, int: sig)
            }
            for k in 0..<blocks {
                let base = 4 + 4 * k
                guard let id = int(base), id >= 0, id < 1000 else { continue }
                var s = GSVSat()
                s.id = Int16(id)
                if let e = int(base + 1), e >= -90, e <= 90 { s.elevation = Int16(e) }
                if let a = int(base + 2), a >= 0, a <= 360 { s.azimuth = Int16(a) }
                if let c = int(base + 3), c >= 0, c < 100 { s.cn0 = Int16(c) }
                r.addSat(s)
                f.add(.gnssSatellite, .satellite(s.packed))
            }
        }
    }
}
