import PicketCore
import PicketMatch

/// A signature set compiled for matching: every literal of every signature goes into shared
/// Hyperscan databases, one per field ("buffer"); a signature is evaluated in full only when one
/// of its literals was seen (prefilter, then confirm). Signatures with no usable literal are
/// indexed by a field they cannot match without, per event kind.
///
/// `strategy(of:)` says how each signature is matched, for `picket signatures list`.
public final class CompiledSet: @unchecked Sendable {
    public let set: SignatureSet
    /// A prefilter database over one buffer, with the signatures each pattern triggers.
    struct Buffer {
        var field: String
        var database: PatternDatabase
        /// Pattern index → signature indices that use it as a fast pattern.
        var triggers: [[Int32]]
        /// Union of the kinds of the signatures in this buffer.
        var kinds: KindSet
        /// The patterns, in database order.
        var patterns: [Pattern]
    }

    private(set) var blockBuffers: [Buffer] = []
    /// Stream-mode database over `payload` of `stream` signatures: every payload literal, so a
    /// literal split across segments is seen; `streamTriggers` are the fast patterns.
    private(set) var streamDatabase: PatternDatabase?
    private(set) var streamTriggers: [[Int32]] = []
    /// Stream-database pattern id of each payload literal (with its case rule).
    private(set) var streamIndex: [Pattern: Int] = [:]
    /// Per event kind: field → signatures without literals that need that field, and those that
    /// need none (evaluated on every event of the kind).
    private(set) var unfiltered: [[String: [Int32]]] = Array(repeating: [:], count: EventKind.allCases.count)
    private(set) var unfilteredAlways: [[Int32]] = Array(repeating: [], count: EventKind.allCases.count)
    /// Correlations that count each signature.
    private(set) var correlationsOf: [[Int32]]
    private var strategies: [String]
    /// Suricata rules inspected on reassembled TCP streams (windows kept by the matcher).
    public private(set) var suricataStreamRules: [Int32] = []
    public let compileSeconds: Double
    public let fromCache: Bool

    /// A literal or regex that must appear in `field` for a signature to match.
    struct Needle: Hashable {
        var field: String
        var pattern: Pattern
        var score: Int
    }

    public init(set: SignatureSet, cacheFolder: String?) throws(MatchError) {
        let started = Timestamp.now()
        self.set = set
        let sigs = set.signatures
        correlationsOf = Array(repeating: [], count: sigs.count)
        strategies = Array(repeating: "", count: sigs.count)
        /// Patterns gathered for one buffer (a class, so growing it never copies).
        final class Gathered {
            var patterns: [Pattern] = []
            var index: [Pattern: Int] = [:]
            var triggers: [[Int32]] = []
            var kinds = KindSet()
        }
        var perField: [String: Gathered] = [:]
        var streamPatterns: [Pattern] = []
        var streamIndex: [Pattern: Int] = [:]
        var streamTriggers: [[Int32]] = []
        for (i, sig) in sigs.enumerated() {
            if let c = sig.correlation {
                for r in c.rules { correlationsOf[r].append(Int32(i)) }
                strategies[i] = "correlation (\(c.kind.rawValue) over \(c.rules.count) rule(s))"
                continue
            }
            if let rule = sig.suricata {
                if rule.inspectsStream { suricataStreamRules.append(Int32(i)) }
                // Packet and app-layer inspection: the fast pattern prefilters.
                let kinds = rule.kinds
                guard !kinds.kinds.isEmpty else {
                    strategies[i] = "suricata \(rule.proto.rawValue): reassembled stream windows"
                    continue
                }
                if let fp = rule.fastPattern {
                    let entry: Gathered
                    let field = fp.buffer.prefilterField
                    if let e = perField[field] { entry = e } else { entry = Gathered(); perField[field] = entry }
                    let p = Pattern(literal: fp.bytes, caseless: fp.nocase)
                    let k: Int
                    if let existing = entry.index[p] { k = existing } else {
                        k = entry.patterns.count
                        entry.index[p] = k
                        entry.patterns.append(p)
                        entry.triggers.append([])
                    }
                    entry.triggers[k].append(Int32(i))
                    entry.kinds.bits |= kinds.bits
                    strategies[i] = "suricata \(rule.proto.rawValue): prefilter on \(fp.buffer.rawValue), then content inspection" + (rule.inspectsStream ? "; streams in windows" : "")
                } else {
                    for k in kinds.kinds { unfilteredAlways[Int(k.rawValue)].append(Int32(i)) }
                    strategies[i] = "suricata \(rule.proto.rawValue): header and flow checks on every \(kinds.kinds.map(\.name).joined(separator: "/")) event" + (rule.inspectsStream ? "; streams in windows" : "")
                }
                continue
            }
            guard let condition = sig.condition else { continue }
            let needles = Self.needles(condition, sig.selections)
            let isStream = sig.kinds.contains(.stream)
            if isStream {
                // Every payload literal of a stream signature is tracked per stream.
                for sel in sig.selections {
                    for alt in sel.alternatives {
                        for t in alt where t.field == "payload" {
                            for v in t.values { if case .bytes(let b) = v, !b.isEmpty {
                                let p = Pattern(literal: b, caseless: !t.cased)
                                if streamIndex[p] == nil { streamIndex[p] = streamPatterns.count; streamPatterns.append(p); streamTriggers.append([]) }
                            } }
                        }
                    }
                }
            }
            // A stream signature is triggered by the stream database only when every one of its
            // needles is a payload literal there; otherwise (a regex, another field) it is checked
            // on every chunk, so it cannot be missed.
            let streamOnly = isStream && sig.kinds.bits == KindSet([.stream]).bits
            let streamTriggerable = needles.map { list in
                !list.isEmpty && list.allSatisfy { n in
                    guard n.field == "payload", case .literal = n.pattern.body else { return false }
                    return streamIndex[n.pattern] != nil
                }
            } ?? false
            if streamOnly && !streamTriggerable {
                unfilteredAlways[Int(EventKind.stream.rawValue)].append(Int32(i))
                strategies[i] = "no stream literal: evaluated on every stream chunk"
                continue
            }
            if let needles, !needles.isEmpty {
                var described: [String] = []
                for n in needles {
                    if isStream && n.field == "payload", case .literal = n.pattern.body, let k = streamIndex[n.pattern] {
                        streamTriggers[k].append(Int32(i))
                    }
                    if isStream && n.field == "payload" && sig.kinds.bits == KindSet([.stream]).bits { described.append("payload~stream"); continue }
                    let entry: Gathered
                    if let e = perField[n.field] { entry = e } else { entry = Gathered(); perField[n.field] = entry }
                    let k: Int
                    if let existing = entry.index[n.pattern] { k = existing } else {
                        k = entry.patterns.count
                        entry.index[n.pattern] = k
                        entry.patterns.append(n.pattern)
                        entry.triggers.append([])
                    }
                    entry.triggers[k].append(Int32(i))
                    entry.kinds.bits |= sig.kinds.bits
                    described.append(n.field)
                }
                let fields = Array(Set(described)).sorted().joined(separator: ", ")
                strategies[i] = "prefilter: \(needles.count) pattern(s) in \(fields), then full check"
            } else if let field = Self.requiredField(condition, sig.selections) {
                for k in sig.kinds.kinds { unfiltered[Int(k.rawValue)][field, default: []].append(Int32(i)) }
                strategies[i] = "no literal: evaluated on events that have \(field)"
            } else {
                for k in sig.kinds.kinds { unfilteredAlways[Int(k.rawValue)].append(Int32(i)) }
                strategies[i] = "no literal: evaluated on every \(sig.kinds.kinds.map(\.name).joined(separator: "/")) event"
            }
        }
        var cached = true
        for field in perField.keys.sorted() {
            let entry = perField[field]!
            let db = try PatternDatabase(patterns: entry.patterns, mode: .block, singleMatch: true, cacheFolder: cacheFolder)
            cached = cached && db.fromCache
            blockBuffers.append(Buffer(field: field, database: db, triggers: entry.triggers, kinds: entry.kinds, patterns: entry.patterns))
        }
        if !streamPatterns.isEmpty {
            let db = try PatternDatabase(patterns: streamPatterns, mode: .stream, singleMatch: false, cacheFolder: cacheFolder)
            cached = cached && db.fromCache
            streamDatabase = db
            self.streamTriggers = streamTriggers
            self.streamIndex = streamIndex
        }
        fromCache = cached && !(blockBuffers.isEmpty && streamDatabase == nil)
        compileSeconds = Timestamp.now().seconds - started.seconds
    }

    /// How signature `i` is matched.
    public func strategy(of i: Int) -> String { strategies[i] }

    public var patternCount: Int { blockBuffers.reduce(0) { $0 + $1.database.patternCount } + (streamDatabase?.patternCount ?? 0) }

    // MARK: - Literal analysis

    /// The patterns at least one of which must appear for the condition to hold, or nil when
    /// there is no such set (a `not`, a numeric test, …).
    static func needles(_ c: Condition, _ sels: [Selection]) -> [Needle]? {
        switch c {
        case .selection(let i): return selectionNeedles(sels[i])
        case .and(let parts): return best(parts.map { needles($0, sels) })
        case .or(let parts): return union(parts.map { needles($0, sels) })
        case .not: return nil
        case .oneOf(let idx): return union(idx.map { selectionNeedles(sels[$0]) })
        case .allOf(let idx): return best(idx.map { selectionNeedles(sels[$0]) })
        }
    }

    static func selectionNeedles(_ s: Selection) -> [Needle]? {
        union(s.alternatives.map { alt in best(alt.map(testNeedles)) })
    }

    static func testNeedles(_ t: FieldTest) -> [Needle]? {
        switch t.op {
        case .contains, .startsWith, .endsWith, .equals, .regex:
            var out: [Needle] = []
            for v in t.values {
                switch v {
                case .bytes(let b):
                    guard !b.isEmpty else { return nil }
                    out.append(Needle(field: t.field, pattern: Pattern(literal: b, caseless: !t.cased), score: b.count))
                case .regex(let r, _):
                    // Globs and `re` values prefilter in Hyperscan when it can take them.
                    guard t.op == .regex || t.op == .contains || t.op == .equals || t.op == .startsWith || t.op == .endsWith else { return nil }
                    let p = Pattern(regex: r.pattern, caseless: r.options.contains(.caseless), dotAll: r.options.contains(.dotAll),
                                    multiline: r.options.contains(.multiline))
                    guard p.hyperscanCanCompile else { return nil }
                    out.append(Needle(field: t.field, pattern: p, score: 2))
                default:
                    return nil
                }
            }
            if t.all, let longest = out.max(by: { $0.score < $1.score }) { return [longest] }
            return out.isEmpty ? nil : out
        default:
            return nil
        }
    }

    /// For a conjunction: the alternative set whose weakest pattern is strongest.
    static func best(_ options: [[Needle]?]) -> [Needle]? {
        options.compactMap { $0 }.max { a, b in
            let sa = a.map(\.score).min() ?? 0, sb = b.map(\.score).min() ?? 0
            return sa != sb ? sa < sb : a.count > b.count
        }
    }

    /// For a disjunction: every branch must have a set.
    static func union(_ options: [[Needle]?]) -> [Needle]? {
        var out: [Needle] = []
        for o in options {
            guard let o else { return nil }
            out += o
        }
        return Array(Set(out))
    }

    /// A field the condition cannot hold without (tested positively in every branch).
    static func requiredField(_ c: Condition, _ sels: [Selection]) -> String? {
        func fields(_ c: Condition) -> Set<String>? {
            switch c {
            case .selection(let i): return selectionFields(sels[i])
            case .and(let parts):
                return parts.compactMap(fields).reduce(into: Set<String>?.none) { acc, s in acc = (acc ?? []).union(s) }
            case .or(let parts):
                var acc: Set<String>?
                for p in parts {
                    guard let s = fields(p) else { return nil }
                    acc = acc.map { $0.intersection(s) } ?? s
                }
                return acc
            case .not: return nil
            case .oneOf(let idx): return fields(.or(idx.map { .selection($0) }))
            case .allOf(let idx): return fields(.and(idx.map { .selection($0) }))
            }
        }
        func selectionFields(_ s: Selection) -> Set<String>? {
            var acc: Set<String>?
            for alt in s.alternatives {
                let f = Set(alt.filter { t in
                    if t.op == .exists, case .bool(false) = t.values.first { return false }
                    if t.op == .equals && t.values.contains(where: { if case .null = $0 { true } else { false } }) { return false }
                    return t.field != "payload"
                }.map(\.field))
                acc = acc.map { $0.intersection(f) } ?? f
            }
            return acc
        }
        return fields(c)?.sorted().first
    }
}

