import PicketCore
import PicketMatch

/// The cooperation area a finding concerns.
public enum Area: String, Sendable, CaseIterable, Comparable {
    case maritime, cyber, space
    public static func < (a: Area, b: Area) -> Bool { a.rawValue < b.rawValue }
}

/// Sigma's levels, lowest first.
public enum Level: Int, Sendable, CaseIterable, Comparable {
    case informational, low, medium, high, critical

    public init?(name: String) {
        guard let l = Level.allCases.first(where: { $0.name == name }) else { return nil }
        self = l
    }

    public var name: String {
        switch self {
        case .informational: "informational"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    /// EVE severity: 1 high … 3 low.
    public var severity: Int {
        switch self {
        case .critical, .high: 1
        case .medium: 2
        case .low, .informational: 3
        }
    }

    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
}

/// Where something in a signature file is: `file:line:col`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// A problem in a signature file, reported as `file:line:col: message`.
public struct SignatureError: Error, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): \(message)" }
}

/// A set of event kinds, as `logsource.category` selects them.
public struct KindSet: Sendable, Hashable {
    public var bits: UInt32
    public init(bits: UInt32 = 0) { self.bits = bits }
    public init(_ kinds: [EventKind]) { bits = kinds.reduce(0) { $0 | 1 << UInt32($1.rawValue) } }
    public func contains(_ k: EventKind) -> Bool { bits & (1 << UInt32(k.rawValue)) != 0 }
    public static let logLines = KindSet([.syslog, .json, .text, .nmea, .ais, .gnss])
    public var kinds: [EventKind] { EventKind.allCases.filter { contains($0) } }
}

/// What a field test does with a value (Sigma modifiers).
public enum TestOperator: Sendable, Equatable {
    case equals, contains, startsWith, endsWith, regex, cidr, greater, greaterOrEqual, less, lessOrEqual, exists
}

/// One value a field is compared with, prepared for matching.
public enum TestValue: @unchecked Sendable {
    /// Bytes (after `base64`/`hex` transforms and glob analysis).
    case bytes([UInt8])
    case number(Double)
    case bool(Bool)
    /// A compiled regular expression (the `re` modifier, or a glob that needs one).
    case regex(Regex, source: String)
    case network(IPNetwork)
    /// Sigma's `null`: the field is absent or empty.
    case null
}

/// An IPv4 or IPv6 network for `cidr`.
public struct IPNetwork: Sendable, Hashable {
    public var address: IPAddress
    public var prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let a = IPNetwork.parseAddress(String(first)) else { return nil }  // "" and "/" have no parts
        address = a
        let maxPrefix = a.isV6 ? 128 : 32
        if parts.count == 2 {
            guard let p = Int(parts[1]), p >= 0, p <= maxPrefix else { return nil }
            prefix = p
        } else {
            prefix = maxPrefix
        }
    }

    public func contains(_ ip: IPAddress) -> Bool {
        // An IPv4-mapped IPv6 address (::ffff:10.1.2.3, as dual-stack servers log clients) is
        // its IPv4 address for an IPv4 network.
        if ip.isV6 && !address.isV6 && ip.hi == 0 && ip.lo >> 32 == 0xFFFF {
            return contains(IPAddress(v4: UInt32(truncatingIfNeeded: ip.lo)))
        }
        guard ip.isV6 == address.isV6 else { return false }
        if !ip.isV6 {
            let mask: UInt64 = prefix == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - prefix)) & 0xFFFF_FFFF
            return ip.lo & mask == address.lo & mask
        }
        func masked(_ hi: UInt64, _ lo: UInt64) -> (UInt64, UInt64) {
            let hm: UInt64 = prefix >= 64 ? ~0 : (prefix == 0 ? 0 : ~0 << UInt64(64 - prefix))
            let lm: UInt64 = prefix <= 64 ? 0 : (prefix == 128 ? ~0 : ~0 << UInt64(128 - prefix))
            return (hi & hm, lo & lm)
        }
        return masked(ip.hi, ip.lo) == masked(address.hi, address.lo)
    }

    /// Dotted quad or RFC 4291 text.
    public static func parseAddress(_ s: String) -> IPAddress? {
        if !s.contains(":") {
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var v: UInt32 = 0
            for p in parts {
                guard let n = UInt32(p), n <= 255, !p.isEmpty else { return nil }
                v = v << 8 | n
            }
            return IPAddress(v4: v)
        }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ t: String, last: Bool) -> [UInt16]? {
            if t.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = t.split(separator: ":", omittingEmptySubsequences: false)
            for (k, g) in parts.enumerated() {
                // The last 32 bits may be written as a dotted quad (`::ffff:10.1.2.3`).
                if last, k == parts.count - 1, g.contains("."), let v4 = parseAddress(String(g)), !v4.isV6 {
                    out += [UInt16(truncatingIfNeeded: v4.lo >> 16), UInt16(truncatingIfNeeded: v4.lo)]
                    continue
                }
                guard g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0], last: halves.count == 1) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1], last: true), head.count + tail.count < 8 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        let hi = all[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let lo = all[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return IPAddress(v6Hi: hi, lo: lo)
    }
}

/// `field|modifiers: values`. Values are alternatives (any) unless `all`.
public struct FieldTest: @unchecked Sendable {
    public var field: String
    public var op: TestOperator
    public var values: [TestValue]
    public var all: Bool
    /// Sigma compares strings case-insensitively unless `cased`; `hex` values are bytes, cased.
    public var cased: Bool
    public var location: SourceLocation
}

/// A named selection: alternatives (a list of maps), each a conjunction of field tests.
public struct Selection: Sendable {
    public var name: String
    public var alternatives: [[FieldTest]]
}

/// The parsed `condition`.
public indirect enum Condition: Sendable {
    case selection(Int)
    case and([Condition])
    case or([Condition])
    case not(Condition)
    case oneOf([Int])
    case allOf([Int])
}

/// Sigma v2 correlation (`event_count`, `value_count`) over other signatures' matches.
public struct Correlation: Sendable {
    public enum Kind: String, Sendable { case eventCount = "event_count", valueCount = "value_count" }
    public enum Comparison: Sendable { case gt, gte, eq }
    public var kind: Kind
    /// Referenced signatures by `id` or `name`, resolved to indices when the set is built.
    public var ruleRefs: [(String, SourceLocation)]
    public var rules: [Int] = []
    public var groupBy: [String]
    public var timespanNanos: Int64
    public var comparison: Comparison
    public var threshold: Int
    /// For `value_count`: the field whose distinct values are counted.
    public var valueField: String?
    /// Whether the referenced signatures also produce their own findings.
    public var generate: Bool
}

/// One loaded signature, immutable once the set is built.
public final class Signature: @unchecked Sendable {
    public enum Format: String, Sendable { case native, suricata }

    public let format: Format
    public let id: String
    public let name: String?
    public let title: String
    public let area: Area
    public let level: Level
    public let description: String?
    public let references: [String]
    public let tags: [String]
    /// `logsource.category` as written, and the event kinds it selects.
    public let category: String?
    public let kinds: KindSet
    public let selections: [Selection]
    public let condition: Condition?
    public let correlation: Correlation?
    /// For a Suricata/Snort rule: the parsed rule (matched by `SuricataEvaluator`).
    public let suricata: SuricataRule?
    public let location: SourceLocation
    /// EVE `alert.signature_id`, `rev`, `category` and `severity`.
    public let signatureID: Int
    public let rev: Int
    public let alertCategory: String
    public let severity: Int
    /// False when a correlation uses this signature and does not ask for its own findings.
    public internal(set) var generate = true

    public init(format: Format, id: String, name: String?, title: String, area: Area, level: Level,
                description: String?, references: [String], tags: [String], category: String?, kinds: KindSet,
                selections: [Selection], condition: Condition?, correlation: Correlation?, location: SourceLocation,
                signatureID: Int, rev: Int, alertCategory: String, severity: Int, suricata: SuricataRule? = nil) {
        self.suricata = suricata
        self.format = format
        self.id = id
        self.name = name
        self.title = title
        self.area = area
        self.level = level
        self.description = description
        self.references = references
        self.tags = tags
        self.category = category
        self.kinds = kinds
        self.selections = selections
        self.condition = condition
        self.correlation = correlation
        self.location = location
        self.signatureID = signatureID
        self.rev = rev
        self.alertCategory = alertCategory
        self.severity = severity
    }

    /// A stable EVE signature id for a native signature: 32-bit FNV-1a of its `id`, placed in
    /// 2_000_000_000…2_147_483_647 so it does not collide with common Suricata sid ranges.
    public static func stableSID(_ id: String) -> Int {
        var h: UInt32 = 0x811C_9DC5
        for b in id.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return 2_000_000_000 + Int(h % 147_483_647)
    }
}
