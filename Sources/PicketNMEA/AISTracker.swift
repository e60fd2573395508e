import PicketCore

/// Per-vessel state over the whole scan: it only adds derived fields to AIS events.
///
/// - `ais.mid`, `ais.mmsi_valid`: the MMSI's structure and MID (see `MID.check`).
/// - `ais.gap_s`: seconds since this MMSI's previous message (needs record times).
/// - `ais.jump_nm`: distance from the previous reported position, nautical miles.
/// - `ais.implied_speed_kn`: that distance over the time between the two reports.
/// - `ais.identity_conflict`: two transmitters seem to share the MMSI — the positions alternate
///   between two places no ship could travel between in the time (the report is impossible from
///   the last position but consistent with the one before the jump), or the static identity
///   (name, call sign, IMO number) changes from one non-empty value to another.
/// - `ais.ship_type` on position reports: the type the vessel last declared in a static report.
/// - `ais.track_speed_kn`: the speed over the last two minutes or more of the vessel's reports
///   (when it covered a mile or more), so small steps of a spoofed track add up.
/// - `ais.prev_zone`: the zone the vessel was in before this report (as `ais.zone` counts it, so
///   also while one or two reports fell just outside), so a vessel that went silent over a
///   cable and reappears elsewhere is seen where it went dark.
/// - `ais.zone`, `ais.zone_dwell_s`: the zone the position is in and the seconds since this
///   vessel entered it (inside by its reports; one or two reports just outside, for less than
///   five minutes, do not count as leaving).
///
/// Bounded: at most `maxTracks` vessels (the `ais_tracks` cap); when full, the least recently
/// seen eighth is evicted at once (so eviction costs O(1) amortised), each eviction counted.
final class AISTracker {
    static let defaultMaxTracks = 100_000
    /// Faster than this between two reports is impossible for a ship (knots).
    static let maxPlausibleSpeedKn = 60.0
    /// Jumps below this are position noise, whatever the implied speed (nautical miles).
    static let minJumpNM = 1.0
    /// The position before a jump stays a candidate second transmitter this long (seconds).
    static let alternateMemoryS = 3600.0

    struct Track {
        var mmsi: UInt32
        var lastSeen: Int64 = Int64.min  // ns, record time
        var lastUse: UInt64 = 0
        var lat = Double.nan, lon = Double.nan, posTime: Int64 = Int64.min
        var altLat = Double.nan, altLon = Double.nan, altTime: Int64 = Int64.min
        var nameHash: UInt64 = 0, callsignHash: UInt64 = 0, imo: Int64 = 0
        /// Ship and cargo type from the last static report (types 5, 19, 24B); 0 when unknown.
        var shipType: Int64 = 0
        var zone = -1
        var zoneSince: Int64 = Int64.min
        /// Reports outside `zone` in a row, and the record time of the first of them.
        var outsideReports = 0
        var outsideSince: Int64 = Int64.min
        /// A position at least `trackWindowNS` older than the next one measured against it.
        var anchorLat = Double.nan, anchorLon = Double.nan, anchorTime: Int64 = Int64.min
    }

    /// `ais.track_speed_kn` is measured over at least this long (and at least `minJumpNM`): a
    /// spoofed track moving in steps under a mile, each below the jump threshold, still adds up.
    static let trackWindowNS: Int64 = 120_000_000_000

    /// Leaving a zone takes this many reports in a row outside it, or this long outside: a
    /// vessel creeping along a corridor's edge must not restart its dwell whenever one report
    /// falls a few metres outside (that hid an anchor-drag pattern).
    static let zoneExitReports = 3
    static let zoneExitNS: Int64 = 300_000_000_000

    let maxTracks: Int
    let zones: ZoneSet
    private var tracks: [Track] = []
    private var index: [UInt32: Int] = [:]
    private var use: UInt64 = 0
    var evicted = 0

    init(zones: ZoneSet, maxTracks: Int = defaultMaxTracks) {
        self.zones = zones
        self.maxTracks = max(8, maxTracks)
    }

    var count: Int { tracks.count }

    private func slot(_ mmsi: UInt32) -> Int {
        use += 1
        if let k = index[mmsi] {
            tracks[k].lastUse = use
            return k
        }
        if tracks.count >= maxTracks { evictOldest() }
        tracks.append(Track(mmsi: mmsi, lastUse: use))
        index[mmsi] = tracks.count - 1
        return tracks.count - 1
    }

    private func evictOldest() {
        let drop = max(1, maxTracks / 8)
        var uses = tracks.map(\.lastUse)
        uses.sort()
        let cutoff = uses[min(drop, uses.count) - 1]
        var kept: [Track] = []
        kept.reserveCapacity(tracks.count)
        for t in tracks {
            if t.lastUse <= cutoff { evicted += 1; continue }
            kept.append(t)
        }
        tracks = kept
        index.removeAll(keepingCapacity: true)
        for (k, t) in tracks.enumerated() { index[t.mmsi] = k }
    }

    /// Whether a text field differs from the remembered one (both non-empty); remembers it.
    private static func changed(_ slot: FieldSlot?, _ payload: AISPayload, _ stored: inout UInt64) -> Bool {
        guard case .sixbit(let s, let n) = slot else { return false }
        let h = payload.withText(slot: Int(s), Int(n)) { fnv($0) }
        defer { stored = h }
        return stored != 0 && h != stored
    }

    /// Add the derived fields for the AIS message in `f`; `time` is the record time in ns, or
    /// nil when the input carries none (then only time-free fields are added).
    func update(_ f: inout FieldList, payload: AISPayload, time: Int64?) {
        guard let mmsi64 = f.int(.aisMMSI) else { return }
        let (mid, valid) = MID.check(mmsi: mmsi64)
        if let mid { f.add(.aisMID, int: mid) }
        f.add(.aisMMSIValid, bool: valid)
        let type = f.int(.aisMsgType) ?? 0
        let k = slot(UInt32(truncatingIfNeeded: mmsi64))
        var t = tracks[k]
        var conflict = false
        if let now = time, t.lastSeen != Int64.min {
            f.add(.aisGapS, double: (Double(now) - Double(t.lastSeen)) / 1e9)
        }
        // Where the vessel was before this report: one that goes silent over a cable and
        // reappears elsewhere is caught by where it went dark, not where it came back.
        if t.zone >= 0 && t.zone < zones.zones.count { f.add(.aisPrevZone, .string(zones.zones[t.zone].name)) }
        if let now = time { t.lastSeen = max(t.lastSeen, now) }

        // Static identity: name, call sign, IMO number.
        if Self.changed(f.first(.aisName), payload, &t.nameHash) { conflict = true }
        if Self.changed(f.first(.aisCallsign), payload, &t.callsignHash) { conflict = true }
        if let imo = f.int(.aisIMO) {
            if t.imo != 0 && imo != t.imo { conflict = true }
            t.imo = imo
        }

        // Positions from reports that carry the station's own position.
        let positional: Bool
        switch type {
        case 1, 2, 3, 4, 9, 11, 18, 19, 21, 27: positional = true
        default: positional = false
        }
        // Position reports carry no ship type: add the one the vessel last declared, so
        // signatures can set thresholds by type (a tanker at 30 kn is suspect, a ferry is not).
        if let st = f.int(.aisShipType) {
            if st > 0 { t.shipType = st }
        } else if positional && t.shipType > 0 {
            f.add(.aisShipType, int: t.shipType)
        }
        // 0,0 ("null island") is what a transponder sends when its GNSS gives it nothing; as a
        // track point it made every vessel with a faulty receiver jump across the globe.
        if positional, let lat = f.double(.aisLat), let lon = f.double(.aisLon), abs(lat) <= 90, abs(lon) <= 180,
           lat != 0 || lon != 0 {
            if !t.lat.isNaN {
                let d = Geo.distanceNM(t.lat, t.lon, lat, lon)
                f.add(.aisJumpNM, double: round3(d))
                var speed: Double?
                if let now = time, t.posTime != Int64.min, now > t.posTime {
                    let v = d / ((Double(now) - Double(t.posTime)) / 3.6e12)
                    speed = v
                    f.add(.aisImpliedSpeed, double: round3(v))
                }
                // Aircraft (type 9) fly; the alternation test is for ships.
                if type != 9, let v = speed, d >= Self.minJumpNM, v > Self.maxPlausibleSpeedKn, let now = time {
                    var fromAlternate = false
                    if !t.altLat.isNaN, t.altTime != Int64.min, (Double(now) - Double(t.altTime)) / 1e9 <= Self.alternateMemoryS {
                        let da = Geo.distanceNM(t.altLat, t.altLon, lat, lon)
                        let dt = (Double(now) - Double(t.altTime)) / 3.6e12
                        fromAlternate = da < Self.minJumpNM || (dt > 0 && da / dt <= Self.maxPlausibleSpeedKn)
                    }
                    if fromAlternate { conflict = true }
                    t.altLat = t.lat; t.altLon = t.lon; t.altTime = t.posTime
                }
            }
            if let now = time {
                if t.anchorTime == Int64.min || now < t.anchorTime {
                    t.anchorLat = lat; t.anchorLon = lon; t.anchorTime = now
                } else if now.saturatingSubtract(t.anchorTime) >= Self.trackWindowNS {
                    let d = Geo.distanceNM(t.anchorLat, t.anchorLon, lat, lon)
                    if d >= Self.minJumpNM { f.add(.aisTrackSpeed, double: round3(d / ((Double(now) - Double(t.anchorTime)) / 3.6e12))) }
                    t.anchorLat = lat; t.anchorLon = lon; t.anchorTime = now
                }
            }
            t.lat = lat; t.lon = lon
            t.posTime = time ?? Int64.min
            if !zones.isEmpty {
                if let z = zones.zone(containingLat: lat, lon: lon) {
                    f.add(.aisZone, .string(zones.zones[z].name))
                    if z != t.zone { t.zone = z; t.zoneSince = time ?? Int64.min }
                    t.outsideReports = 0
                    t.outsideSince = Int64.min
                    if let now = time, t.zoneSince != Int64.min {
                        f.add(.aisZoneDwellS, double: (Double(now) - Double(t.zoneSince)) / 1e9)
                    }
                } else if t.zone >= 0 {
                    t.outsideReports += 1
                    if t.outsideSince == Int64.min { t.outsideSince = time ?? Int64.min }
                    var longAway = false
                    if let now = time, t.outsideSince != Int64.min { longAway = now.saturatingSubtract(t.outsideSince) >= Self.zoneExitNS }
                    if t.outsideReports >= Self.zoneExitReports || longAway {
                        t.zone = -1
                        t.zoneSince = Int64.min
                        t.outsideReports = 0
                        t.outsideSince = Int64.min
                    }
                }
            }
        }
        f.add(.aisIdentityConflict, bool: conflict)
        tracks[k] = t
    }
}

@inline(__always) func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

/// FNV-1a, for remembering identities without keeping their text.
func fnv(_ b: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
    return h == 0 ? 1 : h
}

func fnv(_ s: String) -> UInt64 {
    var s = s
    return s.withUTF8 { fnv(UnsafeRawBufferPointer($0)) }
}
