import Foundation
import PicketCore
import PicketMatch

/// Loads native signatures (`*.yml`): a dialect of Sigma (DESIGN.md section 3), one or more
/// YAML documents a file. Everything is validated; each problem becomes a `SignatureError`
/// with `file:line:col`, and loading goes on to find the rest.
public struct NativeLoader {
    static let topKeys: Set<String> = [
        "title", "id", "name", "status", "description", "references", "author", "date", "modified", "tags",
        "logsource", "detection", "falsepositives", "level", "fields", "related", "license", "taxonomy",
        "scope", "correlation", "area",
    ]
    static let logsourceKeys: Set<String> = ["category", "product", "service", "definition"]
    static let modifiers: Set<String> = [
        "contains", "startswith", "endswith", "re", "cidr", "all", "base64", "base64offset", "gt", "gte", "lt",
        "lte", "exists", "hex", "cased", "i", "m", "s",
    ]
    /// `logsource.category` → event kinds.
    public static let categories: [String: KindSet] = [
        "packet": KindSet([.packet]), "stream": KindSet([.stream]), "dns": KindSet([.dns]), "http": KindSet([.http]),
        "tls": KindSet([.tls]), "ais": KindSet([.ais]), "gnss": KindSet([.gnss]), "nmea": KindSet([.nmea, .ais, .gnss]),
        "syslog": KindSet([.syslog]), "json": KindSet([.json]), "text": KindSet.logLines,
    ]

    let file: String
    let text: String
    /// Lines of the file before `text` (when `text` is a run of its documents).
    let lineOffset: Int
    var errors: [SignatureError] = []
    var signatures: [Signature] = []
    /// The YAML itself could not be read (then no signature of the file loads).
    var yamlFailed = false

    init(file: String, text: String, lineOffset: Int = 0) {
        self.file = file
        self.text = text
        self.lineOffset = lineOffset
    }

    /// Files at least this large are split into runs of whole documents, loaded in parallel.
    static let parallelFromBytes = 512 << 10

    /// Load one file's text. Returns the signatures and every error found, in file order.
    ///
    /// A large file (a feed of thousands of indicators) is cut at its `---` lines into a run of
    /// documents per core, each loaded on its own thread, and the results are joined in order:
    /// YAML documents are independent, so this gives what one loader would (10,000 signatures:
    /// 0.36 s → see the README). As with one loader, a YAML syntax error anywhere means the
    /// file's only result is the first such error.
    public static func load(file: String, text: String,
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> (signatures: [Signature], errors: [SignatureError]) {
        let runs = text.utf8.count >= parallelFromBytes ? documentRuns(text, parts: min(8, threads)) : []
        guard runs.count > 1 else {
            var loader = NativeLoader(file: file, text: text)
            loader.run()
            return (loader.signatures, loader.errors)
        }
        var loaders = runs.map { NativeLoader(file: file, text: $0.text, lineOffset: $0.lineOffset) }
        loaders.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let each = buffer
            DispatchQueue.concurrentPerform(iterations: each.count) { i in each[i].run() }
        }
        if let failed = loaders.first(where: \.yamlFailed) { return ([], failed.errors) }
        return (loaders.flatMap(\.signatures), loaders.flatMap(\.errors))
    }

    /// `text` cut into at most `parts` runs of whole documents of about equal size, at lines
    /// that are exactly `---` (a document start). Nothing is cut when the stream has
    /// directives (`%YAML`, `%TAG`: they belong to the document after them).
    static func documentRuns(_ text: String, parts: Int) -> [(text: String, lineOffset: Int)] {
        let bytes = Array(text.utf8)
        guard parts > 1 else { return [] }
        var starts: [(byte: Int, line: Int)] = [(0, 0)]
        let target = bytes.count / parts
        var line = 0
        var i = 0
        while i < bytes.count {
            // At the start of a line.
            if bytes[i] == UInt8(ascii: "%") { return [] }
            if i - starts[starts.count - 1].byte >= target && starts.count < parts,
               i + 3 <= bytes.count, bytes[i] == 45, bytes[i + 1] == 45, bytes[i + 2] == 45,
               i + 3 == bytes.count || bytes[i + 3] == 10 || bytes[i + 3] == 13 {
                starts.append((i, line))
            }
            guard let nl = bytes[i...].firstIndex(of: 10) else { break }
            i = nl + 1
            line += 1
        }
        var out: [(text: String, lineOffset: Int)] = []
        for (k, s) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1].byte : bytes.count
            out.append((String(decoding: bytes[s.byte..<end], as: UTF8.self), s.line))
        }
        return out
    }

    func at(_ node: YAMLNode?) -> SourceLocation {
        guard let m = node?.mark else { return SourceLocation(file: file, line: 1, column: 1) }
        return SourceLocation(file: file, line: m.line + lineOffset, column: m.column)
    }

    mutating func error(_ node: YAMLNode?, _ message: String) { errors.append(SignatureError(at(node), message)) }

    mutating func run() {
        let documents: [YAMLNode]
        do {
            documents = try YAMLDocuments.read(text)
        } catch {
            errors.append(Self.yamlError(error, file: file, lineOffset: lineOffset))
            yamlFailed = true
            return
        }
        for doc in documents {
            if case .scalar(let s) = doc, s.string.isEmpty { continue }
            if let sig = signature(doc) { signatures.append(sig) }
        }
    }

    static func yamlError(_ e: YAMLError, file: String, lineOffset: Int = 0) -> SignatureError {
        let place = SourceLocation(file: file, line: e.mark.line + lineOffset, column: e.mark.column)
        switch e.kind {
        case .syntax: return SignatureError(place, "YAML syntax: \(e.message)")
        case .reader: return SignatureError(place, "YAML: \(e.message)")
        case .undefinedAlias: return SignatureError(place, "YAML: found undefined alias")
        case .duplicateKeys(let keys):
            // Said the same way every time: the keys sorted, at the first occurrence of the least
            // (keys that are mappings or lists have no order among themselves: then at the start).
            let names = Set(keys.map { $0 ?? "<not a scalar>" }).sorted().map { "'\($0)'" }.joined(separator: ", ")
            let placed = !keys.contains(nil)
            return SignatureError(placed ? place : SourceLocation(file: file, line: 1, column: 1),
                                  "YAML: duplicate key(s) \(names) in one mapping")
        }
    }

    // MARK: - Typed access with errors

    mutating func string(_ node: YAMLNode?, _ what: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let s) = node else {
            error(node, "\(what) must be a string")
            return nil
        }
        return s.string
    }

    mutating func stringList(_ node: YAMLNode?, _ what: String) -> [String] {
        guard let node else { return [] }
        switch node {
        case .scalar(let s): return [s.string]
        case .sequence(let seq):
            var out: [String] = []
            for item in seq {
                if case .scalar(let s) = item { out.append(s.string) } else { error(item, "\(what) must be a list of strings") }
            }
            return out
        default:
            error(node, "\(what) must be a list of strings")
            return []
        }
    }

    mutating func signature(_ doc: YAMLNode) -> Signature? {
        guard case .mapping(let map) = doc else {
            error(doc, "a signature must be a mapping (title, id, area, level, logsource, detection, …)")
            return nil
        }
        let errorsBefore = errors.count
        var fields: [String: YAMLNode] = [:]
        var keyNodes: [String: YAMLNode] = [:]
        for (k, v) in map {
            guard case .scalar(let ks) = k else { error(k, "keys must be strings"); continue }
            if !Self.topKeys.contains(ks.string) {
                error(k, "unknown key '\(ks.string)'")
                continue
            }
            if fields[ks.string] != nil { error(k, "duplicate key '\(ks.string)'") }
            fields[ks.string] = v
            keyNodes[ks.string] = k
        }
        let title = string(fields["title"], "title")
        if title == nil && fields["title"] == nil { error(doc, "missing 'title'") }
        let id = string(fields["id"], "id")
        if id == nil && fields["id"] == nil { error(doc, "missing 'id'") }
        // An empty id (`id: ''`, or a YAML tag such as `id: !abc` with no value) would give every
        // such signature the same stable signature id.
        if let id, id.allSatisfy(\.isWhitespace) { error(fields["id"], "'id' must not be empty") }
        if let title, title.allSatisfy(\.isWhitespace) { error(fields["title"], "'title' must not be empty") }
        let name = string(fields["name"], "name")
        var area: Area?
        if let a = fields["area"] {
            if let s = string(a, "area") {
                area = Area(rawValue: s)
                if area == nil { error(a, "area must be maritime, cyber or space, not '\(s)'") }
            }
        } else {
            error(doc, "missing 'area' (maritime, cyber or space)")
        }
        var level: Level?
        if let l = fields["level"] {
            if let s = string(l, "level") {
                level = Level(name: s)
                if level == nil { error(l, "level must be informational, low, medium, high or critical, not '\(s)'") }
            }
        } else {
            error(doc, "missing 'level'")
        }
        let description = string(fields["description"], "description")
        let references = stringList(fields["references"], "references")
        let tags = stringList(fields["tags"], "tags")
        for k in ["status", "author", "date", "modified", "license", "scope"] { _ = string(fields[k], k) }
        for k in ["falsepositives", "fields"] { _ = stringList(fields[k], k) }

        var category: String?
        var kinds = KindSet()
        var selections: [Selection] = []
        var condition: Condition?
        var correlation: Correlation?
        if let c = fields["correlation"] {
            if fields["detection"] != nil { error(keyNodes["detection"], "a correlation rule has no 'detection'") }
            if fields["logsource"] != nil { error(keyNodes["logsource"], "a correlation rule has no 'logsource'") }
            correlation = self.correlation(c)
        } else {
            if let ls = fields["logsource"] {
                category = logsource(ls)
                if let category { kinds = Self.categories[category] ?? KindSet() }
            } else {
                error(doc, "missing 'logsource' (with a category: \(Self.categories.keys.sorted().joined(separator: ", ")))")
            }
            if let d = fields["detection"] {
                (selections, condition) = detection(d)
            } else {
                error(doc, "missing 'detection'")
            }
        }
        guard errors.count == errorsBefore, let title, let id, let area, let level else { return nil }
        guard correlation != nil || condition != nil else { return nil }
        return Signature(format: .native, id: id, name: name, title: title, area: area, level: level,
                         description: description, references: references, tags: tags, category: category, kinds: kinds,
                         selections: selections, condition: condition, correlation: correlation, location: at(doc),
                         signatureID: Signature.stableSID(id), rev: 1,
                         alertCategory: "Picket \(area.rawValue) indicator", severity: level.severity)
    }

    mutating func logsource(_ node: YAMLNode) -> String? {
        guard case .mapping(let map) = node else {
            error(node, "logsource must be a mapping with a category")
            return nil
        }
        var category: String?
        for (k, v) in map {
            let key = k.string ?? ""
            guard Self.logsourceKeys.contains(key) else { error(k, "unknown logsource key '\(key)'"); continue }
            let value = string(v, "logsource.\(key)")
            if key == "category", let value {
                if Self.categories[value] == nil {
                    error(v, "unknown logsource category '\(value)' (Picket has: \(Self.categories.keys.sorted().joined(separator: ", ")))")
                } else {
                    category = value
                }
            }
        }
        if category == nil && !map.contains(where: { $0.key.string == "category" }) {
            error(node, "logsource needs a category (\(Self.categories.keys.sorted().joined(separator: ", ")))")
        }
        return category
    }

    // MARK: - Detection

    mutating func detection(_ node: YAMLNode) -> ([Selection], Condition?) {
        guard case .mapping(let map) = node else {
            error(node, "detection must be a mapping of selections and a condition")
            return ([], nil)
        }
        var selections: [Selection] = []
        var conditionNode: YAMLNode?
        for (k, v) in map {
            guard let key = k.string else { error(k, "selection names must be strings"); continue }
            if key == "condition" { conditionNode = v; continue }
            if key == "timeframe" {
                error(k, "'timeframe' is Sigma v1; use a correlation rule (event_count with timespan)")
                continue
            }
            selections.append(Selection(name: key, alternatives: selection(v, name: key)))
        }
        guard let conditionNode else {
            error(node, "detection needs a 'condition'")
            return (selections, nil)
        }
        let names = selections.map(\.name)
        var conditionTexts: [(String, YAMLNode)] = []
        switch conditionNode {
        case .scalar(let s): conditionTexts = [(s.string, conditionNode)]
        case .sequence(let seq):
            for item in seq {
                if case .scalar(let s) = item { conditionTexts.append((s.string, item)) } else { error(item, "a condition must be a string") }
            }
        default: error(conditionNode, "condition must be a string")
        }
        var parsed: [Condition] = []
        for (text, n) in conditionTexts {
            var parser = ConditionParser(text, selections: names)
            do {
                parsed.append(try parser.parse())
            } catch {
                var loc = at(n)
                // Plain and quoted scalars start on the key's line; point at the token.
                if case .scalar(let s) = n, s.style != .literal && s.style != .folded {
                    loc.column += error.column + (s.style == .plain ? 0 : 1)
                }
                errors.append(SignatureError(loc, "condition: \(error.message)"))
            }
        }
        guard parsed.count == conditionTexts.count, !parsed.isEmpty else { return (selections, nil) }
        return (selections, parsed.count == 1 ? parsed[0] : .or(parsed))
    }

    /// A selection: a map (all tests), a list of maps (any map), or a list of keywords.
    mutating func selection(_ node: YAMLNode, name: String) -> [[FieldTest]] {
        switch node {
        case .mapping(let map):
            return [tests(map)]
        case .sequence(let seq):
            if seq.allSatisfy({ if case .scalar = $0 { true } else { false } }) {
                // Keywords: any of them anywhere in the payload (the raw line for logs).
                var values: [TestValue] = []
                for item in seq {
                    if let s = item.string { values += stringValues(s, op: .contains, mods: [], node: item) }
                }
                return [[FieldTest(field: "payload", op: .contains, values: values, all: false, cased: false, location: at(node))]]
            }
            var alternatives: [[FieldTest]] = []
            for item in seq {
                guard case .mapping(let map) = item else {
                    error(item, "selection '\(name)': a list must hold only maps or only keywords")
                    continue
                }
                alternatives.append(tests(map))
            }
            return alternatives
        default:
            error(node, "selection '\(name)' must be a map of fields, a list of maps, or a list of keywords")
            return []
        }
    }

    mutating func tests(_ map: YAMLNode.Mapping) -> [FieldTest] {
        var out: [FieldTest] = []
        for (k, v) in map {
            guard let key = k.string else { error(k, "field names must be strings"); continue }
            if let t = fieldTest(key: key, keyNode: k, value: v) { out.append(t) }
        }
        return out
    }

    mutating func fieldTest(key: String, keyNode: YAMLNode, value: YAMLNode) -> FieldTest? {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let field = parts[0]
        if field.isEmpty { error(keyNode, "empty field name"); return nil }
        var mods: Set<String> = []
        for m in parts.dropFirst() {
            guard Self.modifiers.contains(m) else {
                error(keyNode, "unknown modifier '\(m)' (known: \(Self.modifiers.sorted().joined(separator: ", ")))")
                return nil
            }
            mods.insert(m)
        }
        let ops: [(String, TestOperator)] = [
            ("contains", .contains), ("startswith", .startsWith), ("endswith", .endsWith), ("re", .regex), ("cidr", .cidr),
            ("gt", .greater), ("gte", .greaterOrEqual), ("lt", .less), ("lte", .lessOrEqual), ("exists", .exists),
        ]
        let chosen = ops.filter { mods.contains($0.0) }
        if chosen.count > 1 {
            error(keyNode, "modifiers \(chosen.map(\.0).joined(separator: " and ")) cannot be combined")
            return nil
        }
        let op = chosen.first?.1 ?? .equals
        if (mods.contains("i") || mods.contains("m") || mods.contains("s")) && op != .regex {
            error(keyNode, "modifiers i, m and s apply to 're' only")
            return nil
        }
        if mods.contains("hex") && field != "payload" {
            error(keyNode, "'hex' applies to 'payload' only")
            return nil
        }
        if (mods.contains("base64") || mods.contains("base64offset")) && ![.contains, .startsWith, .endsWith, .equals].contains(op) {
            error(keyNode, "base64 modifiers need a string comparison")
            return nil
        }
        var scalars: [YAMLNode] = []
        switch value {
        case .scalar: scalars = [value]
        case .sequence(let seq):
            for item in seq {
                if case .scalar = item { scalars.append(item) } else { error(item, "values of '\(key)' must be scalars") }
            }
        default:
            error(value, "the value of '\(key)' must be a scalar or a list of scalars")
            return nil
        }
        if scalars.isEmpty { error(value, "'\(key)' has no values"); return nil }
        var values: [TestValue] = []
        let errorsBefore = errors.count
        for n in scalars {
            guard case .scalar(let s) = n else { continue }
            let plain = s.style == .plain
            switch op {
            case .exists:
                guard plain, let b = Bool(s.string.lowercased()) else { error(n, "'exists' takes true or false"); continue }
                values.append(.bool(b))
            case .greater, .greaterOrEqual, .less, .lessOrEqual:
                guard let d = Double(s.string) else { error(n, "'\(key)' needs a number, not '\(s.string)'"); continue }
                values.append(.number(d))
            case .cidr:
                guard let net = IPNetwork(s.string) else { error(n, "'\(s.string)' is not a CIDR network"); continue }
                values.append(.network(net))
            case .regex:
                var options: Regex.Options = []
                if mods.contains("i") { options.insert(.caseless) }
                if mods.contains("m") { options.insert(.multiline) }
                if mods.contains("s") { options.insert(.dotAll) }
                do { values.append(.regex(try Regex(s.string, options: options), source: s.string)) } catch let e {
                    error(n, "bad regular expression: \(e.message)")
                }
            case .equals, .contains, .startsWith, .endsWith:
                if plain && op == .equals && (s.string == "null" || s.string == "~" || s.string.isEmpty) {
                    values.append(.null)
                    continue
                }
                if plain && op == .equals, let d = Double(s.string), !mods.contains("hex") {
                    values.append(.number(d))
                    continue
                }
                values += stringValues(s.string, op: op, mods: mods, node: n)
            }
        }
        guard errors.count == errorsBefore else { return nil }
        // `all` over one value is the same as any; over several, every value must hold.
        return FieldTest(field: field, op: op, values: values, all: mods.contains("all"),
                         cased: mods.contains("cased") || mods.contains("hex"), location: at(keyNode))
    }

    /// String comparison values after hex/base64 transforms; Sigma wildcards (`*`, `?`, with `\`
    /// escapes) become a regex unless they only sit at the ends of a `contains`-like value.
    mutating func stringValues(_ text: String, op: TestOperator, mods: Set<String>, node: YAMLNode) -> [TestValue] {
        if mods.contains("hex") {
            guard let bytes = Self.hexBytes(text) else {
                error(node, "'\(text)' is not hex (pairs of hex digits, spaces allowed)")
                return []
            }
            return [.bytes(bytes)]
        }
        if mods.contains("base64") { return [.bytes(Array(Data(text.utf8).base64EncodedString().utf8))] }
        if mods.contains("base64offset") {
            // The three encodings of the text at each offset modulo 3, trimmed to the stable part.
            let raw = Array(text.utf8)
            var out: [TestValue] = []
            for shift in 0..<3 {
                let padded = [UInt8](repeating: 0, count: shift) + raw
                let encoded = Array(Data(padded).base64EncodedString().utf8)
                let start = [0, 2, 3][shift]
                let endTrim = [0, 3, 2][(raw.count + shift) % 3]
                let end = encoded.count - endTrim
                if end > start { out.append(.bytes(Array(encoded[start..<end]))) }
            }
            return out
        }
        let (pieces, hasWildcard) = Self.glob(text)
        if !hasWildcard { return [.bytes(Array(pieces.joined().utf8))] }
        let regex = Self.globRegex(text, op: op)
        do {
            return [.regex(try Regex(regex, options: mods.contains("cased") ? [.dotAll] : [.caseless, .dotAll]), source: text)]
        } catch {
            self.error(node, "cannot use '\(text)': \(error.message)")
            return []
        }
    }

    enum GlobToken: Equatable { case char(Character), anyRun, anyOne }

    /// A Sigma value as literal characters and wildcards. As the Sigma specification has it, a
    /// backslash escapes only `*`, `?` and a backslash; before anything else it is a plain
    /// backslash, so `C:\Windows\System32` means what it says.
    static func globTokens(_ text: String) -> [GlobToken] {
        var out: [GlobToken] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "*" || chars[i + 1] == "?" || chars[i + 1] == "\\" {
                out.append(.char(chars[i + 1]))
                i += 2
                continue
            }
            out.append(c == "*" ? .anyRun : c == "?" ? .anyOne : .char(c))
            i += 1
        }
        return out
    }

    /// Split a Sigma value at unescaped wildcards; returns the unescaped literal pieces.
    static func glob(_ text: String) -> ([String], Bool) {
        var pieces: [String] = [""]
        var wildcard = false
        for t in globTokens(text) {
            switch t {
            case .char(let c): pieces[pieces.count - 1].append(c)
            case .anyRun, .anyOne:
                wildcard = true
                pieces.append("")
            }
        }
        return (pieces, wildcard)
    }

    static func globRegex(_ text: String, op: TestOperator) -> String {
        var out = (op == .equals || op == .startsWith) ? "^" : ""
        for t in globTokens(text) {
            switch t {
            case .char(let c): out += NSRegularExpression.escapedPattern(for: String(c))
            case .anyRun: out += ".*"
            case .anyOne: out += "."
            }
        }
        if op == .equals || op == .endsWith { out += "$" }
        return out
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = text.filter { !$0.isWhitespace && $0 != "|" }
        guard digits.count % 2 == 0, !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
        var out: [UInt8] = []
        var i = digits.startIndex
        while i < digits.endIndex {
            let j = digits.index(i, offsetBy: 2)
            guard let b = UInt8(digits[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }

    // MARK: - Correlation

    static let correlationKeys: Set<String> = ["type", "rules", "group-by", "timespan", "condition", "generate"]

    mutating func correlation(_ node: YAMLNode) -> Correlation? {
        guard case .mapping(let map) = node else {
            error(node, "correlation must be a mapping (type, rules, group-by, timespan, condition)")
            return nil
        }
        let before = errors.count
        var f: [String: YAMLNode] = [:]
        for (k, v) in map {
            guard let key = k.string, Self.correlationKeys.contains(key) else {
                error(k, "unknown correlation key '\(k.string ?? "?")'")
                continue
            }
            f[key] = v
        }
        var kind: Correlation.Kind?
        if let t = f["type"], let s = string(t, "correlation.type") {
            kind = Correlation.Kind(rawValue: s)
            if kind == nil { error(t, "correlation type '\(s)' is not supported (event_count, value_count)") }
        } else if f["type"] == nil { error(node, "correlation needs a 'type'") }
        var refs: [(String, SourceLocation)] = []
        if let r = f["rules"] {
            switch r {
            case .scalar(let s): refs = [(s.string, at(r))]
            case .sequence(let seq):
                for item in seq { if let s = string(item, "correlation.rules") { refs.append((s, at(item))) } }
            default: error(r, "correlation.rules must be a list of rule ids or names")
            }
            if refs.isEmpty { error(r, "correlation.rules is empty") }
        } else { error(node, "correlation needs 'rules'") }
        let groupBy = stringList(f["group-by"], "group-by")
        var timespan: Int64 = 0
        if let t = f["timespan"], let s = string(t, "timespan") {
            if let ns = Self.duration(s) { timespan = ns } else { error(t, "timespan '\(s)' is not a duration like 60s, 5m, 1h, 1d") }
        } else if f["timespan"] == nil { error(node, "correlation needs a 'timespan'") }
        var comparison: Correlation.Comparison = .gte
        var threshold = 0
        var valueField: String?
        if let c = f["condition"] {
            if case .mapping(let cm) = c {
                var found = false
                for (k, v) in cm {
                    guard let key = k.string else { continue }
                    switch key {
                    case "gt", "gte", "eq":
                        guard let n = v.string.flatMap({ Int($0) }), n >= 0 else { error(v, "'\(key)' needs a whole number"); continue }
                        comparison = key == "gt" ? .gt : key == "gte" ? .gte : .eq
                        threshold = n
                        found = true
                    case "lt", "lte":
                        error(k, "'\(key)' thresholds need the window to close first; Picket supports gt, gte and eq")
                    case "field":
                        valueField = string(v, "condition.field")
                    default:
                        error(k, "unknown correlation condition key '\(key)'")
                    }
                }
                if !found && errors.count == before { error(c, "correlation condition needs gt, gte or eq") }
            } else {
                error(c, "correlation condition must be a mapping such as {gte: 20}")
            }
        } else { error(node, "correlation needs a 'condition'") }
        if kind == .valueCount && valueField == nil { error(f["condition"] ?? node, "value_count needs condition.field") }
        var generate = false
        if let g = f["generate"] {
            if let b = g.string.flatMap({ Bool($0.lowercased()) }) { generate = b } else { error(g, "generate must be true or false") }
        }
        guard errors.count == before, let kind else { return nil }
        return Correlation(kind: kind, ruleRefs: refs, groupBy: groupBy, timespanNanos: timespan, comparison: comparison,
                           threshold: threshold, valueField: valueField, generate: generate)
    }

    static func duration(_ s: String) -> Int64? {
        guard let unit = s.last, let n = Int64(s.dropLast()), n > 0 else { return nil }
        let unitSeconds: Int64
        switch unit {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        case "d": unitSeconds = 86400
        case "w": unitSeconds = 604_800
        default: return nil
        }
        // Longer than nanoseconds can count (about 292 years) is not a timespan.
        let (nanos, overflow) = n.multipliedReportingOverflow(by: unitSeconds * 1_000_000_000)
        return overflow ? nil : nanos
    }
}
