/// Counts for one kind of record. Every record read is counted exactly once in one of
/// `decoded`, `malformed` or `skipped`, so `total == decoded + malformed + skipped` always holds.
public struct RecordCounts: Sendable, Equatable {
    public private(set) var total = 0
    public private(set) var decoded = 0
    public private(set) var malformed = 0
    public private(set) var skipped = 0

    public init() {}

    public mutating func countDecoded() { total += 1; decoded += 1 }
    public mutating func countMalformed() { total += 1; malformed += 1 }
    public mutating func countSkipped() { total += 1; skipped += 1 }

    public mutating func add(_ o: RecordCounts) {
        total += o.total; decoded += o.decoded; malformed += o.malformed; skipped += o.skipped
    }
}

/// A named limit on input-driven work. Hitting one is counted in `caps_hit`, never a crash.
public enum Cap: String, Sendable, CaseIterable {
    /// Longest log line kept; longer lines are counted as skipped (`--max-line-bytes`).
    case lineLength = "line_length"
    /// Largest capture record or pcapng block accepted.
    case recordLength = "record_length"
    /// 802.1Q/802.1ad tags decoded in one frame.
    case vlanLayers = "vlan_layers"
    /// IPv6 extension headers walked in one packet.
    case ipv6ExtHeaders = "ipv6_ext_headers"
    /// Nesting depth of a JSON line.
    case jsonDepth = "json_depth"
    /// Interfaces described in one pcapng section.
    case pcapngInterfaces = "pcapng_interfaces"
    /// Streams the signature matcher keeps Hyperscan state for; the oldest is dropped.
    case matchStreams = "match_streams"
    /// Bytes of TCP data held for Suricata stream inspection across all streams; over it,
    /// pending data is inspected early.
    case suricataStreamBudget = "suricata_stream_budget"
    /// Groups a correlation rule counts at once; the least recently seen is dropped.
    case correlationGroups = "correlation_groups"
    /// Regular-expression matches abandoned at PCRE2's match limit (counted as no match).
    case pcreMatchLimit = "pcre_match_limit"
    /// gzip/zlib layers unwrapped around one input.
    case compressionLayers = "compression_layers"
    // NMEA 0183, AIS and GNSS (PicketNMEA).
    /// Fields in one NMEA sentence; a sentence with more is malformed.
    case nmeaFields = "nmea_fields"
    /// AIS multi-fragment messages waiting for their other fragments; the oldest is dropped.
    case aisFragmentGroups = "ais_fragment_groups"
    /// Payload characters in one AIS message (512); a longer message is malformed.
    case aisFragments = "ais_fragments"
    /// Incomplete AIS messages dropped because their next fragment did not come in time.
    case aisFragmentTimeout = "ais_fragment_timeout"
    /// Vessels tracked at once; the least recently seen are evicted.
    case aisTracks = "ais_tracks"
    /// GNSS receivers tracked at once; the least recently seen are evicted.
    case gnssReceivers = "gnss_receivers"
    /// Satellite signals kept per receiver; further ones are not tracked.
    case gnssSatellites = "gnss_satellites"
    /// Bytes of IP fragments held while waiting for the rest of their datagram.
    case defragMemcap = "defrag_memcap"
    /// Fragments kept for one datagram, or datagrams pending at once.
    case defragFragments = "defrag_fragments"
    /// Flows tracked at once; the oldest is evicted to make room.
    case flows = "flows"
    /// Out-of-order TCP bytes held across all streams (or for one stream).
    case streamMemcap = "stream_memcap"
    /// Bytes reassembled per TCP stream direction (`--stream-depth`); later data is not inspected.
    case streamDepth = "stream_depth"
    /// DNS name compression pointers followed for one name.
    case dnsPointerHops = "dns_pointer_hops"
    /// DNS questions and answers decoded per message.
    case dnsRecords = "dns_records"
    /// Bytes of unfinished app-layer messages (HTTP headers, TLS handshakes, DNS over TCP)
    /// held across all flows; the direction that would go past it stops being decoded.
    case appMemcap = "app_memcap"
    /// Bytes of one HTTP request header block buffered across segments.
    case httpHeaders = "http_headers"
    /// Bytes of one TLS handshake message buffered across records and segments.
    case tlsHandshake = "tls_handshake"
    /// Length of one NMEA sentence found inside packets.
    case nmeaLine = "nmea_line"
}

/// Input that was cut or corrupt: where and why. Reported on stderr and in `damaged_inputs`.
public struct Damage: Sendable, Equatable, CustomStringConvertible {
    public var input: String
    /// Byte offset in the input as stored (for compressed input, the compressed offset).
    public var offset: Int64
    public var reason: String

    public init(input: String, offset: Int64, reason: String) {
        self.input = input
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(input): offset \(offset): \(reason)" }
}

/// What a scan saw, for `--stats` and `--stats-json` (DESIGN.md section 5).
public struct ScanStats: Sendable {
    public var inputs = 0
    public var bytesIn: Int64 = 0
    public var seconds: Double = 0
    public var packets = RecordCounts()
    public var lines = RecordCounts()
    public var findings = 0
    public var findingsByArea: [String: Int] = ["maritime": 0, "cyber": 0, "space": 0]
    public var damaged: [Damage] = []
    public var capsHit: [Cap: Int] = [:]
    /// Inputs that could not be opened or read at all.
    public var unreadable = 0

    public init() {}

    public mutating func hit(_ cap: Cap) { capsHit[cap, default: 0] += 1 }

    /// The `--stats-json` object.
    public func writeJSON(to out: inout JSONOut) {
        out.beginObject()
        out.key("inputs"); out.int(inputs)
        out.key("bytes_in"); out.int(bytesIn)
        out.key("seconds"); out.double((seconds * 1e6).rounded() / 1e6)
        for (name, c) in [("packets", packets), ("lines", lines)] {
            out.key(name)
            out.beginObject()
            out.key("total"); out.int(c.total)
            out.key("decoded"); out.int(c.decoded)
            out.key("malformed"); out.int(c.malformed)
            out.key("skipped"); out.int(c.skipped)
            out.endObject()
        }
        out.key("findings")
        out.beginObject()
        out.key("total"); out.int(findings)
        for area in ["maritime", "cyber", "space"] { out.key(area); out.int(findingsByArea[area] ?? 0) }
        out.endObject()
        out.key("damaged_inputs")
        out.beginArray()
        for d in damaged {
            out.beginObject()
            out.key("input"); out.string(d.input)
            out.key("offset"); out.int(d.offset)
            out.key("reason"); out.string(d.reason)
            out.endObject()
        }
        out.endArray()
        out.key("caps_hit")
        out.beginObject()
        for cap in Cap.allCases { out.key(cap.rawValue); out.int(capsHit[cap] ?? 0) }
        out.endObject()
        out.endObject()
    }
}
