import PicketCore

/// Which flow, and which way, an event above the packet layer belongs to. `src` is the
/// sender of the data the event describes.
public struct FlowContext: Sendable {
    public var flowID: UInt64
    public var src: IPAddress
    public var dst: IPAddress
    public var srcPort: UInt16
    public var dstPort: UInt16
    public var proto: UInt8
    /// The data went from the client (the side that sent the first SYN, or the first packet).
    public var toServer: Bool
    public var vlanCount: Int
    public var vlan0: UInt16
    public var vlan1: UInt16
    /// Suricata's `flow:established` for the flow at the time of the event.
    public var established = true

    public init(flowID: UInt64, src: IPAddress, dst: IPAddress, srcPort: UInt16, dstPort: UInt16, proto: UInt8,
                toServer: Bool, vlanCount: Int = 0, vlan0: UInt16 = 0, vlan1: UInt16 = 0) {
        self.flowID = flowID
        self.src = src
        self.dst = dst
        self.srcPort = srcPort
        self.dstPort = dstPort
        self.proto = proto
        self.toServer = toServer
        self.vlanCount = vlanCount
        self.vlan0 = vlan0
        self.vlan1 = vlan1
    }

    public var protoName: String {
        switch proto {
        case 6: "TCP"
        case 17: "UDP"
        default: String(proto)
        }
    }

    public var directionName: String { toServer ? "to_server" : "to_client" }

    /// The fields every flow-level event answers: `src_ip`, `src_port`, `dest_ip`,
    /// `dest_port`, `proto`, `flow_id`, `direction`, `vlan`.
    public func field(_ name: String) -> FieldValue? {
        switch name {
        case "src_ip": .ip(src)
        case "dest_ip": .ip(dst)
        case "src_port": .int(Int64(srcPort))
        case "dest_port": .int(Int64(dstPort))
        case "proto": .string(protoName)
        case "flow_id": .int(Int64(flowID))
        case "direction": .string(directionName)
        case "flow.established": .bool(established)
        case "vlan": vlanCount > 0 ? .int(Int64(vlan0)) : nil
        default: nil
        }
    }

    public func write(to out: inout JSONOut) {
        out.key("flow_id"); out.uint64(flowID)
        if vlanCount > 0 {
            out.key("vlan")
            out.beginArray()
            out.int(vlan0)
            if vlanCount > 1 { out.int(vlan1) }
            out.endArray()
        }
        var text: [UInt8] = []
        text.reserveCapacity(40)
        src.append(to: &text)
        out.key("src_ip"); text.withUnsafeBytes { out.string(bytes: $0) }
        out.key("src_port"); out.int(srcPort)
        text.removeAll(keepingCapacity: true)
        dst.append(to: &text)
        out.key("dest_ip"); text.withUnsafeBytes { out.string(bytes: $0) }
        out.key("dest_port"); out.int(dstPort)
        out.key("proto"); out.string(protoName)
        out.key("direction"); out.string(directionName)
    }
}

/// The bytes of an array held by a decoder object, valid while the event is handled (the
/// decoder does not touch the array until the sink returns).
@inline(__always) func borrowedBytes(_ a: [UInt8]) -> UnsafeRawBufferPointer {
    a.withUnsafeBytes { $0 }
}

/// Reassembled TCP data: one in-order chunk of one direction (`stream` events). Chunks of
/// one direction share a `streamKey`; `offset` counts the bytes before the chunk, gaps
/// included, and `gap` the bytes lost right before it.
public struct StreamEvent: Event {
    public let context: FlowContext
    public let payload: UnsafeRawBufferPointer
    public let offset: Int64
    public let gap: Int64
    /// TCP sequence number of the chunk's first byte (so acknowledgements can be related to it).
    public var seq: UInt32 = 0
    public let origin: Origin
    public let timestamp: Timestamp

    public init(context: FlowContext, payload: UnsafeRawBufferPointer, offset: Int64, gap: Int64, origin: Origin, timestamp: Timestamp) {
        self.context = context
        self.payload = payload
        self.offset = offset
        self.gap = gap
        self.origin = origin
        self.timestamp = timestamp
    }

    public var kind: EventKind { .stream }
    public var timeSource: TimeSource { .record }
    public var flowID: UInt64? { context.flowID }
    public var streamKey: StreamKey? { StreamKey(flowID: context.flowID, toServer: context.toServer) }

    public func field(_ name: String) -> FieldValue? {
        switch name {
        case "stream.offset": .int(offset)
        case "stream.length": .int(Int64(payload.count))
        case "stream.gap": .int(gap)
        case "stream.seq": .int(Int64(seq))
        default: context.field(name)
        }
    }

    public func writeFields(to out: inout JSONOut) {
        context.write(to: &out)
        out.key("stream")
        out.beginObject()
        out.key("offset"); out.int(offset)
        out.key("length"); out.int(payload.count)
        if gap > 0 { out.key("gap"); out.int(gap) }
        out.endObject()
    }
}

/// One DNS question of a query or of a response (`dns` events); a response's event also
/// lists its answers. The payload is the DNS message.
public struct DNSEvent: Event {
    public let context: FlowContext
    public let message: DNSMessage
    /// Index into `message.questions`, or -1 for a message without questions.
    public let question: Int
    public let payload: UnsafeRawBufferPointer
    public let origin: Origin
    public let timestamp: Timestamp

    public init(context: FlowContext, message: DNSMessage, question: Int, payload: UnsafeRawBufferPointer, origin: Origin, timestamp: Timestamp) {
        self.context = context
        self.message = message
        self.question = question
        self.payload = payload
        self.origin = origin
        self.timestamp = timestamp
    }

    public var kind: EventKind { .dns }
    public var timeSource: TimeSource { .record }
    public var flowID: UInt64? { context.flowID }

    private var q: DNSMessage.Question? {
        question >= 0 && question < message.questions.count ? message.questions[question] : nil
    }

    public func field(_ name: String) -> FieldValue? {
        switch name {
        case "dns.type": return .string(message.isResponse ? "answer" : "query")
        case "dns.query", "dns.rrname": return q.map { .text(message.textBytes($0.name)) }
        case "dns.rrtype": return q.map { .string(DNSMessage.typeName($0.type)) }
        case "dns.rcode": return message.isResponse ? .string(DNSMessage.rcodeName(message.rcode)) : nil
        case "dns.id": return .int(Int64(message.id))
        case "dns.opcode": return .int(Int64(message.opcode))
        default: return context.field(name)
        }
    }

    public func writeFields(to out: inout JSONOut) {
        context.write(to: &out)
        out.key("dns")
        out.beginObject()
        out.key("type"); out.string(message.isResponse ? "answer" : "query")
        out.key("id"); out.int(message.id)
        if message.isResponse {
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            var flags: [UInt8] = []
            for shift in stride(from: 12, through: 0, by: -4) { flags.append(hex[Int(message.flags >> UInt16(shift) & 15)]) }
            out.key("flags"); flags.withUnsafeBytes { out.string(bytes: $0) }
            out.key("qr"); out.bool(true)
            if message.flags & 0x0400 != 0 { out.key("aa"); out.bool(true) }
            if message.flags & 0x0200 != 0 { out.key("tc"); out.bool(true) }
            if message.flags & 0x0100 != 0 { out.key("rd"); out.bool(true) }
            if message.flags & 0x0080 != 0 { out.key("ra"); out.bool(true) }
        }
        out.key("opcode"); out.int(message.opcode)
        if let q {
            out.key("query"); out.string(bytes: message.textBytes(q.name))
            out.key("rrname"); out.string(bytes: message.textBytes(q.name))
            out.key("rrtype"); out.string(DNSMessage.typeName(q.type))
        }
        if message.isResponse {
            out.key("rcode"); out.string(DNSMessage.rcodeName(message.rcode))
            if !message.answers.isEmpty {
                out.key("answers")
                out.beginArray()
                for a in message.answers {
                    out.beginObject()
                    out.key("rrname"); out.string(bytes: message.textBytes(a.name))
                    out.key("rrtype"); out.string(DNSMessage.typeName(a.type))
                    out.key("ttl"); out.int(a.ttl)
                    if let d = a.data { out.key("rdata"); out.string(bytes: message.textBytes(d)) }
                    out.endObject()
                }
                out.endArray()
            }
        }
        out.endObject()
    }
}

/// One HTTP/1.x request (`http` events); the payload is its header block.
public struct HTTPEvent: Event {
    public let context: FlowContext
    public let request: HTTPRequestView
    /// The bytes `request`'s ranges index.
    public let bytes: UnsafeRawBufferPointer
    /// The hostname in lower case (as Suricata normalises it).
    public let hostname: UnsafeRawBufferPointer?
    public let origin: Origin
    public let timestamp: Timestamp

    public init(context: FlowContext, request: HTTPRequestView, bytes: UnsafeRawBufferPointer, hostname: UnsafeRawBufferPointer?,
                origin: Origin, timestamp: Timestamp) {
        self.context = context
        self.request = request
        self.bytes = bytes
        self.hostname = hostname
        self.origin = origin
        self.timestamp = timestamp
    }

    public var kind: EventKind { .http }
    public var timeSource: TimeSource { .record }
    public var flowID: UInt64? { context.flowID }
    public var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, request.length)]) }

    private func slice(_ r: Range<Int>?) -> UnsafeRawBufferPointer? {
        guard let r, r.upperBound <= bytes.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[r])
    }

    public func field(_ name: String) -> FieldValue? {
        switch name {
        case "http.hostname": return hostname.map { .text($0) }
        case "http.http_port": return request.port.map { .int(Int64($0)) }
        case "http.url": return slice(request.uri).map { .text($0) }
        case "http.http_method": return slice(request.method).map { .text($0) }
        case "http.http_user_agent": return slice(request.userAgent).map { .text($0) }
        case "http.protocol": return slice(request.protocolVersion).map { .text($0) }
        default: return context.field(name)
        }
    }

    public func writeFields(to out: inout JSONOut) {
        context.write(to: &out)
        out.key("http")
        out.beginObject()
        if let h = hostname { out.key("hostname"); out.string(bytes: h) }
        if let p = request.port { out.key("http_port"); out.int(p) }
        if let u = slice(request.uri) { out.key("url"); out.string(bytes: u) }
        if let m = slice(request.method) { out.key("http_method"); out.string(bytes: m) }
        if let a = slice(request.userAgent) { out.key("http_user_agent"); out.string(bytes: a) }
        if let v = slice(request.protocolVersion), !v.isEmpty { out.key("protocol"); out.string(bytes: v) }
        if let l = request.contentLength { out.key("request_content_length"); out.int(l) }
        out.endObject()
    }
}

/// One TLS ClientHello (`tls` events); the payload is the handshake message.
public struct TLSEvent: Event {
    public let context: FlowContext
    public let hello: TLSClientHello
    public let payload: UnsafeRawBufferPointer
    public let origin: Origin
    public let timestamp: Timestamp

    public init(context: FlowContext, hello: TLSClientHello, payload: UnsafeRawBufferPointer, origin: Origin, timestamp: Timestamp) {
        self.context = context
        self.hello = hello
        self.payload = payload
        self.origin = origin
        self.timestamp = timestamp
    }

    public var kind: EventKind { .tls }
    public var timeSource: TimeSource { .record }
    public var flowID: UInt64? { context.flowID }

    public func field(_ name: String) -> FieldValue? {
        switch name {
        case "tls.sni": return hello.hasSNI ? .text(borrowedBytes(hello.sni)) : nil
        case "tls.ja3.string": return .text(borrowedBytes(hello.ja3))
        case "tls.ja3.hash": return .text(borrowedBytes(hello.ja3Hash))
        case "tls.ja4": return .text(borrowedBytes(hello.ja4))
        case "tls.version": return .string(hello.versionText)
        default: return context.field(name)
        }
    }

    public func writeFields(to out: inout JSONOut) {
        context.write(to: &out)
        out.key("tls")
        out.beginObject()
        if hello.hasSNI { out.key("sni"); hello.sni.withUnsafeBytes { out.string(bytes: $0) } }
        out.key("version"); out.string(hello.versionText)
        out.key("ja3")
        out.beginObject()
        out.key("hash"); hello.ja3Hash.withUnsafeBytes { out.string(bytes: $0) }
        out.key("string"); hello.ja3.withUnsafeBytes { out.string(bytes: $0) }
        out.endObject()
        out.key("ja4"); hello.ja4.withUnsafeBytes { out.string(bytes: $0) }
        out.endObject()
    }
}
