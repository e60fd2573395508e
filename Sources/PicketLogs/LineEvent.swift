import PicketCore

/// A log line as an event: `syslog`, `json` or `text` (malformed lines are `text` events that
/// carry a `decoder_event`, so signatures over raw lines still see them).
public struct LineEvent: Event {
    public let line: UnsafeRawBufferPointer
    public let decoded: UnsafePointer<DecodedLine>
    public let origin: Origin
    public let timestamp: Timestamp
    public let timeSource: TimeSource
    public let payloadHits: UnsafeBufferPointer<UInt32>?

    public init(line: UnsafeRawBufferPointer, decoded: UnsafePointer<DecodedLine>, origin: Origin, readTime: Timestamp,
                payloadHits: UnsafeBufferPointer<UInt32>? = nil) {
        self.payloadHits = payloadHits
        self.line = line
        self.decoded = decoded
        self.origin = origin
        if let t = decoded.pointee.timestamp {
            timestamp = t
            timeSource = .record
        } else {
            timestamp = readTime
            timeSource = .read
        }
    }

    public var kind: EventKind { Self.kind(of: decoded.pointee.format) }

    public static func kind(of format: DecodedLine.Format) -> EventKind {
        switch format {
        case .syslog: .syslog
        case .json: .json
        case .text: .text
        }
    }

    public var payload: UnsafeRawBufferPointer { line }

    private func slice(_ r: Range<Int>?) -> FieldValue? {
        r.map { .text(UnsafeRawBufferPointer(rebasing: line[$0])) }
    }

    public func field(_ name: String) -> FieldValue? {
        let d = decoded.pointee
        switch name {
        case "decoder_event": return d.problem.map { .string($0.name) }
        case "syslog.host": return slice(d.host)
        case "syslog.app": return slice(d.app)
        case "syslog.pid": return slice(d.pid)
        case "syslog.msgid": return slice(d.msgid)
        case "syslog.msg": return slice(d.message)
        case "syslog.facility": return d.priority >= 0 ? .int(Int64(d.priority / 8)) : nil
        case "syslog.severity": return d.priority >= 0 ? .int(Int64(d.priority % 8)) : nil
        default:
            guard d.format == .json else { return nil }
            var path = name
            if path.hasPrefix("json.") { path.removeFirst(5) }
            let found = path.withUTF8 { JSONScanner.lookup(line, path: UnsafeRawBufferPointer($0)) }
            guard let (value, kind) = found else { return nil }
            switch kind {
            case .string:
                // The string's text, not its bytes in the line: `\u0045VIL` is EVIL.
                return JSONText.hasEscape(value) ? .string(JSONText.unescaped(value)) : .text(value)
            case .bool: return .bool(value.first == 116)
            case .null: return nil
            case .number:
                let s = String(decoding: value, as: UTF8.self)
                if let i = Int64(s) { return .int(i) }
                return Double(s).map { .double($0) }
            case .object, .array:
                // Matched as their JSON text, strings in it decoded (`["\u0045VIL"]` holds EVIL).
                return JSONText.hasEscape(value) ? .string(JSONText.unescaped(value)) : .text(value)
            }
        }
    }

    public func writeFields(to out: inout JSONOut) {
        let d = decoded.pointee
        switch d.format {
        case .syslog:
            out.key("syslog")
            out.beginObject()
            if d.priority >= 0 {
                out.key("facility"); out.int(d.priority / 8)
                out.key("severity"); out.int(d.priority % 8)
            }
            if d.version > 0 { out.key("version"); out.int(d.version) }
            for (key, range) in [("host", d.host), ("app", d.app), ("pid", d.pid), ("msgid", d.msgid),
                                 ("structured_data", d.structuredData), ("msg", d.message)] {
                if let r = range {
                    out.key(key)
                    out.string(bytes: UnsafeRawBufferPointer(rebasing: line[r]))
                }
            }
            out.endObject()
        case .json:
            // The line's own fields, under "json" so they cannot collide with kind, input or line.
            out.key("json"); out.rawJSON(repairing: trimmed())
        case .text:
            out.key("text"); out.string(bytes: line)
            if let p = d.problem {
                out.key("decoder_event"); out.string(p.name)
                out.key("decoder_detail"); out.string(d.problemDetail)
            }
        }
    }

    private func trimmed() -> UnsafeRawBufferPointer {
        var s = 0, e = line.count
        while s < e && (line[s] == 32 || line[s] == 9) { s += 1 }
        // (NULs ending the line too: the decoder read the JSON without them.)
        while e > s && (line[e - 1] == 32 || line[e - 1] == 9 || line[e - 1] == 0) { e -= 1 }
        return UnsafeRawBufferPointer(rebasing: line[s..<e])
    }
}
