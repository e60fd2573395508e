import PicketCore

/// A decoded packet as an event: the capture record's bytes plus what the decoder found.
public struct PacketEvent: Event {
    public let packet: UnsafePointer<DecodedPacket>
    public let data: UnsafeRawBufferPointer
    public let wireLength: Int
    public let origin: Origin
    public let timestamp: Timestamp
    /// A capture-framing problem (`capture.pcapng.unknown_interface`) for a record that could
    /// not be decoded at all.
    public let framingProblem: StaticString?
    /// The flow the packet belongs to (EVE's `flow_id`), once the flow table has seen it.
    public let flowID: UInt64?
    /// For a datagram reassembled from IP fragments: how many fragments it was made of
    /// (0 for a packet as captured). `data` then holds the reassembled packet.
    public let reassembledFragments: Int
    /// The packet went from the flow's client to its server (nil before the flow table saw it).
    public let toServer: Bool?
    /// Suricata's `flow:established` for the packet's flow (TCP: after the three-way handshake).
    public let established: Bool
    public let payloadHits: UnsafeBufferPointer<UInt32>?

    public init(packet: UnsafePointer<DecodedPacket>, data: UnsafeRawBufferPointer, wireLength: Int,
                origin: Origin, timestamp: Timestamp, framingProblem: StaticString? = nil,
                flowID: UInt64? = nil, reassembledFragments: Int = 0, toServer: Bool? = nil, established: Bool = false,
                payloadHits: UnsafeBufferPointer<UInt32>? = nil) {
        self.payloadHits = payloadHits
        self.toServer = toServer
        self.established = established
        self.packet = packet
        self.data = data
        self.wireLength = wireLength
        self.origin = origin
        self.timestamp = timestamp
        self.framingProblem = framingProblem
        self.flowID = flowID
        self.reassembledFragments = reassembledFragments
    }

    public var kind: EventKind { .packet }
    public var timeSource: TimeSource { .record }
    public var isMalformed: Bool { framingProblem != nil || packet.pointee.event != nil }

    public var payload: UnsafeRawBufferPointer {
        let p = packet.pointee
        guard p.payloadLength > 0, p.payloadOffset + p.payloadLength <= data.count else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(rebasing: data[p.payloadOffset..<(p.payloadOffset + p.payloadLength)])
    }

    public func field(_ name: String) -> FieldValue? {
        let p = packet.pointee
        switch name {
        case "src_ip": return p.ipVersion != 0 ? .ip(p.src) : nil
        case "dest_ip": return p.ipVersion != 0 ? .ip(p.dst) : nil
        case "src_port": return p.hasPorts ? .int(Int64(p.srcPort)) : nil
        case "dest_port": return p.hasPorts ? .int(Int64(p.dstPort)) : nil
        case "proto": return p.ipVersion != 0 ? .string(p.protoName) : nil
        case "ip_v": return p.ipVersion != 0 ? .int(Int64(p.ipVersion)) : nil
        case "vlan": return p.vlanCount > 0 ? .int(Int64(p.vlan0)) : nil
        case "icmp_type": return p.hasICMP ? .int(Int64(p.icmpType)) : nil
        case "icmp_code": return p.hasICMP ? .int(Int64(p.icmpCode)) : nil
        case "tcp.flags": return p.ipProto == 6 && p.hasPorts ? .int(Int64(p.tcpFlags)) : nil
        case "tcp.ack": return p.ipProto == 6 && p.hasPorts && p.tcpFlags & 0x10 != 0 ? .int(Int64(p.tcpAck)) : nil
        case "pkt_len": return .int(Int64(wireLength))
        case "flow_id": return flowID.map { .int(Int64($0)) }
        case "reassembled": return .bool(reassembledFragments > 0)
        case "direction": return toServer.map { .string($0 ? "to_server" : "to_client") }
        case "flow.established": return flowID == nil ? nil : .bool(established)
        case "payload_len": return .int(Int64(p.payloadLength))
        case "decoder_event":
            if let f = framingProblem { return .string(f.description) }
            return p.event.map { .string($0.name) }
        default: return nil
        }
    }

    private static let flagNames: [(UInt8, StaticString)] = [
        (0x01, "fin"), (0x02, "syn"), (0x04, "rst"), (0x08, "psh"), (0x10, "ack"), (0x20, "urg"), (0x40, "ece"), (0x80, "cwr"),
    ]

    public func writeFields(to out: inout JSONOut) {
        let p = packet.pointee
        if let flowID { out.key("flow_id"); out.uint64(flowID) }
        if let toServer { out.key("direction"); out.string(toServer ? "to_server" : "to_client") }
        out.key("link_type"); out.string(LinkType.name(p.linkType))
        out.key("pkt_len"); out.int(wireLength)
        if data.count < wireLength { out.key("captured_len"); out.int(data.count) }
        if p.vlanCount > 0 {
            out.key("vlan")
            out.beginArray()
            out.int(p.vlan0)
            if p.vlanCount > 1 { out.int(p.vlan1) }
            out.endArray()
        }
        if p.ipVersion != 0 {
            var text: [UInt8] = []
            text.reserveCapacity(40)
            p.src.append(to: &text)
            out.key("src_ip"); text.withUnsafeBytes { out.string(bytes: $0) }
            if p.hasPorts { out.key("src_port"); out.int(p.srcPort) }
            text.removeAll(keepingCapacity: true)
            p.dst.append(to: &text)
            out.key("dest_ip"); text.withUnsafeBytes { out.string(bytes: $0) }
            if p.hasPorts { out.key("dest_port"); out.int(p.dstPort) }
            out.key("proto"); out.string(p.protoName)
            out.key("ip_v"); out.int(p.ipVersion)
            out.key("ttl"); out.int(p.ttl)
            if p.isFragment {
                out.key("fragment")
                out.beginObject()
                out.key("id"); out.int(p.ipID)
                out.key("offset"); out.int(p.fragmentOffset)
                out.key("more"); out.bool(p.moreFragments)
                out.endObject()
            }
            if p.hasICMP {
                out.key("icmp_type"); out.int(p.icmpType)
                out.key("icmp_code"); out.int(p.icmpCode)
            }
            if p.ipProto == 6 && p.hasPorts {
                out.key("tcp")
                out.beginObject()
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                var flags: [UInt8] = [hex[Int(p.tcpFlags >> 4)], hex[Int(p.tcpFlags & 15)]]
                out.key("tcp_flags"); flags.withUnsafeBytes { out.string(bytes: $0) }
                for (bit, name) in Self.flagNames where p.tcpFlags & bit != 0 { out.key(name); out.bool(true) }
                out.key("seq"); out.int(p.tcpSeq)
                out.key("ack_seq"); out.int(p.tcpAck)
                out.key("window"); out.int(p.tcpWindow)
                out.endObject()
                flags.removeAll()
            }
        }
        out.key("payload_len"); out.int(p.payloadLength)
        if reassembledFragments > 0 {
            out.key("reassembled")
            out.beginObject()
            out.key("fragments"); out.int(reassembledFragments)
            out.endObject()
        }
        if let f = framingProblem {
            out.key("decoder_event"); out.string(f)
        } else if let e = p.event {
            out.key("decoder_event"); out.string(e.name)
        }
    }
}
