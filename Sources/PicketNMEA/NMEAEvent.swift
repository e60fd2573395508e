import PicketCore

/// The decoder's state for the current event: its fields, problem and AIS bits. Reused from
/// sentence to sentence; an event borrows it while it is being handled.
public final class NMEARecord {
    public internal(set) var fields = FieldList()
    public internal(set) var problem: NMEAProblem?
    public internal(set) var payload = AISPayload()
    /// The sentence's bytes, which `.bytes` slots index.
    public internal(set) var bytes = UnsafeRawBufferPointer(start: nil, count: 0)

    init() {}

    func reset(_ b: UnsafeRawBufferPointer) {
        fields.removeAll()
        problem = nil
        bytes = b
    }
}

/// One NMEA line or sentence as an event: `ais` for a complete AIS message, `gnss` for a GNSS
/// sentence, `nmea` for any other sentence, for an AIS fragment still waiting for the rest, and
/// for a malformed line (which carries `decoder_event`, e.g. `decoder.nmea.bad_checksum`).
public struct NMEAEvent: Event {
    public let kind: EventKind
    public let origin: Origin
    public let timestamp: Timestamp
    public let timeSource: TimeSource
    /// The raw line (or, from a packet, the sentence).
    public let payload: UnsafeRawBufferPointer
    public let record: NMEARecord

    public init(kind: EventKind, origin: Origin, timestamp: Timestamp, timeSource: TimeSource,
                payload: UnsafeRawBufferPointer, record: NMEARecord) {
        self.kind = kind
        self.origin = origin
        self.timestamp = timestamp
        self.timeSource = timeSource
        self.payload = payload
        self.record = record
    }

    private func slice(_ s: Int32, _ n: Int32) -> UnsafeRawBufferPointer {
        let b = record.bytes
        let lo = max(0, min(Int(s), b.count)), hi = max(lo, min(Int(s) + Int(n), b.count))
        return UnsafeRawBufferPointer(rebasing: b[lo..<hi])
    }

    /// A field's value by its dotted name (`ais.mmsi`, `gnss.cn0_mean`, `decoder_event`). Text
    /// from AIS payloads becomes a `String` only here.
    public func field(_ name: String) -> FieldValue? {
        if name == "decoder_event" { return record.problem.map { .string($0.name) } }
        if name == "decoder_detail" { return record.problem.map { .string($0.detail) } }
        guard let id = FieldID.named(name) else { return nil }
        let list = record.fields
        if id == .gnssSatellite {
            guard list.first(id) != nil else { return nil }
            var out = JSONOut(capacity: 256)
            writeSatellites(&out)
            return .string(String(decoding: out.bytes, as: UTF8.self))
        }
        guard let slot = list.first(id) else { return nil }
        switch slot {
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .bytes(let s, let n): return .text(slice(s, n))
        case .sixbit(let s, let n): return .string(record.payload.withText(slot: Int(s), Int(n)) { String(decoding: $0, as: UTF8.self) })
        case .bits(let s, let n): return .string(record.payload.withHex(Int(s), Int(n)) { String(decoding: $0, as: UTF8.self) })
        case .time(let t): return .string(t.iso8601)
        case .eta(let v): return .string(Self.eta(v))
        case .satellite(let v): return .int(v)
        case .string(let s): return .string(s)
        case .character(let c): return .string(String(UnicodeScalar(c)))
        }
    }

    static func eta(_ v: Int32) -> String {
        func two(_ x: Int32) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return "\(two(v / 1_000_000))-\(two(v / 10_000 % 100))T\(two(v / 100 % 100)):\(two(v % 100))Z"
    }

    public func writeFields(to out: inout JSONOut) {
        if let p = record.problem {
            out.key("decoder_event"); out.string(p.name)
            out.key("decoder_detail"); out.string(p.detail)
        }
        let list = record.fields
        for g: UInt8 in 0..<3 {
            let group: FieldID.Group = g == 0 ? .nmea : g == 1 ? .ais : .gnss
            var opened = false
            var satellitesDone = false
            for k in 0..<list.count {
                let id = list.ids[k]
                guard id.group == group else { continue }
                if !opened {
                    out.key(id.groupName)
                    out.beginObject()
                    opened = true
                }
                if id == .gnssSatellite {
                    if !satellitesDone {
                        out.key("satellites")
                        writeSatellites(&out)
                        satellitesDone = true
                    }
                    continue
                }
                out.key(id.key)
                switch list.slots[k] {
                case .int(let v): out.int(v)
                case .double(let v): out.double(v)
                case .bool(let v): out.bool(v)
                case .bytes(let s, let n):
                    if id == .nmeaFields {
                        writeFieldArray(&out, slice(s, n))
                    } else {
                        out.string(bytes: slice(s, n))
                    }
                case .sixbit(let s, let n): record.payload.withText(slot: Int(s), Int(n)) { out.string(bytes: $0) }
                case .bits(let s, let n): record.payload.withHex(Int(s), Int(n)) { out.string(bytes: $0) }
                case .time(let t): out.timestamp(t)
                case .eta(let v): out.string(Self.eta(v))
                case .satellite(let v): out.int(v)
                case .string(let s): out.string(s)
                case .character(let c):
                    withUnsafeBytes(of: c) { out.string(bytes: $0) }
                }
            }
            if opened { out.endObject() }
        }
    }

    /// `[{"id":5,"el":1,"az":47,"cn0":23}, …]`, absent parts left out.
    private func writeSatellites(_ out: inout JSONOut) {
        out.beginArray()
        let list = record.fields
        for k in 0..<list.count where list.ids[k] == .gnssSatellite {
            guard case .satellite(let v) = list.slots[k] else { continue }
            let s = GSVSat(packed: v)
            out.beginObject()
            out.key("id"); out.int(s.id)
            if s.elevation != Int16.min { out.key("el"); out.int(s.elevation) }
            if s.azimuth >= 0 { out.key("az"); out.int(s.azimuth) }
            if s.cn0 >= 0 { out.key("cn0"); out.int(s.cn0) }
            out.endObject()
        }
        out.endArray()
    }

    /// The sentence's fields after the address, as an array of strings.
    private func writeFieldArray(_ out: inout JSONOut, _ body: UnsafeRawBufferPointer) {
        out.beginArray()
        var start = 0
        for i in 0...body.count where i == body.count || body[i] == 44 {
            out.string(bytes: UnsafeRawBufferPointer(rebasing: body[start..<i]))
            start = i + 1
        }
        out.endArray()
    }
}
