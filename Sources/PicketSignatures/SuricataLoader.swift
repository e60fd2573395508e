import Foundation
import PicketCore
import PicketMatch

/// Reads Suricata/Snort `*.rules` files: the header (action, protocol, addresses with CIDR,
/// lists, negation and `$VARIABLES`, ports, direction) and the option subset of DESIGN.md
/// section 3. A rule with a keyword outside the subset is skipped with a warning naming the file,
/// line, keyword and sid (never half-applied); a rule that cannot be read is an error.
public struct SuricataLoader {
    /// Suricata's default address and port groups (suricata.yaml), overridable with `--var`.
    public static let defaultVariables: [String: String] = [
        "HOME_NET": "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]",
        "EXTERNAL_NET": "!$HOME_NET",
        "HTTP_SERVERS": "$HOME_NET", "SMTP_SERVERS": "$HOME_NET", "SQL_SERVERS": "$HOME_NET",
        "DNS_SERVERS": "$HOME_NET", "TELNET_SERVERS": "$HOME_NET", "AIM_SERVERS": "$EXTERNAL_NET",
        "DC_SERVERS": "$HOME_NET", "DNP3_SERVER": "$HOME_NET", "DNP3_CLIENT": "$HOME_NET",
        "MODBUS_CLIENT": "$HOME_NET", "MODBUS_SERVER": "$HOME_NET", "ENIP_CLIENT": "$HOME_NET", "ENIP_SERVER": "$HOME_NET",
        "HTTP_PORTS": "80", "SHELLCODE_PORTS": "!80", "ORACLE_PORTS": "1521", "SSH_PORTS": "22",
        "DNP3_PORTS": "20000", "MODBUS_PORTS": "502", "FILE_DATA_PORTS": "[$HTTP_PORTS,110,143]", "FTP_PORTS": "21",
        "GENEVE_PORTS": "6081", "VXLAN_PORTS": "4789", "TEREDO_PORTS": "3544",
    ]

    public struct Warning: Sendable, CustomStringConvertible {
        public var location: SourceLocation
        public var keyword: String
        public var sid: Int?
        public var description: String {
            "\(location.file):\(location.line): unsupported keyword '\(keyword)'" + (sid.map { " in sid \($0)" } ?? "") + "; rule skipped"
        }
    }

    public struct Result {
        public var rules: [SuricataRule] = []
        public var errors: [SignatureError] = []
        public var warnings: [Warning] = []
        /// Unsupported keyword → rules that used it.
        public var unsupported: [String: Int] = [:]
    }

    let file: String
    let variables: [String: String]
    let classifications: [String: (String, Int)]
    /// Rule sets repeat the same address and port groups: each distinct text is parsed once.
    final class Cache {
        var addresses: [String: SuricataRule.Addresses] = [:]
        var ports: [String: SuricataRule.Ports] = [:]
    }
    let cache = Cache()

    public init(file: String, variables: [String: String] = [:], classifications: [String: (String, Int)] = Classification.table) {
        self.file = file
        self.variables = Self.defaultVariables.merging(variables) { _, new in new }
        self.classifications = classifications
    }

    /// Parse a whole file's text.
    public func load(_ text: String) -> Result {
        var result = Result()
        var pending = ""
        var pendingLine = 0
        var lineNumber = 0
        // "\r\n" is a single Character in Swift: split on every kind of line end.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if pending.isEmpty {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                pendingLine = lineNumber
            }
            if line.hasSuffix("\\") {
                pending += String(line.dropLast())
                continue
            }
            pending += line
            parseRule(pending, line: pendingLine, into: &result)
            pending = ""
        }
        if !pending.isEmpty {
            result.errors.append(SignatureError(SourceLocation(file: file, line: pendingLine, column: 1), "rule continues past the end of the file"))
        }
        return result
    }

    struct ParseError: Error { var column: Int; var message: String }
    struct Unsupported: Error { var keyword: String }

    func parseRule(_ text: String, line: Int, into result: inout Result) {
        let chars = Array(text)
        do {
            guard let open = chars.firstIndex(of: "("), chars.last(where: { !$0.isWhitespace }) == ")" else {
                throw ParseError(column: 1, message: "a rule is 'action proto src sport -> dst dport (options)'")
            }
            let header = String(chars[..<open]).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard header.count == 7 else {
                throw ParseError(column: 1, message: "the header needs 7 parts (action proto src sport direction dst dport), found \(header.count)")
            }
            let action = header[0]
            guard ["alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth", "pass"].contains(action) else {
                throw ParseError(column: 1, message: "unknown action '\(action)'")
            }
            guard let proto = SuricataRule.Proto(rawValue: header[1]) else {
                throw Unsupported(keyword: "protocol \(header[1])")
            }
            guard header[4] == "->" || header[4] == "<>" else {
                throw ParseError(column: 1, message: "direction must be -> or <>, not '\(header[4])'")
            }
            let src = try cachedAddresses(header[2]), dst = try cachedAddresses(header[5])
            let sport = try cachedPorts(header[3]), dport = try cachedPorts(header[6])
            let close = chars.lastIndex(of: ")")!
            let body = String(chars[(open + 1)..<close])
            var rule = SuricataRule(action: action, proto: proto, source: src, sourcePorts: sport, bidirectional: header[4] == "<>",
                                    destination: dst, destinationPorts: dport, sid: 0, rev: 1, msg: "", classtype: nil, priority: nil,
                                    metadata: [], references: [], matches: [], flow: nil, dsize: nil, flags: nil, itype: nil, icode: nil,
                                    thresholds: [], location: SourceLocation(file: file, line: line, column: 1))
            var sticky: SuricataRule.Buffer?
            var sawSid = false
            let options = try splitOptions(body, baseColumn: open + 2)
            var unsupported: String?
            for (key, value, column) in options {
                if unsupported != nil { if key == "sid", let v = value, let n = Int(v) { rule.sid = n }; continue }
                do {
                    try apply(key, value, to: &rule, sticky: &sticky, sawSid: &sawSid)
                } catch let e as Unsupported {
                    unsupported = e.keyword
                } catch let e as ParseError {
                    throw ParseError(column: column + e.column, message: e.message)
                }
            }
            if action == "pass" && unsupported == nil { unsupported = "pass (action)" }
            if let keyword = unsupported {
                result.warnings.append(Warning(location: rule.location, keyword: keyword, sid: rule.sid == 0 ? nil : rule.sid))
                result.unsupported[keyword, default: 0] += 1
                return
            }
            guard sawSid else { throw ParseError(column: 1, message: "rule has no sid") }
            result.rules.append(rule)
        } catch let e as ParseError {
            result.errors.append(SignatureError(SourceLocation(file: file, line: line, column: max(1, e.column)), e.message))
        } catch let e as Unsupported {
            let sid = text.range(of: #"sid\s*:\s*(\d+)"#, options: .regularExpression).flatMap { Int(text[$0].filter(\.isNumber)) }
            result.warnings.append(Warning(location: SourceLocation(file: file, line: line, column: 1), keyword: e.keyword, sid: sid))
            result.unsupported[e.keyword, default: 0] += 1
        } catch {
            result.errors.append(SignatureError(SourceLocation(file: file, line: line, column: 1), "\(error)"))
        }
    }

    /// Split `key:value;` options, honouring quotes and backslash escapes.
    func splitOptions(_ body: String, baseColumn: Int) throws -> [(String, String?, Int)] {
        var out: [(String, String?, Int)] = []
        var current = ""
        var start = 0
        var inQuotes = false
        var escaped = false
        for (i, c) in body.enumerated() {
            if escaped { current.append("\\"); current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "\"" { inQuotes.toggle(); current.append(c); continue }
            if c == ";" && !inQuotes {
                try finish(current, column: baseColumn + start)
                current = ""
                start = i + 1
                continue
            }
            current.append(c)
        }
        if inQuotes { throw ParseError(column: baseColumn + start, message: "unterminated quoted string") }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { throw ParseError(column: baseColumn + start, message: "option without a closing ';'") }
        return out

        func finish(_ option: String, column: Int) throws {
            let trimmed = option.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return }
            if let colon = trimmed.firstIndex(of: ":") {
                let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
                let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                out.append((key, value, column))
            } else {
                out.append((trimmed, nil, column))
            }
        }
    }

    static func unquote(_ v: String) -> String {
        var s = v
        if s.hasPrefix("\"") && s.hasSuffix("\"") && s.count >= 2 { s = String(s.dropFirst().dropLast()) }
        return s
    }

    /// Content bytes: text with `|hex|` runs and backslash escapes.
    static func contentBytes(_ raw: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var inHex = false
        var hex = ""
        var escaped = false
        for c in raw.utf8 {
            if inHex {
                if c == UInt8(ascii: "|") {
                    let digits = hex.filter { !$0.isWhitespace }
                    guard digits.count % 2 == 0, digits.allSatisfy(\.isHexDigit) else { throw ParseError(column: 0, message: "bad hex in content: |\(hex)|") }
                    var i = digits.startIndex
                    while i < digits.endIndex {
                        let j = digits.index(i, offsetBy: 2)
                        out.append(UInt8(digits[i..<j], radix: 16)!)
                        i = j
                    }
                    hex = ""
                    inHex = false
                } else {
                    hex.append(Character(UnicodeScalar(c)))
                }
                continue
            }
            if escaped { out.append(c); escaped = false; continue }
            if c == UInt8(ascii: "\\") { escaped = true; continue }
            if c == UInt8(ascii: "|") { inHex = true; continue }
            out.append(c)
        }
        if inHex { throw ParseError(column: 0, message: "unterminated |hex| in content") }
        return out
    }

    static func int(_ v: String?, _ key: String) throws -> Int {
        guard let v, let n = Int(v.trimmingCharacters(in: .whitespaces)) else {
            throw ParseError(column: 0, message: "'\(key)' needs a number")
        }
        return n
    }

    /// Content positions are bounded as Suricata bounds them (1 MiB), so the matcher's
    /// arithmetic on them cannot overflow.
    static let contentValueMax = 1 << 20

    static func int(_ v: String?, _ key: String, in range: ClosedRange<Int>) throws -> Int {
        let n = try int(v, key)
        guard range.contains(n) else {
            throw ParseError(column: 0, message: "'\(key)' must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }

    static let stickyBuffers: [String: SuricataRule.Buffer] = [
        "http.uri": .httpURI, "http.host": .httpHost, "http.method": .httpMethod, "http.user_agent": .httpUserAgent,
        "http.connection": .httpConnection, "dns.query": .dnsQuery, "tls.sni": .tlsSNI,
    ]
    static let legacyModifiers: [String: SuricataRule.Buffer] = [
        "http_uri": .httpURI, "http_host": .httpHost, "http_method": .httpMethod, "http_user_agent": .httpUserAgent,
        "http_connection": .httpConnection,
        "dns_query": .dnsQuery, "tls_sni": .tlsSNI,
    ]
    static let ignored: Set<String> = ["gid", "target", "rawbytes", "noalert_never"]

    func apply(_ key: String, _ value: String?, to r: inout SuricataRule, sticky: inout SuricataRule.Buffer?, sawSid: inout Bool) throws {
        func lastContent(_ body: (inout SuricataRule.Content) throws -> Void) throws {
            guard let i = r.matches.lastIndex(where: { if case .content = $0 { true } else { false } }),
                  case .content(var c) = r.matches[i] else { throw ParseError(column: 0, message: "'\(key)' needs a content before it") }
            try body(&c)
            r.matches[i] = .content(c)
        }
        switch key {
        case "msg": r.msg = Self.unquote(value ?? "").replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\;", with: ";").replacingOccurrences(of: "\\\\", with: "\\")
        case "sid": r.sid = try Self.int(value, key); sawSid = true
        case "rev": r.rev = try Self.int(value, key)
        case "classtype":
            let c = (value ?? "").trimmingCharacters(in: .whitespaces)
            guard classifications[c] != nil else { throw ParseError(column: 0, message: "unknown classtype '\(c)'") }
            r.classtype = c
        case "priority": r.priority = try Self.int(value, key)
        case "reference": r.references.append(value ?? "")
        case "metadata":
            for item in (value ?? "").split(separator: ",") {
                let parts = item.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2 { r.metadata.append((parts[0], parts[1].trimmingCharacters(in: .whitespaces))) }
            }
        case "content", "uricontent":
            guard var v = value else { throw ParseError(column: 0, message: "content needs a value") }
            var negated = false
            if v.hasPrefix("!") { negated = true; v = String(v.dropFirst()).trimmingCharacters(in: .whitespaces) }
            guard v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 else { throw ParseError(column: 0, message: "content must be quoted") }
            let bytes = try Self.contentBytes(Self.unquote(v))
            guard !bytes.isEmpty else { throw ParseError(column: 0, message: "empty content") }
            var c = SuricataRule.Content(bytes: bytes)
            c.negated = negated
            c.buffer = key == "uricontent" ? .httpURI : (sticky ?? .payload)
            r.matches.append(.content(c))
        case "nocase": try lastContent { $0.nocase = true }
        case "offset": let n = try Self.int(value, key, in: 0...Self.contentValueMax); try lastContent { $0.offset = n }
        case "depth": let n = try Self.int(value, key, in: 0...Self.contentValueMax); try lastContent { $0.depth = n }
        case "distance": let n = try Self.int(value, key, in: -Self.contentValueMax...Self.contentValueMax); try lastContent { $0.distance = n }
        case "within": let n = try Self.int(value, key, in: -Self.contentValueMax...Self.contentValueMax); try lastContent { $0.within = n }
        case "startswith": try lastContent { $0.startsWith = true }
        case "endswith": try lastContent { $0.endsWith = true }
        case "fast_pattern": try lastContent { $0.fastPattern = true }
        case "pcre":
            guard var v = value else { throw ParseError(column: 0, message: "pcre needs a value") }
            var negated = false
            if v.hasPrefix("!") { negated = true; v = String(v.dropFirst()).trimmingCharacters(in: .whitespaces) }
            let s = Self.unquote(v).replacingOccurrences(of: "\\;", with: ";").replacingOccurrences(of: "\\\"", with: "\"")
            guard s.hasPrefix("/"), let end = s.lastIndex(of: "/"), end != s.startIndex else {
                throw ParseError(column: 0, message: "pcre must be \"/pattern/flags\"")
            }
            let pattern = String(s[s.index(after: s.startIndex)..<end])
            var options: Regex.Options = []
            var relative = false
            var buffer = sticky ?? .payload
            for f in s[s.index(after: end)...] {
                switch f {
                case "i": options.insert(.caseless)
                case "s": options.insert(.dotAll)
                case "m": options.insert(.multiline)
                case "x": options.insert(.extended)
                case "A": options.insert(.anchored)
                case "E": options.insert(.dollarEndOnly)
                case "G": options.insert(.ungreedy)
                case "R": relative = true
                case "U": buffer = .httpURI
                case "O": break
                default: throw Unsupported(keyword: "pcre flag \(f)")
                }
            }
            do {
                let regex = try Regex(pattern, options: options)
                r.matches.append(.pcre(SuricataRule.Pcre(regex: regex, source: pattern, negated: negated, relative: relative, buffer: buffer)))
            } catch {
                throw ParseError(column: 0, message: "pcre: \(error.message)")
            }
        case "flow":
            var f = SuricataRule.Flow()
            for item in (value ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                switch item {
                case "established": f.established = true
                case "not_established": f.established = false
                case "to_server", "from_client": f.toServer = true
                case "to_client", "from_server": f.toServer = false
                case "stateless": f.stateless = true
                case "only_stream": f.onlyStream = true
                case "no_stream": f.noStream = true
                default: throw Unsupported(keyword: "flow:\(item)")
                }
            }
            r.flow = f
        case "dsize": r.dsize = try Self.comparison(value ?? "", key)
        case "itype": r.itype = try Self.comparison(value ?? "", key)
        case "icode": r.icode = try Self.comparison(value ?? "", key)
        case "flags", "tcp.flags":
            r.flags = try Self.flags(value ?? "")
        case "threshold", "detection_filter":
            var kind: SuricataRule.Threshold.Kind = key == "threshold" ? .limit : .detectionFilter
            var track = SuricataRule.Track.bySrc
            var count = -1, seconds = -1
            for item in (value ?? "").split(separator: ",") {
                let parts = item.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { throw ParseError(column: 0, message: "\(key): '\(item)' is not 'name value'") }
                switch parts[0] {
                case "type":
                    guard key == "threshold", let k = SuricataRule.Threshold.Kind(rawValue: parts[1]), k != .detectionFilter else {
                        throw ParseError(column: 0, message: "\(key): unknown type '\(parts[1])'")
                    }
                    kind = k
                case "track":
                    guard let t = SuricataRule.Track(rawValue: parts[1]) else { throw ParseError(column: 0, message: "\(key): unknown track '\(parts[1])'") }
                    track = t
                case "count": count = try Self.int(parts[1], "count")
                case "seconds": seconds = try Self.int(parts[1], "seconds")
                default: throw ParseError(column: 0, message: "\(key): unknown setting '\(parts[0])'")
                }
            }
            guard count >= 0, seconds >= 0 else { throw ParseError(column: 0, message: "\(key) needs count and seconds") }
            r.thresholds.append(SuricataRule.Threshold(kind: kind, track: track, count: count, seconds: seconds))
        default:
            if let b = Self.stickyBuffers[key] ?? (key == "http_uri_sticky" ? .httpURI : nil), value == nil {
                sticky = b
            } else if let b = Self.legacyModifiers[key], value == nil {
                // dns_query and tls_sni are sticky buffers in Suricata (the http_* ones modify
                // the content before them).
                if key == "dns_query" || key == "tls_sni" {
                    sticky = b
                    return
                }
                try lastContent { $0.buffer = b }
            } else if Self.ignored.contains(key) {
                return
            } else {
                throw Unsupported(keyword: key)
            }
        }
    }

    static func comparison(_ v: String, _ key: String) throws -> SuricataRule.Comparison {
        let s = v.trimmingCharacters(in: .whitespaces)
        if let r = s.range(of: "<>") {
            return .range(try int(String(s[..<r.lowerBound]), key), try int(String(s[r.upperBound...]), key))
        }
        let prefixes: [(String, (Int) -> SuricataRule.Comparison)] = [
            ("<=", { .lte($0) }), (">=", { .gte($0) }), ("!", { .ne($0) }), ("<", { .lt($0) }), (">", { .gt($0) }),
        ]
        for (prefix, make) in prefixes where s.hasPrefix(prefix) {
            return make(try int(String(s.dropFirst(prefix.count)), key))
        }
        return .eq(try int(s, key))
    }

    /// `flags:S`, `flags:SA,12` (ignore CWR/ECE), `flags:+S` (at least), `flags:*SA` (any of).
    static func flags(_ v: String) throws -> (required: UInt8, any: Bool, plus: Bool, ignore: UInt8) {
        let parts = v.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        func bits(_ s: Substring) throws -> UInt8 {
            var b: UInt8 = 0
            for c in s {
                switch c {
                case "F": b |= 0x01
                case "S": b |= 0x02
                case "R": b |= 0x04
                case "P": b |= 0x08
                case "A": b |= 0x10
                case "U": b |= 0x20
                case "E", "2": b |= 0x40
                case "C", "1": b |= 0x80
                case "0": break
                default: throw ParseError(column: 0, message: "unknown TCP flag '\(c)'")
                }
            }
            return b
        }
        var s = Substring(parts.first ?? "")
        var any = false, plus = false
        if s.hasPrefix("+") { plus = true; s = s.dropFirst() } else if s.hasPrefix("*") { any = true; s = s.dropFirst() }
        if s.hasSuffix("+") { plus = true; s = s.dropLast() }
        return (try bits(s), any, plus, parts.count > 1 ? try bits(Substring(parts[1])) : 0)
    }

    // MARK: - Addresses and ports

    func cachedAddresses(_ raw: String) throws -> SuricataRule.Addresses {
        if let a = cache.addresses[raw] { return a }
        let a = try addresses(raw)
        cache.addresses[raw] = a
        return a
    }

    func cachedPorts(_ raw: String) throws -> SuricataRule.Ports {
        if let p = cache.ports[raw] { return p }
        let p = try ports(raw)
        cache.ports[raw] = p
        return p
    }

    func expand(_ spec: String, depth: Int = 0) throws -> String {
        guard depth < 16 else { throw ParseError(column: 0, message: "variables nest too deep in '\(spec)'") }
        guard spec.contains("$") else { return spec }
        var s = spec
        while let r = s.range(of: #"\$[A-Za-z_][A-Za-z0-9_]*"#, options: .regularExpression) {
            let name = String(s[r].dropFirst())
            guard let v = variables[name] else { throw ParseError(column: 0, message: "undefined variable $\(name) (set it with --var \(name)=...)") }
            s.replaceSubrange(r, with: try expand(v, depth: depth + 1))
        }
        return s
    }

    /// Split a list `[a,[b,c],!d]` into top-level items.
    static func items(_ s: String) -> [String] {
        var t = s.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("[") && t.hasSuffix("]") { t = String(t.dropFirst().dropLast()) }
        var out: [String] = [], cur = "", depth = 0
        for c in t {
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
            if c == "," && depth == 0 { out.append(cur.trimmingCharacters(in: .whitespaces)); cur = ""; continue }
            cur.append(c)
        }
        if !cur.trimmingCharacters(in: .whitespaces).isEmpty { out.append(cur.trimmingCharacters(in: .whitespaces)) }
        return out
    }

    /// Lists nest at most this deep (`[[...]]`); an unclosed `[` is an error, not a loop.
    static let maxListDepth = 16

    static func checkList(_ it: String, depth: Int) throws {
        guard depth < maxListDepth else { throw ParseError(column: 0, message: "lists nest deeper than \(maxListDepth) in '\(it.prefix(40))'") }
        guard it.hasSuffix("]") else { throw ParseError(column: 0, message: "unclosed '[' in '\(it.prefix(40))'") }
    }

    func addresses(_ raw: String) throws -> SuricataRule.Addresses {
        var out = SuricataRule.Addresses()
        out.any = false
        func add(_ item: String, negated: Bool, depth: Int = 0) throws {
            var it = item
            var neg = negated
            while it.hasPrefix("!") { neg.toggle(); it = String(it.dropFirst()) }
            if it.hasPrefix("[") {
                try Self.checkList(it, depth: depth)
                for sub in Self.items(it) { try add(sub, negated: neg, depth: depth + 1) }
                return
            }
            if it == "any" {
                if neg { throw ParseError(column: 0, message: "!any matches nothing") }
                out.any = true
                return
            }
            guard let net = IPNetwork(it) else { throw ParseError(column: 0, message: "'\(it)' is not an address or network") }
            if neg { out.exclude.append(net) } else { out.include.append(net) }
        }
        let expanded = try expand(raw)
        for item in Self.items(expanded) { try add(item, negated: false) }
        if out.include.isEmpty && !out.exclude.isEmpty { out.any = true }
        return out
    }

    func ports(_ raw: String) throws -> SuricataRule.Ports {
        var out = SuricataRule.Ports()
        out.any = false
        func add(_ item: String, negated: Bool, depth: Int = 0) throws {
            var it = item
            var neg = negated
            while it.hasPrefix("!") { neg.toggle(); it = String(it.dropFirst()) }
            if it.hasPrefix("[") {
                try Self.checkList(it, depth: depth)
                for sub in Self.items(it) { try add(sub, negated: neg, depth: depth + 1) }
                return
            }
            if it == "any" { out.any = true; return }
            let range: ClosedRange<Int>
            if let colon = it.firstIndex(of: ":") {
                let lo = it[..<colon].isEmpty ? 0 : Int(it[..<colon])
                let hi = it[it.index(after: colon)...].isEmpty ? 65535 : Int(it[it.index(after: colon)...])
                guard let lo, let hi, lo >= 0, lo <= hi, hi <= 65535 else { throw ParseError(column: 0, message: "bad port range '\(it)'") }
                range = lo...hi
            } else {
                guard let p = Int(it), p >= 0, p <= 65535 else { throw ParseError(column: 0, message: "bad port '\(it)'") }
                range = p...p
            }
            if neg { out.exclude.append(range) } else { out.include.append(range) }
        }
        for item in Self.items(try expand(raw)) { try add(item, negated: false) }
        if out.include.isEmpty && !out.exclude.isEmpty { out.any = true }
        return out
    }
}

/// Suricata's classification table (`classification.config`): classtype → description and
/// priority, for `alert.category` and the default `alert.severity`.
public enum Classification {
    public static let table: [String: (String, Int)] = [
        "not-suspicious": ("Not Suspicious Traffic", 3), "unknown": ("Unknown Traffic", 3),
        "bad-unknown": ("Potentially Bad Traffic", 2), "attempted-recon": ("Attempted Information Leak", 2),
        "successful-recon-limited": ("Information Leak", 2), "successful-recon-largescale": ("Large Scale Information Leak", 2),
        "attempted-dos": ("Attempted Denial of Service", 2), "successful-dos": ("Denial of Service", 2),
        "attempted-user": ("Attempted User Privilege Gain", 1), "unsuccessful-user": ("Unsuccessful User Privilege Gain", 1),
        "successful-user": ("Successful User Privilege Gain", 1), "attempted-admin": ("Attempted Administrator Privilege Gain", 1),
        "successful-admin": ("Successful Administrator Privilege Gain", 1), "rpc-portmap-decode": ("Decode of an RPC Query", 2),
        "shellcode-detect": ("Executable code was detected", 1), "string-detect": ("A suspicious string was detected", 3),
        "suspicious-filename-detect": ("A suspicious filename was detected", 2),
        "suspicious-login": ("An attempted login using a suspicious username was detected", 2),
        "system-call-detect": ("A system call was detected", 2), "tcp-connection": ("A TCP connection was detected", 4),
        "trojan-activity": ("A Network Trojan was detected", 1), "unusual-client-port-connection": ("A client was using an unusual port", 2),
        "network-scan": ("Detection of a Network Scan", 3), "denial-of-service": ("Detection of a Denial of Service Attack", 2),
        "non-standard-protocol": ("Detection of a non-standard protocol or event", 2),
        "protocol-command-decode": ("Generic Protocol Command Decode", 3), "web-application-activity": ("access to a potentially vulnerable web application", 2),
        "web-application-attack": ("Web Application Attack", 1), "misc-activity": ("Misc activity", 3), "misc-attack": ("Misc Attack", 2),
        "icmp-event": ("Generic ICMP event", 3), "inappropriate-content": ("Inappropriate Content was Detected", 1),
        "policy-violation": ("Potential Corporate Privacy Violation", 1), "default-login-attempt": ("Attempt to login by a default username and password", 2),
        "targeted-activity": ("Targeted Malicious Activity was Detected", 1), "exploit-kit": ("Exploit Kit Activity Detected", 1),
        "external-ip-check": ("Device Retrieving External IP Address Detected", 2), "domain-c2": ("Domain Observed Used for C2 Detected", 1),
        "pup-activity": ("Possibly Unwanted Program Detected", 2), "credential-theft": ("Successful Credential Theft Detected", 1),
        "social-engineering": ("Possible Social Engineering Attempted", 2), "coin-mining": ("Crypto Currency Mining Activity Detected", 2),
        "command-and-control": ("Malware Command and Control Activity Detected", 1),
    ]
}
