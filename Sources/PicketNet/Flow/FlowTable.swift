import PicketCore

/// A flow's key: both endpoints in a canonical order (the lower address/port first), the IP
/// protocol and up to two VLAN ids, so both directions of a conversation find the same flow.
public struct FlowKey: Hashable, Sendable {
    public var a: IPAddress
    public var b: IPAddress
    public var portA: UInt16
    public var portB: UInt16
    public var proto: UInt8
    public var vlan0: UInt16
    public var vlan1: UInt16

    /// The key of a decoded packet, and whether the packet was sent by endpoint `a`.
    static func of(_ p: DecodedPacket) -> (FlowKey, fromA: Bool) {
        let sp = p.hasPorts ? p.srcPort : 0
        let dp = p.hasPorts ? p.dstPort : 0
        let srcFirst = (p.src.hi, p.src.lo, sp) <= (p.dst.hi, p.dst.lo, dp)
        let v0 = p.vlanCount > 0 ? p.vlan0 : 0
        let v1 = p.vlanCount > 1 ? p.vlan1 : 0
        if srcFirst {
            return (FlowKey(a: p.src, b: p.dst, portA: sp, portB: dp, proto: p.ipProto, vlan0: v0, vlan1: v1), true)
        }
        return (FlowKey(a: p.dst, b: p.src, portA: dp, portB: sp, proto: p.ipProto, vlan0: v0, vlan1: v1), false)
    }
}

/// Lifecycle of a flow, which also picks its timeout.
public enum FlowState: UInt8, Sendable {
    /// Packets seen from one side only (for TCP: the handshake is not complete).
    case new
    /// Both sides have sent packets.
    case established
    /// TCP: FIN from both sides or a RST. Kept a short while for the last ACKs.
    case closed

    public var name: String {
        switch self {
        case .new: "new"
        case .established: "established"
        case .closed: "closed"
        }
    }
}

/// The flow table: bidirectional flows keyed by `FlowKey`, each with a stable `flow_id`,
/// the client side (the sender of the first SYN, else of the first packet), a state, and
/// timeouts driven by packet time.
///
/// Storage is a slab of `Flow` records reused through a free list; a dictionary maps keys to
/// slots. Each flow sits in one doubly-linked list per timeout class, ordered by last
/// activity, so expiry looks only at list heads and the least recently active flow is the
/// one evicted when the table is full (`flows` cap). Nothing here allocates per packet once
/// the slab has grown to its working size.
public struct FlowTable {
    public struct Limits: Sendable {
        /// Flows tracked at once (`flows` cap): a new flow beyond it evicts the least recently active.
        public var maxFlows = 65536
        /// Timeouts in seconds of packet time, as Suricata's defaults.
        public var tcpNew: Int64 = 60
        public var tcpEstablished: Int64 = 600
        public var tcpClosed: Int64 = 10
        public var otherNew: Int64 = 30
        public var otherEstablished: Int64 = 300
        public init() {}
    }

    /// One flow. `links` hold the timeout-class list pointers (slot indices, -1 = none).
    public struct Flow {
        public var key: FlowKey
        public var id: UInt64 = 0
        public var live = false
        /// Endpoint `a` of the key is the client.
        public var clientIsA = true
        public var state = FlowState.new
        public var firstSeen = Timestamp(nanoseconds: 0)
        public var lastSeen = Timestamp(nanoseconds: 0)
        /// The last packet seen, for events produced when the flow is flushed.
        public var lastOrigin = Origin(input: 0, position: .packet(0))
        public var packetsToServer: UInt32 = 0
        public var packetsToClient: UInt32 = 0
        /// TCP handshake progress: `synSeen` (client SYN), `synAckSeen` (server SYN+ACK),
        /// `handshakeDone` (client ACK after it), `midstream` (first packet was not a SYN).
        public var tcpHandshake: UInt8 = 0
        var timeoutClass: Int = 0
        var prev: Int32 = -1
        var next: Int32 = -1
    }

    static let classes = 5
    public let limits: Limits
    public private(set) var flows: [Flow] = []
    private var index = FlowIndex()
    private var free: [Int32] = []
    private var heads = [Int32](repeating: -1, count: classes)
    private var tails = [Int32](repeating: -1, count: classes)
    private var sequence: UInt64 = 0
    public var count: Int { index.count }

    public init(limits: Limits = Limits()) { self.limits = limits }

    subscript(slot: Int) -> Flow {
        get { flows[slot] }
        _modify { yield &flows[slot] }
    }

    public func lookup(_ key: FlowKey) -> Int? {
        flows.withUnsafeBufferPointer { f in index.find(key) { f[$0].key } }
    }

    /// Make a flow for `key` in a free slot. The caller evicts first when `isFull`.
    mutating func create(_ key: FlowKey, clientIsA: Bool, at time: Timestamp, origin: Origin) -> Int {
        let slot: Int32
        if let f = free.popLast() {
            slot = f
            flows[Int(slot)] = Flow(key: key)
        } else {
            slot = Int32(flows.count)
            flows.append(Flow(key: key))
        }
        sequence &+= 1
        let s = Int(slot)
        flows[s].live = true
        flows[s].id = Self.flowID(key, time: time, sequence: sequence)
        flows[s].clientIsA = clientIsA
        flows[s].firstSeen = time
        flows[s].lastSeen = time
        flows[s].lastOrigin = origin
        flows[s].timeoutClass = key.proto == 6 ? 0 : 3
        flows.withUnsafeBufferPointer { f in index.insert(key, slot: s) { f[$0].key } }
        linkTail(s)
        return s
    }

    public var isFull: Bool { index.count >= limits.maxFlows }

    /// EVE's `flow_id`: a 51-bit number (exact in JSON doubles), stable for the flow's life,
    /// derived from the key, the first packet's time and a sequence number (splitmix64).
    static func flowID(_ key: FlowKey, time: Timestamp, sequence: UInt64) -> UInt64 {
        func mix(_ z0: UInt64) -> UInt64 {
            var z = z0 &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var h = mix(key.a.hi ^ mix(key.a.lo))
        h = mix(h ^ key.b.hi ^ mix(key.b.lo))
        h = mix(h ^ UInt64(key.portA) << 32 ^ UInt64(key.portB) << 16 ^ UInt64(key.proto))
        h = mix(h ^ UInt64(key.vlan0) << 16 ^ UInt64(key.vlan1))
        h = mix(h ^ UInt64(bitPattern: time.nanoseconds) ^ sequence)
        let id = h & 0x0007_FFFF_FFFF_FFFF
        return id == 0 ? 1 : id
    }

    /// A packet touched the flow: update its time, counters, state and list position.
    mutating func touch(_ s: Int, at time: Timestamp, origin: Origin, toServer: Bool) {
        if time > flows[s].lastSeen { flows[s].lastSeen = time }
        flows[s].lastOrigin = origin
        if toServer { flows[s].packetsToServer &+= 1 } else { flows[s].packetsToClient &+= 1 }
        if flows[s].state == .new && flows[s].packetsToServer > 0 && flows[s].packetsToClient > 0 {
            flows[s].state = .established
        }
        unlink(s)
        flows[s].timeoutClass = timeoutClass(flows[s])
        linkTail(s)
    }

    public static let synSeen: UInt8 = 1, synAckSeen: UInt8 = 2, handshakeDone: UInt8 = 4, midstream: UInt8 = 8

    /// Follow the TCP three-way handshake with the flags of one packet.
    mutating func trackHandshake(_ s: Int, flags: UInt8, toServer: Bool, first: Bool) {
        let syn = flags & 0x02 != 0, ack = flags & 0x10 != 0
        var h = flows[s].tcpHandshake
        if first && !syn { h |= Self.midstream }
        if toServer && syn && !ack { h |= Self.synSeen }
        if !toServer && syn && ack { h |= Self.synAckSeen }
        if toServer && !syn && ack && h & Self.synAckSeen != 0 { h |= Self.handshakeDone }
        flows[s].tcpHandshake = h
    }

    /// Suricata's `flow:established`: for TCP, the three-way handshake completed (or the flow
    /// was picked up midstream and both sides have spoken); otherwise both sides have spoken.
    public func isEstablished(_ s: Int) -> Bool {
        let f = flows[s]
        if f.key.proto == 6 {
            if f.tcpHandshake & Self.handshakeDone != 0 { return true }
            return f.tcpHandshake & Self.midstream != 0 && f.packetsToServer > 0 && f.packetsToClient > 0
        }
        return f.packetsToServer > 0 && f.packetsToClient > 0
    }

    mutating func setState(_ s: Int, _ state: FlowState) {
        flows[s].state = state
        unlink(s)
        flows[s].timeoutClass = timeoutClass(flows[s])
        linkTail(s)
    }

    private func timeoutClass(_ f: Flow) -> Int {
        if f.key.proto == 6 {
            switch f.state {
            case .new: return 0
            case .established: return 1
            case .closed: return 2
            }
        }
        return f.state == .new ? 3 : 4
    }

    private func timeout(ofClass c: Int) -> Int64 {
        let seconds: Int64
        switch c {
        case 0: seconds = limits.tcpNew
        case 1: seconds = limits.tcpEstablished
        case 2: seconds = limits.tcpClosed
        case 3: seconds = limits.otherNew
        default: seconds = limits.otherEstablished
        }
        return seconds &* 1_000_000_000
    }

    /// A flow whose timeout has passed at `now`, if any (the caller ends it, then asks again).
    func expired(at now: Timestamp) -> Int? {
        for c in 0..<Self.classes {
            let h = heads[c]
            guard h >= 0 else { continue }
            if now.nanoseconds &- flows[Int(h)].lastSeen.nanoseconds > timeout(ofClass: c) { return Int(h) }
        }
        return nil
    }

    /// The least recently active flow (the one to evict when the table is full).
    func oldest() -> Int? {
        var best: Int32 = -1
        for c in 0..<Self.classes {
            let h = heads[c]
            guard h >= 0 else { continue }
            if best < 0 || flows[Int(h)].lastSeen < flows[Int(best)].lastSeen { best = h }
        }
        return best >= 0 ? Int(best) : nil
    }

    /// Any live flow (for flushing everything at the end of an input).
    func anyLive() -> Int? {
        for c in 0..<Self.classes where heads[c] >= 0 { return Int(heads[c]) }
        return nil
    }

    /// Forget a flow; its slot is reused.
    mutating func remove(_ s: Int) {
        guard flows[s].live else { return }
        unlink(s)
        flows.withUnsafeBufferPointer { f in index.remove(f[s].key, slot: s) { f[$0].key } }
        flows[s].live = false
        free.append(Int32(s))
    }

    private mutating func unlink(_ s: Int) {
        let c = flows[s].timeoutClass
        let p = flows[s].prev, n = flows[s].next
        if p >= 0 { flows[Int(p)].next = n } else { heads[c] = n }
        if n >= 0 { flows[Int(n)].prev = p } else { tails[c] = p }
        flows[s].prev = -1
        flows[s].next = -1
    }

    private mutating func linkTail(_ s: Int) {
        let c = flows[s].timeoutClass
        let t = tails[c]
        flows[s].prev = t
        flows[s].next = -1
        if t >= 0 { flows[Int(t)].next = Int32(s) } else { heads[c] = Int32(s) }
        tails[c] = Int32(s)
    }
}
