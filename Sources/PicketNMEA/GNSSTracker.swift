import PicketCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-receiver GNSS state over the whole scan: it only adds derived fields to GNSS events.
///
/// A receiver is one input (a log file, or a packet source) and, where tag blocks name one, its
/// `s:` source; it is named `<input>:<talker>` with the talker of its latest fix sentence
/// (`gnss.log:GN` for a multi-constellation receiver whose GSV come as GP/GL/GA/GB).
///
/// - Sky: each completed GSV group (one talker and signal id, sentences 1...n in order) replaces
///   that group's satellites in the receiver's sky table. `gnss.cn0_mean`, `gnss.cn0_std` (over
///   satellites with a C/N0), `gnss.sats_strong` (C/N0 ≥ 25 dB-Hz) and `gnss.sats_tracked`
///   summarise the table.
/// - `gnss.cn0_drop_db`: how far the mean is below a running baseline (`gnss.cn0_baseline`) that
///   rises quickly (α 0.1 per completed group) and falls slowly (α 0.002), so a collapse over
///   seconds shows as a drop while a lasting change of surroundings is learnt over a few hundred
///   groups (a minute or two for a receiver sending eight groups a second).
/// - `gnss.fix_lost_s`: seconds since the last valid fix, while the fix is lost.
/// - `gnss.jump_m`: metres from the previous fix position; `gnss.jump_speed_kn`: the speed that
///   implies over the receiver-clock time since that position.
/// - `gnss.time` (the sentence's own date and time; GGA/GLL/GNS take the date from the
///   receiver's latest RMC or ZDA) and `gnss.time_jump_s`, that time minus the receive time,
///   when the input carries receive times.
///
/// The receiver's clock is the record time when the input has one, else the sentences' own
/// times; the summary fields ride on every later event of the receiver, so one event can carry
/// "C/N0 dropped and the fix is lost".
///
/// Bounded: `maxReceivers` (the `gnss_receivers` cap, least recently seen evicted) and
/// `maxSatellites` signals per receiver (the `gnss_satellites` cap).
final class GNSSTracker {
    static let defaultMaxReceivers = 4096
    static let maxSatellites = 256
    static let strongCN0 = 25

    struct SkyEntry {
        var group: UInt32  // talker (2 bytes) << 8 | signal id
        var sat: GSVSat
        /// When its group last came complete: the receiver's group count and clock.
        var epoch: UInt64 = 0
        var clockNS: Int64?
    }

    /// A satellite group (a constellation's signal) not reported again for this long, or for
    /// this many other groups, has left the sky. A jammed receiver may stop sending a
    /// constellation's list; its last strong values must not stand for a sky it no longer sees.
    static let staleGroupNS: Int64 = 30_000_000_000
    static let staleGroupEpochs: UInt64 = 64

    struct Receiver {
        var key: UInt64
        var name: String
        var talker: UInt16
        var lastUse: UInt64 = 0
        var days: Int64?  // latest date from RMC/ZDA
        var lastTOD: Double?  // for the midnight roll-over of the sentence clock
        var clockNS: Int64?  // receiver clock, ns since 1970
        var fix: Bool?
        var lastFixNS: Int64?
        /// Receiver clock of the position in `lat`, `lon`.
        var positionNS: Int64?
        var lat = Double.nan, lon = Double.nan
        var sky: [SkyEntry] = []
        var skyEpoch: UInt64 = 0
        /// Receiver clock when a satellite group last came complete.
        var skyClockNS: Int64?
        var pendingGroup: UInt32 = 0
        var pendingNext = 0
        var pendingCount = 0
        var pending: [GSVSat] = []
        var hasSummary = false
        var mean = 0.0, std = 0.0, strong = 0, tracked = 0
        var baseline = Double.nan
        var drop = 0.0
    }

    let maxReceivers: Int
    private var receivers: [Receiver] = []
    private var index: [UInt64: Int] = [:]
    private var use: UInt64 = 0
    var evicted = 0
    var satellitesCapped = 0

    init(maxReceivers: Int = defaultMaxReceivers) { self.maxReceivers = max(4, maxReceivers) }

    private func slot(_ key: UInt64, stream: String, tagSource: UnsafeRawBufferPointer?, talker: UInt16) -> Int {
        use += 1
        if let k = index[key] {
            receivers[k].lastUse = use
            return k
        }
        if receivers.count >= maxReceivers {
            let drop = max(1, maxReceivers / 8)
            var uses = receivers.map(\.lastUse)
            uses.sort()
            let cutoff = uses[drop - 1]
            let before = receivers.count
            receivers.removeAll { $0.lastUse <= cutoff }
            evicted += before - receivers.count
            index.removeAll(keepingCapacity: true)
            for (k, r) in receivers.enumerated() { index[r.key] = k }
        }
        var r = Receiver(key: key, name: Self.name(stream, tagSource, talker), talker: talker, lastUse: use)
        r.sky.reserveCapacity(64)
        r.pending.reserveCapacity(32)
        receivers.append(r)
        index[key] = receivers.count - 1
        return receivers.count - 1
    }

    static func name(_ stream: String, _ tagSource: UnsafeRawBufferPointer?, _ talker: UInt16) -> String {
        let t = String(decoding: [UInt8(truncatingIfNeeded: talker >> 8), UInt8(truncatingIfNeeded: talker)], as: UTF8.self)
        if let s = tagSource { return "\(stream):\(String(decoding: s, as: UTF8.self)):\(t)" }
        return "\(stream):\(t)"
    }

    /// Update the receiver for one GNSS sentence and add the derived fields to `f`.
    /// `recordNS` is the receive time when the input carries one.
    func update(_ f: inout FieldList, reading r: GNSSReading, key: UInt64, stream: String, tagSource: UnsafeRawBufferPointer?,
                talker: UInt16, recordNS: Int64?) {
        let k = slot(key, stream: stream, tagSource: tagSource, talker: talker)
        // Mutated in place (a copy would make the sky table copy on write).
        apply(&receivers[k], &f, r, stream: stream, tagSource: tagSource, talker: talker, recordNS: recordNS)
    }

    private func apply(_ rx: inout Receiver, _ f: inout FieldList, _ r: GNSSReading, stream: String, tagSource: UnsafeRawBufferPointer?,
                       talker: UInt16, recordNS: Int64?) {
        let isFixSentence = r.kind == .gga || r.kind == .rmc || r.kind == .gns || r.kind == .gll
        if isFixSentence && talker != rx.talker {
            rx.talker = talker
            rx.name = Self.name(stream, tagSource, talker)
        }
        f.add(.gnssReceiver, .string(rx.name))

        // The sentence's own time.
        if let d = r.days { rx.days = d }
        var sentenceNS: Int64?
        if let tod = r.timeOfDay {
            // The date: the sentence's, the receiver's latest, or the receive time's (nearest day).
            var date = r.days ?? rx.days
            // (In Double: a receive time can be anything an input says, up to the ends of Int64.)
            if date == nil, let rec = recordNS {
                let recDayD = (Double(rec) / 86_400e9).rounded(.down)
                let recTOD = (Double(rec) - recDayD * 86_400e9) / 1e9
                date = Int64(recDayD) + (tod - recTOD > 43_200 ? -1 : (recTOD - tod > 43_200 ? 1 : 0))
            }
            if let d = date {
                // Dates past the year 2262 do not fit in nanoseconds: no sentence time then.
                sentenceNS = Self.nanoseconds(days: d, plusSeconds: tod)
                // A GGA just after midnight before the next RMC: still yesterday's date.
                if r.days == nil, rx.days != nil, let last = rx.lastTOD, tod + 43_200 < last {
                    sentenceNS = sentenceNS.flatMap { Self.nanoseconds(days: 1, plusSeconds: 0).flatMap($0.addingOrNil) }
                }
                if let t = sentenceNS {
                    f.add(.gnssTime, .time(Timestamp(nanoseconds: t)))
                    if let rec = recordNS { f.add(.gnssTimeJumpS, double: round3((Double(t) - Double(rec)) / 1e9)) }
                }
            }
            rx.lastTOD = tod
        }
        // The receiver clock: record time, else the sentence time, else the time of day alone.
        if let rec = recordNS {
            rx.clockNS = rec
        } else if let t = sentenceNS {
            rx.clockNS = t
        } else if let tod = r.timeOfDay {
            let todNS = Int64((tod * 1e9).rounded())
            if let c = rx.clockNS {
                // The same day as the clock (the next one if the time of day went back more than
                // half a day); a clock at the ends of Int64 (a receive time saturated) keeps its value.
                let day = c.subtractingReportingOverflow(((c % 86_400_000_000_000) + 86_400_000_000_000) % 86_400_000_000_000)
                var t = day.overflow ? nil : day.partialValue.addingOrNil(todNS)
                if let v = t, let half = v.addingOrNil(43_200_000_000_000), half < c { t = v.addingOrNil(86_400_000_000_000) }
                rx.clockNS = t ?? c
            } else {
                rx.clockNS = todNS
            }
        }

        // Fix state and position.
        if isFixSentence, let fix = r.fix {
            if fix {
                rx.fix = true
                rx.lastFixNS = rx.clockNS
                if let lat = r.lat, let lon = r.lon {
                    if !rx.lat.isNaN {
                        let d = Geo.distanceM(rx.lat, rx.lon, lat, lon)
                        f.add(.gnssJumpM, double: round3(d))
                        // The speed the jump implies, over the time since that position: after
                        // an outage the ship moved on, which is no spoofed jump.
                        if let before = rx.positionNS, let now = rx.clockNS, now > before {
                            f.add(.gnssJumpSpeedKn, double: round3(d / 1852 / ((Double(now) - Double(before)) / 3.6e12)))
                        }
                    }
                    rx.lat = lat; rx.lon = lon
                    rx.positionNS = rx.clockNS
                }
            } else {
                rx.fix = false
            }
        }
        if rx.fix == false, let last = rx.lastFixNS, let now = rx.clockNS {
            f.add(.gnssFixLostS, double: round3(max(0, (Double(now) - Double(last)) / 1e9)))
        }

        // Sky.
        if r.kind == .gsv, r.gsvNumber == r.gsvCount {
            f.add(.gnssGroupComplete, bool: gsv(&rx, r, talker: talker))
        } else if r.kind == .gsv {
            _ = gsv(&rx, r, talker: talker)
        }
        // No satellite list at all for a while (a receiver that stopped sending GSV while its
        // fix is gone): the sky it last described is gone too.
        if rx.hasSummary, !rx.sky.isEmpty, let now = rx.clockNS, let then = rx.skyClockNS,
           now.saturatingSubtract(then) > Self.staleGroupNS {
            rx.sky.removeAll(keepingCapacity: true)
            rx.tracked = 0
            rx.strong = 0
            rx.mean = 0
            rx.std = 0
        }
        if rx.hasSummary {
            f.add(.gnssCN0Mean, double: round3(rx.mean))
            f.add(.gnssCN0Std, double: round3(rx.std))
            f.add(.gnssSatsStrong, int: rx.strong)
            f.add(.gnssSatsTracked, int: rx.tracked)
            if !rx.baseline.isNaN {
                f.add(.gnssCN0Baseline, double: round3(rx.baseline))
                f.add(.gnssCN0DropDB, double: round3(rx.drop))
            }
        }
    }

    /// Returns whether this sentence completed its group.
    private func gsv(_ rx: inout Receiver, _ r: GNSSReading, talker: UInt16) -> Bool {
        let group = UInt32(talker) << 8 | UInt32(UInt8(truncatingIfNeeded: max(0, r.signalID)))
        guard r.gsvCount >= 1, r.gsvNumber >= 1, r.gsvNumber <= r.gsvCount, r.gsvCount <= 16 else { return false }
        if r.gsvNumber == 1 {
            rx.pendingGroup = group
            rx.pendingCount = r.gsvCount
            rx.pendingNext = 1
            rx.pending.removeAll(keepingCapacity: true)
        }
        guard rx.pendingGroup == group, rx.pendingNext == r.gsvNumber, rx.pendingCount == r.gsvCount else {
            rx.pendingNext = 0  // out of order: wait for the next sentence 1
            return false
        }
        for k in 0..<r.satCount where rx.pending.count < 64 { rx.pending.append(r.sat(k)) }
        rx.pendingNext += 1
        guard r.gsvNumber == r.gsvCount else { return false }
        // Group complete: replace its satellites in the sky, and drop groups gone stale.
        rx.pendingNext = 0
        rx.skyEpoch &+= 1
        let epoch = rx.skyEpoch, now = rx.clockNS
        rx.skyClockNS = now
        // (Index loops and in-place compaction: nothing here allocates once the tables have grown.)
        var kept = 0
        for k in 0..<rx.sky.count where rx.sky[k].group != group {
            let e = rx.sky[k]
            var stale = epoch &- e.epoch > Self.staleGroupEpochs
            if let now, let then = e.clockNS, now.saturatingSubtract(then) > Self.staleGroupNS { stale = true }
            if stale { continue }
            rx.sky[kept] = e
            kept += 1
        }
        rx.sky.removeLast(rx.sky.count - kept)
        for k in 0..<rx.pending.count {
            if rx.sky.count >= Self.maxSatellites { satellitesCapped += 1; break }
            rx.sky.append(SkyEntry(group: group, sat: rx.pending[k], epoch: epoch, clockNS: now))
        }
        var n = 0, strong = 0
        var sum = 0.0, sum2 = 0.0
        for k in 0..<rx.sky.count {
            let cn0 = rx.sky[k].sat.cn0
            guard cn0 > 0 else { continue }
            let c = Double(cn0)
            n += 1; sum += c; sum2 += c * c
            if cn0 >= Self.strongCN0 { strong += 1 }
        }
        rx.hasSummary = true
        rx.tracked = n
        rx.strong = strong
        rx.mean = n > 0 ? sum / Double(n) : 0
        rx.std = n > 0 ? sqrt(max(0, sum2 / Double(n) - rx.mean * rx.mean)) : 0
        if rx.baseline.isNaN {
            if n > 0 { rx.baseline = rx.mean }
        } else {
            rx.drop = max(0, rx.baseline - rx.mean)
            let alpha = rx.mean > rx.baseline ? 0.1 : 0.002
            rx.baseline += alpha * (rx.mean - rx.baseline)
        }
        return true
    }
}

extension GNSSTracker {
    /// `days` days and `seconds` seconds since the epoch in nanoseconds, nil when that does not
    /// fit in an Int64 (after the year 2262 or before 1677).
    static func nanoseconds(days: Int64, plusSeconds seconds: Double) -> Int64? {
        let (dayNS, o) = days.multipliedReportingOverflow(by: 86_400_000_000_000)
        let extra = (seconds * 1e9).rounded()
        guard !o, extra.isFinite, abs(extra) < 1e18 else { return nil }
        return dayNS.addingOrNil(Int64(extra))
    }
}

extension Int64 {
    /// `self + other`, or nil when it overflows.
    func addingOrNil(_ other: Int64) -> Int64? {
        let (v, o) = addingReportingOverflow(other)
        return o ? nil : v
    }
}
