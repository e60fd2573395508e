import Foundation
import PicketCore
import PicketReport
import PicketSignatures

/// Which findings are written (`--area`, `--min-level`) and how (`--format`).
public struct FindingFilter: Sendable {
    public var areas: Set<Area> = Set(Area.allCases)
    public var minimumLevel: Level = .informational
    public init() {}
    public func admits(_ s: Signature) -> Bool { areas.contains(s.area) && s.level >= minimumLevel }
}

/// Writes findings as EVE-compatible JSON lines (DESIGN.md section 6) or as text for people,
/// and counts them by area. Strings from inputs are escaped (JSONOut; `TextEscape` for text).
public struct FindingWriter: FindingSink {
    public enum Format: String, Sendable { case eve, text }

    private let output: OutputFile
    private var json = JSONOut(capacity: 1 << 14)
    private var printable: [UInt8] = []
    public let format: Format
    public let filter: FindingFilter
    public let includePayload: Bool
    public private(set) var total = 0
    public private(set) var byArea: [Area: Int] = [:]
    public private(set) var highest: Level?
    /// Findings kept for `--summary` (nil when no summary was asked for), read back from their
    /// EVE form so a summary made now equals one made later from the findings file.
    public private(set) var records: [FindingRecord]?
    private var eveForRecord = JSONOut(capacity: 1 << 12)

    public init(output: OutputFile, format: Format, filter: FindingFilter, includePayload: Bool, keepRecords: Bool = false) {
        self.output = output
        self.format = format
        self.filter = filter
        self.includePayload = includePayload
        records = keepRecords ? [] : nil
    }

    public mutating func finding<E: Event>(_ sig: Signature, event: E, input: String, evidence: [Evidence],
                                           correlation: CorrelationHit?) -> Bool {
        guard filter.admits(sig) else { return true }
        total += 1
        byArea[sig.area, default: 0] += 1
        if highest.map({ sig.level > $0 }) ?? true { highest = sig.level }
        json.reset()
        switch format {
        case .eve: writeEVE(sig, event, input, evidence, correlation)
        case .text: writeText(sig, event, input, evidence, correlation)
        }
        output.write(json.bytes)
        if records != nil {
            if format == .text {
                let text = json
                json.reset()
                writeEVE(sig, event, input, evidence, correlation)
                eveForRecord = json
                json = text
            } else {
                eveForRecord = json
            }
            if let r = FindingRecord(json: Data(eveForRecord.bytes)) { records!.append(r) }
        }
        return !output.closedByReader
    }

    static let addressFields = ["src_ip", "src_port", "dest_ip", "dest_port", "proto"]

    static func number(_ v: FieldValue) -> Double? {
        switch v {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    private mutating func writeValue(_ v: FieldValue) {
        switch v {
        case .int(let i): json.int(i)
        case .double(let d): json.double(d)
        case .bool(let b): json.bool(b)
        case .text(let b): json.string(bytes: b)
        case .string(let s): json.string(s)
        case .ip(let ip): json.ip(ip)
        }
    }

    private mutating func writeEvidence(_ v: EvidenceValue) {
        switch v {
        case .text(let s): json.string(s)
        case .number(let d): json.double(d)
        case .integer(let i): json.int(i)
        case .bool(let b): json.bool(b)
        }
    }

    /// The subject of a finding: the fields that name it, by kind of event.
    static let entityFields: [(String, StaticString)] = [
        ("ais.mmsi", "mmsi"), ("src_ip", "src_ip"), ("dest_ip", "dest_ip"), ("http.hostname", "host"),
        ("syslog.host", "host"), ("dns.query", "domain"), ("tls.sni", "domain"), ("gnss.receiver", "receiver"),
    ]

    private mutating func writeEVE<E: Event>(_ sig: Signature, _ e: E, _ input: String, _ evidence: [Evidence], _ corr: CorrelationHit?) {
        json.beginObject()
        json.key("timestamp"); json.timestamp(e.timestamp)
        if let f = e.flowID { json.key("flow_id"); json.uint64(f) }
        switch e.origin.position {
        case .packet(let n): json.key("pcap_cnt"); json.int(n)
        case .line(let n): json.key("line"); json.int(n)
        }
        json.key("event_type"); json.string("alert")
        for name in Self.addressFields {
            if let v = e.field(name) {
                json.key(name)
                writeValue(v)
            }
        }
        json.key("area"); json.string(sig.area.rawValue)
        json.key("input"); json.string(input)
        json.key("alert")
        json.beginObject()
        json.key("action"); json.string("allowed")
        json.key("gid"); json.int(1)
        json.key("signature_id"); json.int(sig.signatureID)
        json.key("rev"); json.int(sig.rev)
        json.key("signature"); json.string(sig.title)
        json.key("category"); json.string(sig.alertCategory)
        json.key("severity"); json.int(sig.severity)
        json.key("metadata")
        json.beginObject()
        json.key("area"); json.beginArray(); json.string(sig.area.rawValue); json.endArray()
        json.key("level"); json.beginArray(); json.string(sig.level.name); json.endArray()
        json.key("picket_id"); json.beginArray(); json.string(sig.id); json.endArray()
        if let rule = sig.suricata, !rule.metadata.isEmpty {
            // As Suricata writes a rule's metadata: each key once, its values in a list, so
            // dashboards keyed on alert.metadata.signature_severity and the like find them.
            var keys: [String] = []
            for (k, _) in rule.metadata where !keys.contains(k) && k != "area" && k != "level" && k != "picket_id" { keys.append(k) }
            for k in keys {
                json.key(k)
                json.beginArray()
                for (key, v) in rule.metadata where key == k { json.string(v) }
                json.endArray()
            }
        } else if !sig.tags.isEmpty {
            json.key("tag"); json.beginArray(); for t in sig.tags { json.string(t) }; json.endArray()
        }
        json.endObject()
        if !sig.references.isEmpty {
            json.key("references"); json.beginArray(); for r in sig.references { json.string(r) }; json.endArray()
        }
        json.endObject()
        if includePayload {
            let p = e.payload
            json.key("payload"); json.base64(p)
            // As Suricata's EVE writes it: printable ASCII, CR and LF as they are, every other
            // byte a dot.
            printable.removeAll(keepingCapacity: true)
            for c in p { printable.append((c >= 0x20 && c < 0x7F) || c == 10 || c == 13 ? c : UInt8(ascii: ".")) }
            json.key("payload_printable")
            printable.withUnsafeBytes { json.string(bytes: $0) }
        }
        json.key("picket")
        json.beginObject()
        json.key("rule"); json.string(sig.id)
        json.key("level"); json.string(sig.level.name)
        json.key("tags"); json.beginArray(); for t in sig.tags { json.string(t) }; json.endArray()
        json.key("kind"); json.string(e.kind.name)
        json.key("entity")
        json.beginObject()
        // Each entity name once (the first field that has it wins); no allocation per finding.
        for (i, (field, name)) in Self.entityFields.enumerated() {
            let taken = Self.entityFields[..<i].contains { other in
                other.1.utf8CodeUnitCount == name.utf8CodeUnitCount
                    && memcmp(other.1.utf8Start, name.utf8Start, name.utf8CodeUnitCount) == 0 && e.field(other.0) != nil
            }
            if !taken, let v = e.field(field) {
                json.key(name)
                writeValue(v)
            }
        }
        json.endObject()
        json.key("evidence")
        json.beginObject()
        for (i, ev) in evidence.enumerated() where !evidence[..<i].contains(where: { $0.field == ev.field }) {
            json.key(ev.field)
            writeEvidence(ev.value)
        }
        json.endObject()
        if let corr {
            json.key("correlation")
            json.beginObject()
            json.key("type"); json.string(sig.correlation?.kind.rawValue ?? "")
            json.key("count"); json.int(corr.count)
            json.key("first_seen"); json.timestamp(corr.first)
            json.key("last_seen"); json.timestamp(corr.last)
            json.key("group")
            json.beginObject()
            for (k, v) in corr.group { json.key(k); json.string(v) }
            json.endObject()
            json.endObject()
        }
        if e.timeSource == .read { json.key("time_source"); json.string("read") }
        // Where the subject was, for track plots: AIS or GNSS position of the event.
        for (latField, lonField) in [("ais.lat", "ais.lon"), ("gnss.lat", "gnss.lon")] {
            if let la = e.field(latField).flatMap(Self.number), let lo = e.field(lonField).flatMap(Self.number) {
                json.key("position")
                json.beginObject()
                json.key("lat"); json.double(la)
                json.key("lon"); json.double(lo)
                json.endObject()
                break
            }
        }
        json.endObject()
        json.endObject()
        json.newline()
    }

    private mutating func writeText<E: Event>(_ sig: Signature, _ e: E, _ input: String, _ evidence: [Evidence], _ corr: CorrelationHit?) {
        var line = ""
        var ts: [UInt8] = []
        e.timestamp.appendISO8601(to: &ts)
        line += String(decoding: ts, as: UTF8.self)
        line += "  \(sig.level.name.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)) \(sig.area.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
        line += TextEscape.clean(sig.title)
        if let s = e.field("src_ip"), let d = e.field("dest_ip") {
            let sp = e.field("src_port").map { ":" + TextEscape.value($0) } ?? ""
            let dp = e.field("dest_port").map { ":" + TextEscape.value($0) } ?? ""
            line += "  \(TextEscape.value(s))\(sp) -> \(TextEscape.value(d))\(dp)"
        }
        switch e.origin.position {
        case .packet(let n): line += "  \(TextEscape.clean(input))#\(n)"
        case .line(let n): line += "  \(TextEscape.clean(input)):\(n)"
        }
        if let corr { line += "  [\(corr.count) in window: " + corr.group.map { "\($0.0)=\(TextEscape.clean($0.1))" }.joined(separator: " ") + "]" }
        if !evidence.isEmpty {
            line += "  " + evidence.prefix(4).map { ev in
                let v: String
                switch ev.value {
                case .text(let s): v = s
                case .number(let d): v = String(d)
                case .integer(let i): v = String(i)
                case .bool(let b): v = String(b)
                }
                return "\(ev.field)=\(TextEscape.clean(String(v.prefix(120))))"
            }.joined(separator: " ")
        }
        line += "\n"
        line.withUTF8 { json.appendRaw(UnsafeRawBufferPointer($0)) }
    }
}

/// Makes input-controlled text safe for a terminal: control characters (escape sequences,
/// bells, carriage returns) and invalid UTF-8 become visible `\xNN` escapes.
public enum TextEscape {
    /// Text for a terminal: control characters as `\x1b`, hidden ones (bidi controls,
    /// zero-width characters) as `\u{202e}`.
    public static func clean(_ s: String) -> String { clean(s, keepingLineBreaks: false) }

    /// The same, keeping newlines and tabs: for messages of several lines.
    public static func clean(_ s: String, keepingLineBreaks keep: Bool) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if keep && (v == 10 || v == 9) {
                out.unicodeScalars.append(scalar)
            } else if HiddenCharacters.isControl(v) {
                out += "\\x" + (v < 16 ? "0" : "") + String(v, radix: 16)
            } else if HiddenCharacters.contains(v) {
                out += HiddenCharacters.shown(v)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public static func value(_ v: FieldValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .text(let b): return clean(String(decoding: b, as: UTF8.self))
        case .string(let s): return clean(s)
        case .ip(let ip): return ip.description
        }
    }
}
