import PicketCore

/// Every field an NMEA, AIS or GNSS event can carry, with its dotted name (DESIGN.md section 4).
///
/// Decoders append `(FieldID, FieldSlot)` pairs to a reused `FieldList`; events answer
/// `field(_:)` and write JSON from that list, so no field costs anything unless it is present.
public enum FieldID: UInt8, CaseIterable, Sendable {
    // nmea.*
    case nmeaTalker, nmeaSentence, nmeaSource, nmeaGroup, nmeaChannel, nmeaFragmentCount, nmeaFragmentNumber
    case nmeaSequenceID, nmeaFields
    // ais.* decoded (ITU-R M.1371-5 field names, scaled to degrees, knots, metres)
    case aisMsgType, aisRepeat, aisMMSI, aisOwnShip, aisNavStatus, aisTurn, aisRotRaw, aisSOG, aisAccuracy
    case aisLon, aisLat, aisCOG, aisHeading, aisSecond, aisManeuver, aisRAIM, aisRadio, aisTimestamp, aisEPFD
    case aisVersion, aisIMO, aisCallsign, aisName, aisShipType, aisToBow, aisToStern, aisToPort, aisToStarboard
    case aisETA, aisDraught, aisDestination, aisDTE, aisSeqno, aisDestMMSI, aisRetransmit, aisDAC, aisFID, aisData
    case aisMMSI1, aisMMSI2, aisMMSI3, aisMMSI4, aisAlt, aisRegional, aisAssigned, aisText
    case aisType11, aisOffset11, aisType12, aisOffset12, aisType21, aisOffset21
    case aisOffset1, aisNumber1, aisTimeout1, aisIncrement1, aisOffset2, aisNumber2, aisTimeout2, aisIncrement2
    case aisOffset3, aisNumber3, aisTimeout3, aisIncrement3, aisOffset4, aisNumber4, aisTimeout4, aisIncrement4
    case aisCS, aisDisplay, aisDSC, aisBand, aisMsg22, aisAidType, aisOffPosition, aisVirtualAid
    case aisChannelA, aisChannelB, aisTxRx, aisPower, aisNELon, aisNELat, aisSWLon, aisSWLat, aisDest1, aisDest2
    case aisAddressed, aisBandA, aisBandB, aisZoneSize, aisStationType, aisInterval, aisQuiet
    case aisPartNum, aisVendorID, aisModel, aisSerial, aisMothershipMMSI, aisStructured, aisAppID, aisGNSS
    // ais.* derived by the vessel track
    case aisMID, aisMMSIValid, aisImpliedSpeed, aisTrackSpeed, aisJumpNM, aisGapS, aisIdentityConflict, aisZone, aisPrevZone, aisZoneDwellS
    // gnss.* decoded
    case gnssTime, gnssLat, gnssLon, gnssFix, gnssFixQuality, gnssStatus, gnssModeIndicator, gnssFixMode
    case gnssSatsUsed, gnssHDOP, gnssPDOP, gnssVDOP, gnssAltM, gnssGeoidSepM, gnssSOG, gnssCOG, gnssMagvar
    case gnssSatsInView, gnssMessageNumber, gnssMessageCount, gnssSignalID, gnssSystemID, gnssSatellite, gnssGroupComplete
    // gnss.* derived by the receiver state
    case gnssReceiver, gnssCN0Mean, gnssCN0Std, gnssSatsStrong, gnssSatsTracked, gnssCN0Baseline, gnssCN0DropDB
    case gnssFixLostS, gnssJumpM, gnssJumpSpeedKn, gnssTimeJumpS

    public enum Group: UInt8, Sendable { case nmea, ais, gnss }

    public var group: Group {
        if rawValue <= FieldID.nmeaFields.rawValue { return .nmea }
        if rawValue <= FieldID.aisZoneDwellS.rawValue { return .ais }
        return .gnss
    }

    /// The key inside its group's JSON object.
    public var key: StaticString {
        switch self {
        case .nmeaTalker: "talker"
        case .nmeaSentence: "sentence"
        case .nmeaSource: "source"
        case .nmeaGroup: "group"
        case .nmeaChannel: "channel"
        case .nmeaFragmentCount: "fragment_count"
        case .nmeaFragmentNumber: "fragment_number"
        case .nmeaSequenceID: "sequence_id"
        case .nmeaFields: "fields"
        case .aisMsgType: "msg_type"
        case .aisRepeat: "repeat"
        case .aisMMSI: "mmsi"
        case .aisOwnShip: "own_ship"
        case .aisNavStatus: "nav_status"
        case .aisTurn: "turn"
        case .aisRotRaw: "rot_raw"
        case .aisSOG: "sog"
        case .aisAccuracy: "accuracy"
        case .aisLon: "lon"
        case .aisLat: "lat"
        case .aisCOG: "cog"
        case .aisHeading: "heading"
        case .aisSecond: "second"
        case .aisManeuver: "maneuver"
        case .aisRAIM: "raim"
        case .aisRadio: "radio"
        case .aisTimestamp: "timestamp"
        case .aisEPFD: "epfd"
        case .aisVersion: "ais_version"
        case .aisIMO: "imo"
        case .aisCallsign: "callsign"
        case .aisName: "name"
        case .aisShipType: "ship_type"
        case .aisToBow: "to_bow"
        case .aisToStern: "to_stern"
        case .aisToPort: "to_port"
        case .aisToStarboard: "to_starboard"
        case .aisETA: "eta"
        case .aisDraught: "draught"
        case .aisDestination: "destination"
        case .aisDTE: "dte"
        case .aisSeqno: "seqno"
        case .aisDestMMSI: "dest_mmsi"
        case .aisRetransmit: "retransmit"
        case .aisDAC: "dac"
        case .aisFID: "fid"
        case .aisData: "data"
        case .aisMMSI1: "mmsi1"
        case .aisMMSI2: "mmsi2"
        case .aisMMSI3: "mmsi3"
        case .aisMMSI4: "mmsi4"
        case .aisAlt: "alt"
        case .aisRegional: "regional"
        case .aisAssigned: "assigned"
        case .aisText: "text"
        case .aisType11: "type1_1"
        case .aisOffset11: "offset1_1"
        case .aisType12: "type1_2"
        case .aisOffset12: "offset1_2"
        case .aisType21: "type2_1"
        case .aisOffset21: "offset2_1"
        case .aisOffset1: "offset1"
        case .aisNumber1: "number1"
        case .aisTimeout1: "timeout1"
        case .aisIncrement1: "increment1"
        case .aisOffset2: "offset2"
        case .aisNumber2: "number2"
        case .aisTimeout2: "timeout2"
        case .aisIncrement2: "increment2"
        case .aisOffset3: "offset3"
        case .aisNumber3: "number3"
        case .aisTimeout3: "timeout3"
        case .aisIncrement3: "increment3"
        case .aisOffset4: "offset4"
        case .aisNumber4: "number4"
        case .aisTimeout4: "timeout4"
        case .aisIncrement4: "increment4"
        case .aisCS: "cs"
        case .aisDisplay: "display"
        case .aisDSC: "dsc"
        case .aisBand: "band"
        case .aisMsg22: "msg22"
        case .aisAidType: "aid_type"
        case .aisOffPosition: "off_position"
        case .aisVirtualAid: "virtual_aid"
        case .aisChannelA: "channel_a"
        case .aisChannelB: "channel_b"
        case .aisTxRx: "txrx"
        case .aisPower: "power"
        case .aisNELon: "ne_lon"
        case .aisNELat: "ne_lat"
        case .aisSWLon: "sw_lon"
        case .aisSWLat: "sw_lat"
        case .aisDest1: "dest1"
        case .aisDest2: "dest2"
        case .aisAddressed: "addressed"
        case .aisBandA: "band_a"
        case .aisBandB: "band_b"
        case .aisZoneSize: "zonesize"
        case .aisStationType: "station_type"
        case .aisInterval: "interval"
        case .aisQuiet: "quiet"
        case .aisPartNum: "part_num"
        case .aisVendorID: "vendor_id"
        case .aisModel: "model"
        case .aisSerial: "serial"
        case .aisMothershipMMSI: "mothership_mmsi"
        case .aisStructured: "structured"
        case .aisAppID: "app_id"
        case .aisGNSS: "gnss"
        case .aisMID: "mid"
        case .aisMMSIValid: "mmsi_valid"
        case .aisImpliedSpeed: "implied_speed_kn"
        case .aisTrackSpeed: "track_speed_kn"
        case .aisJumpNM: "jump_nm"
        case .aisGapS: "gap_s"
        case .aisIdentityConflict: "identity_conflict"
        case .aisZone: "zone"
        case .aisPrevZone: "prev_zone"
        case .aisZoneDwellS: "zone_dwell_s"
        case .gnssTime: "time"
        case .gnssLat: "lat"
        case .gnssLon: "lon"
        case .gnssFix: "fix"
        case .gnssFixQuality: "fix_quality"
        case .gnssStatus: "status"
        case .gnssModeIndicator: "mode_indicator"
        case .gnssFixMode: "fix_mode"
        case .gnssSatsUsed: "sats_used"
        case .gnssHDOP: "hdop"
        case .gnssPDOP: "pdop"
        case .gnssVDOP: "vdop"
        case .gnssAltM: "alt_m"
        case .gnssGeoidSepM: "geoid_sep_m"
        case .gnssSOG: "sog"
        case .gnssCOG: "cog"
        case .gnssMagvar: "magvar"
        case .gnssSatsInView: "sats_in_view"
        case .gnssMessageNumber: "message_number"
        case .gnssMessageCount: "message_count"
        case .gnssSignalID: "signal_id"
        case .gnssSystemID: "system_id"
        case .gnssSatellite: "satellites"
        case .gnssGroupComplete: "group_complete"
        case .gnssReceiver: "receiver"
        case .gnssCN0Mean: "cn0_mean"
        case .gnssCN0Std: "cn0_std"
        case .gnssSatsStrong: "sats_strong"
        case .gnssSatsTracked: "sats_tracked"
        case .gnssCN0Baseline: "cn0_baseline"
        case .gnssCN0DropDB: "cn0_drop_db"
        case .gnssFixLostS: "fix_lost_s"
        case .gnssJumpM: "jump_m"
        case .gnssJumpSpeedKn: "jump_speed_kn"
        case .gnssTimeJumpS: "time_jump_s"
        }
    }

    public var groupName: StaticString {
        switch group {
        case .nmea: "nmea"
        case .ais: "ais"
        case .gnss: "gnss"
        }
    }

    /// The full dotted name (`ais.mmsi`).
    public var path: String { "\(groupName).\(key)" }

    /// Look a field up by its dotted name.
    public static func named(_ name: String) -> FieldID? { byName[name] }

    private static let byName: [String: FieldID] = {
        var d: [String: FieldID] = [:]
        for f in FieldID.allCases { d[f.path] = f }
        return d
    }()
}

/// One field's value, kept compact: numbers inline, text as a place in the line or payload.
public enum FieldSlot {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// A slice of the sentence's bytes (line or packet), by offset.
    case bytes(Int32, Int32)
    /// AIS 6-bit text in the payload bit buffer: start bit and character count.
    case sixbit(Int32, Int32)
    /// AIS binary data in the payload: start bit and bit count (written as gpsd's `bits:hex`).
    case bits(Int32, Int32)
    /// A UTC time (ISO 8601 on output).
    case time(Timestamp)
    /// A month-day-hour-minute time without a year (AIS ETA), packed `MMDDHHmm` as written `MM-DDTHH:mmZ`.
    case eta(Int32)
    /// A satellite in view: id, elevation, azimuth, C/N0 (-1 when absent), packed.
    case satellite(Int64)
    /// An owned string (zone names, receiver names); copying it only retains it.
    case string(String)
    /// Printable characters (NMEA 1-character status fields such as `A`/`V`).
    case character(UInt8)
}

/// The fields of the current event, reused from event to event.
public struct FieldList {
    public private(set) var ids: [FieldID] = []
    public private(set) var slots: [FieldSlot] = []

    init() {
        ids.reserveCapacity(160)
        slots.reserveCapacity(160)
    }

    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
    }

    public var count: Int { ids.count }

    @inline(__always) mutating func add(_ id: FieldID, _ slot: FieldSlot) {
        ids.append(id)
        slots.append(slot)
    }
    @inline(__always) mutating func add(_ id: FieldID, int v: Int64) { add(id, .int(v)) }
    @inline(__always) mutating func add(_ id: FieldID, int v: Int) { add(id, .int(Int64(v))) }
    @inline(__always) mutating func add(_ id: FieldID, double v: Double) { add(id, .double(v)) }
    @inline(__always) mutating func add(_ id: FieldID, bool v: Bool) { add(id, .bool(v)) }
    mutating func add(_ id: FieldID, range r: Range<Int>) { add(id, .bytes(Int32(r.lowerBound), Int32(r.count))) }

    /// The first value of a field.
    public func first(_ id: FieldID) -> FieldSlot? {
        for k in 0..<ids.count where ids[k] == id { return slots[k] }
        return nil
    }

    func int(_ id: FieldID) -> Int64? {
        if case .int(let v) = first(id) { return v }
        return nil
    }

    func double(_ id: FieldID) -> Double? {
        switch first(id) {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
}
