import PicketCore
import PicketMatch

/// One Suricata/Snort rule in the supported subset (DESIGN.md section 3), parsed.
public struct SuricataRule: @unchecked Sendable {
    public enum Proto: String, Sendable {
        case ip, tcp, udp, icmp, tcpPkt = "tcp-pkt", tcpStream = "tcp-stream", http, dns, tls
    }

    /// Where a content or pcre looks.
    public enum Buffer: String, Sendable, CaseIterable {
        case payload
        case httpURI = "http.uri"
        case httpHost = "http.host"
        case httpMethod = "http.method"
        case httpUserAgent = "http.user_agent"
        case dnsQuery = "dns.query"
        case tlsSNI = "tls.sni"

        /// The event field that holds this buffer (`payload` is the event's payload).
        public var field: String {
            switch self {
            case .payload: "payload"
            case .httpURI: "http.url"
            case .httpHost: "http.hostname"
            case .httpMethod: "http.http_method"
            case .httpUserAgent: "http.http_user_agent"
            case .dnsQuery: "dns.query"
            case .tlsSNI: "tls.sni"
            }
        }

        /// The event kind that carries the buffer.
        public var kind: EventKind? {
            switch self {
            case .payload: nil
            case .httpURI, .httpHost, .httpMethod, .httpUserAgent: .http
            case .dnsQuery: .dns
            case .tlsSNI: .tls
            }
        }
    }

    public struct Content: Sendable {
        public var bytes: [UInt8]
        public var negated = false
        public var nocase = false
        public var offset: Int?
        public var depth: Int?
        public var distance: Int?
        public var within: Int?
        public var startsWith = false
        public var endsWith = false
        public var fastPattern = false
        public var buffer: Buffer = .payload
        public var isRelative: Bool { distance != nil || within != nil }
    }

    public struct Pcre: @unchecked Sendable {
        public var regex: Regex
        public var source: String
        public var negated = false
        public var relative = false
        public var buffer: Buffer = .payload
    }

    public enum Match: @unchecked Sendable {
        case content(Content)
        case pcre(Pcre)

        public var buffer: Buffer {
            switch self {
            case .content(let c): c.buffer
            case .pcre(let p): p.buffer
            }
        }
    }

    /// An address list: entries with negation, any.
    public struct Addresses: Sendable {
        public var any = true
        public var include: [IPNetwork] = []
        public var exclude: [IPNetwork] = []

        public func matches(_ ip: IPAddress) -> Bool {
            if exclude.contains(where: { $0.contains(ip) }) { return false }
            return any || include.contains { $0.contains(ip) }
        }
    }

    public struct Ports: Sendable {
        public var any = true
        public var include: [ClosedRange<Int>] = []
        public var exclude: [ClosedRange<Int>] = []

        public func matches(_ p: Int) -> Bool {
            if exclude.contains(where: { $0.contains(p) }) { return false }
            return any || include.contains { $0.contains(p) }
        }
    }

    public enum Track: String, Sendable { case bySrc = "by_src", byDst = "by_dst", byRule = "by_rule", byBoth = "by_both", byFlow = "by_flow" }

    public struct Threshold: Sendable {
        public enum Kind: String, Sendable { case limit, threshold, both, detectionFilter = "detection_filter" }
        public var kind: Kind
        public var track: Track
        public var count: Int
        public var seconds: Int
    }

    public struct Flow: Sendable {
        public var established: Bool?
        public var toServer: Bool?
        public var stateless = false
        public var onlyStream = false
        public var noStream = false
    }

    public enum Comparison: Sendable {
        case eq(Int), lt(Int), gt(Int), range(Int, Int), ne(Int), lte(Int), gte(Int)
        func holds(_ v: Int) -> Bool {
            switch self {
            case .eq(let n): v == n
            case .ne(let n): v != n
            case .lt(let n): v < n
            case .gt(let n): v > n
            case .lte(let n): v <= n
            case .gte(let n): v >= n
            case .range(let a, let b): v > a && v < b
            }
        }
    }

    public var action: String
    public var proto: Proto
    public var source: Addresses
    public var sourcePorts: Ports
    public var bidirectional: Bool
    public var destination: Addresses
    public var destinationPorts: Ports
    public var sid: Int
    public var rev: Int
    public var msg: String
    public var classtype: String?
    public var priority: Int?
    public var metadata: [(String, String)]
    public var references: [String]
    public var matches: [Match]
    public var flow: Flow?
    public var dsize: Comparison?
    /// TCP flags that must be set (exactly, unless `flagsPlus`), with the mask of flags ignored.
    public var flags: (required: UInt8, any: Bool, plus: Bool, ignore: UInt8)?
    public var itype: Comparison?
    public var icode: Comparison?
    public var thresholds: [Threshold]
    public var location: SourceLocation
}

extension SuricataRule {
    /// Payload contents and pcres (no sticky buffer).
    public var payloadMatches: [Match] { matches.filter { $0.buffer == .payload } }

    /// The app-layer event kind its buffers need (http, dns, tls), if any.
    public var appKind: EventKind? { matches.lazy.compactMap(\.buffer.kind).first }

    /// Inspected on reassembled TCP streams (rather than on packets): `tcp`, `tcp-stream` and
    /// `ip` rules with payload keywords, as Suricata inspects the raw stream for them.
    public var inspectsStream: Bool {
        guard appKind == nil, !payloadMatches.isEmpty else { return proto == .tcpStream }
        if flow?.noStream == true { return false }
        return proto == .tcp || proto == .tcpStream || proto == .ip
    }

    /// The event kinds the rule sees.
    public var kinds: KindSet {
        if let k = appKind { return KindSet([k]) }
        switch proto {
        case .http: return KindSet([.http])
        case .dns: return KindSet([.dns])
        case .tls: return KindSet([.tls])
        case .tcpStream: return KindSet()
        default: return KindSet([.packet])
        }
    }

    /// The content the prefilter looks for: `fast_pattern`, else the longest positive one.
    public var fastPattern: Content? {
        let positive = matches.compactMap { m -> Content? in
            if case .content(let c) = m, !c.negated { return c }
            return nil
        }
        return positive.first(where: \.fastPattern) ?? positive.max { $0.bytes.count < $1.bytes.count }
    }

    /// Area from `metadata: area maritime`, else cyber.
    public var area: Area {
        for (k, v) in metadata where k == "area" { if let a = Area(rawValue: v.lowercased()) { return a } }
        return .cyber
    }

    /// EVE severity: the rule's priority, else the classtype's, else 3.
    public func severity(_ table: [String: (String, Int)]) -> Int {
        priority ?? classtype.flatMap { table[$0]?.1 } ?? 3
    }
}
