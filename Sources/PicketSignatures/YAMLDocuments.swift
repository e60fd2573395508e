// libyaml, the C parser Yams wraps (its CYaml module, built with the Yams package).
import CYaml

/// One YAML node as the native loader reads it: plain values, no classes. Read straight from
/// libyaml's events by `YAMLDocuments`, which builds what Yams' `Parser` builds for the basic
/// resolver (same strings, styles, places, alias and duplicate-key rules) without its per-event
/// and per-tag objects and hashed duplicate check: those were most of the time 10,000
/// signatures took to load.
enum YAMLNode: Equatable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// 1-based, as Yams counts.
    struct Mark: Equatable {
        var line: Int
        var column: Int
    }

    struct Scalar: Equatable {
        enum Style { case plain, singleQuoted, doubleQuoted, literal, folded }
        var string: String
        var style: Style
        /// The explicit tag (`!!int 1`), nil for none or a string tag; keys with different tags
        /// are different keys.
        var tag: String?
        var mark: Mark

        static func == (a: Scalar, b: Scalar) -> Bool { a.string == b.string && a.tag == b.tag }
    }

    struct Mapping: Swift.Sequence, Equatable {
        var pairs: [(key: YAMLNode, value: YAMLNode)]
        var mark: Mark

        func makeIterator() -> IndexingIterator<[(key: YAMLNode, value: YAMLNode)]> { pairs.makeIterator() }
        static func == (a: Mapping, b: Mapping) -> Bool {
            a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        }
    }

    struct Sequence: Swift.Sequence, Equatable {
        var items: [YAMLNode]
        var mark: Mark

        func makeIterator() -> IndexingIterator<[YAMLNode]> { items.makeIterator() }
        static func == (a: Sequence, b: Sequence) -> Bool { a.items == b.items }
    }

    var mark: Mark {
        switch self {
        case .scalar(let s): s.mark
        case .mapping(let m): m.mark
        case .sequence(let s): s.mark
        }
    }

    /// A scalar's text; nil for mappings and sequences.
    var string: String? {
        if case .scalar(let s) = self { return s.string }
        return nil
    }
}

/// What stopped reading a YAML text.
struct YAMLError: Error {
    enum Kind {
        /// libyaml's scanner or parser: the text is not YAML.
        case syntax
        /// An alias to an anchor not defined before it.
        case undefinedAlias
        /// Keys that occur twice in one mapping (`nil` for keys that are not scalars).
        case duplicateKeys([String?])
        /// Bytes YAML does not allow (control characters).
        case reader
    }
    var kind: Kind
    /// libyaml's words, with its context first when it gave one ("while parsing …: …").
    var message: String
    var mark: Mark

    typealias Mark = YAMLNode.Mark
}

/// The documents of a YAML text, in order.
enum YAMLDocuments {
    static func read(_ text: String) throws(YAMLError) -> [YAMLNode] {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes.reserveCapacity(1) }
        let reader = Reader()
        do {
            return try bytes.withUnsafeBufferPointer { try reader.documents($0) }
        } catch let e as YAMLError {
            throw e
        } catch {
            throw YAMLError(kind: .syntax, message: "\(error)", mark: YAMLNode.Mark(line: 1, column: 1))
        }
    }
}

/// libyaml's parser and the one event it holds; builds nodes without recursion (nesting is
/// bounded by libyaml at 1,000 levels, but loader threads have small stacks).
private final class Reader {
    private var parser = yaml_parser_t()
    private var event = yaml_event_t()
    /// Anchors seen so far (a later one of the same name replaces the earlier, as in Yams;
    /// they carry over from one document to the next, as in Yams).
    private var anchors: [String: YAMLNode] = [:]

    /// A mapping or sequence being read; a mapping's keys and values alternate in `items`.
    private struct Open {
        var isMapping: Bool
        var mark: YAMLNode.Mark
        var anchor: String?
        var items: [YAMLNode] = []
    }

    init() {
        yaml_parser_initialize(&parser)
    }

    deinit {
        yaml_event_delete(&event)
        yaml_parser_delete(&parser)
    }

    private var input = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    func documents(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [YAMLNode] {
        input = bytes
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
        try next()  // stream start
        var documents: [YAMLNode] = []
        while true {
            try next()  // document start, or the end of the stream
            if event.type == YAML_STREAM_END_EVENT { return documents }
            try next()
            documents.append(try node())
            try next()  // document end
        }
    }

    private func next() throws {
        yaml_event_delete(&event)
        guard yaml_parser_parse(&parser, &event) == 1 else { throw failure() }
    }

    private var startMark: YAMLNode.Mark {
        YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
    }

    private static func text(_ p: UnsafePointer<UInt8>?) -> String? { p.map { String(cString: $0) } }

    /// The node that starts with the current event; on return the current event is its last.
    private func node() throws -> YAMLNode {
        var open: [Open] = []
        while true {
            var done: YAMLNode?
            switch event.type {
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let style: YAMLNode.Scalar.Style = switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
                // No tag, the non-specific "!" of a quoted scalar and an explicit !!str are all
                // a string, as Yams' basic resolver has it.
                let tag = Self.text(s.tag).flatMap { $0 == "!" || $0 == "tag:yaml.org,2002:str" ? nil : $0 }
                let n = YAMLNode.scalar(.init(string: value, style: style, tag: tag, mark: startMark))
                register(Self.text(s.anchor), n)
                done = n
            case YAML_ALIAS_EVENT:
                let name = Self.text(event.data.alias.anchor) ?? ""
                guard let n = anchors[name] else {
                    throw YAMLError(kind: .undefinedAlias, message: "found undefined alias", mark: startMark)
                }
                done = n
            case YAML_SEQUENCE_START_EVENT:
                open.append(Open(isMapping: false, mark: startMark, anchor: Self.text(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                open.append(Open(isMapping: true, mark: startMark, anchor: Self.text(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let o = open.removeLast()
                let n: YAMLNode
                if o.isMapping {
                    var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                    pairs.reserveCapacity(o.items.count / 2)
                    var i = 0
                    while i + 1 < o.items.count {
                        pairs.append((o.items[i], o.items[i + 1]))
                        i += 2
                    }
                    try Self.checkDuplicates(pairs)
                    n = .mapping(.init(pairs: pairs, mark: o.mark))
                } else {
                    n = .sequence(.init(items: o.items, mark: o.mark))
                }
                register(o.anchor, n)
                done = n
            default:
                throw YAMLError(kind: .syntax, message: "unexpected YAML event \(event.type.rawValue)", mark: startMark)
            }
            if let n = done {
                if open.isEmpty { return n }
                open[open.count - 1].items.append(n)
            }
            try next()
        }
    }

    private func register(_ anchor: String?, _ node: YAMLNode) {
        if let anchor { anchors[anchor] = node }
    }

    /// Yams' rule: keys equal as nodes (scalars: same text and tag) are an error; the place
    /// is the first occurrence of the least duplicated key.
    private static func checkDuplicates(_ pairs: [(key: YAMLNode, value: YAMLNode)]) throws {
        guard pairs.count > 1 else { return }
        var duplicated: [Int] = []  // index of the first occurrence of each duplicated key
        if pairs.count <= 16 || !pairs.allSatisfy({ if case .scalar = $0.key { true } else { false } }) {
            for i in pairs.indices where !duplicated.contains(where: { pairs[$0].key == pairs[i].key }) {
                if pairs[(i + 1)...].contains(where: { $0.key == pairs[i].key }) { duplicated.append(i) }
            }
        } else {
            var first: [String: [Int]] = [:]
            for (i, p) in pairs.enumerated() {
                guard case .scalar(let s) = p.key else { continue }
                let key = (s.tag ?? "") + "\u{0}" + s.string
                if let earlier = first[key] {
                    if earlier.count == 1 { duplicated.append(earlier[0]) }
                    first[key] = earlier + [i]
                } else {
                    first[key] = [i]
                }
            }
        }
        guard !duplicated.isEmpty else { return }
        let least = duplicated.min { a, b in
            switch (pairs[a].key, pairs[b].key) {
            case let (.scalar(x), .scalar(y)): x.string < y.string
            case (.scalar, _): true
            default: false
            }
        }!
        throw YAMLError(kind: .duplicateKeys(duplicated.map { pairs[$0].key.string }), message: "duplicate keys",
                        mark: pairs[least].key.mark)
    }

    private func failure() -> YAMLError {
        let problem = Self.text(parser.problem.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) }) ?? "unknown error"
        switch parser.error {
        case YAML_READER_ERROR:
            // Placed by its byte offset; lines break as YAML breaks them (LF, CR LF, CR, NEL,
            // LS, PS), columns count characters.
            let end = min(parser.problem_offset, input.count)
            var line = 1, column = 1, i = 0
            while i < end {
                let b = input[i]
                let next = i + 1 < input.count ? input[i + 1] : 0
                if b == 10 || (b == 13 && next != 10) || (b == 0xC2 && next == 0x85)
                    || (b == 0xE2 && next == 0x80 && i + 2 < input.count && (input[i + 2] == 0xA8 || input[i + 2] == 0xA9)) {
                    line += 1
                    column = 1
                    i += b < 0x80 ? 1 : b == 0xC2 ? 2 : 3
                    continue
                }
                if b & 0xC0 != 0x80 && b != 13 { column += 1 }
                i += 1
            }
            return YAMLError(kind: .reader, message: problem, mark: YAMLNode.Mark(line: line, column: column))
        default:
            let context = Self.text(parser.context.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) })
            return YAMLError(kind: .syntax, message: [context, problem].compactMap { $0 }.joined(separator: ": "),
                             mark: YAMLNode.Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1))
        }
    }
}
