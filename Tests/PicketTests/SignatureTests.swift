import Foundation
import PicketCore
import PicketMatch
import PicketSignatures
import Testing

/// An event with fields given by hand, for matching tests.
struct TestEvent: Event {
    var kind: EventKind = .json
    var fields: [String: FieldValue] = [:]
    var payloadBytes: [UInt8] = []
    var origin = Origin(input: 0, position: .line(1))
    var timestamp = Timestamp(seconds: 1_795_780_800, nanos: 0)
    var timeSource: TimeSource { .record }
    var streamKey: StreamKey? = nil
    var payload: UnsafeRawBufferPointer {
        payloadBytes.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) }
    }
    func field(_ name: String) -> FieldValue? { fields[name] }
    func writeFields(to out: inout JSONOut) {}
}

struct CollectedFinding {
    var id: String
    var position: Origin.Position
    var evidence: [String]
    var count: Int?
}

struct CollectingSink: FindingSink {
    var findings: [CollectedFinding] = []
    mutating func finding<E: Event>(_ signature: Signature, event: E, input: String, evidence: [Evidence], correlation: CorrelationHit?) -> Bool {
        findings.append(CollectedFinding(id: signature.id, position: event.origin.position, evidence: evidence.map(\.field), count: correlation?.count))
        return true
    }
}

/// Write signature text to a temporary file and load + compile it.
func compile(_ yaml: String, cache: Bool = false) throws -> (CompiledSet?, [SignatureError]) {
    let path = Paths.temporary("sig-\(UUID().uuidString).yml")
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    let result = SignatureSet.load(paths: [path])
    guard let set = result.set else { return (nil, result.errors) }
    return (try CompiledSet(set: set, cacheFolder: nil), [])
}

func header(_ id: String, category: String, level: String = "medium") -> String {
    "title: test \(id)\nid: \(id)\narea: cyber\nlevel: \(level)\nlogsource: {category: \(category)}\n"
}

struct MatchCase: CustomTestStringConvertible, @unchecked Sendable {
    var name: String
    var detection: String
    var event: TestEvent
    var matches: Bool
    var testDescription: String { name }
}

func json(_ fields: [String: FieldValue], payload: String = "") -> TestEvent {
    TestEvent(kind: .json, fields: fields, payloadBytes: Array(payload.utf8))
}

let matchCases: [MatchCase] = [
    MatchCase(name: "plain equality is case-insensitive", detection: "sel: {user: ADMIN}\n  condition: sel", event: json(["user": .string("admin")]), matches: true),
    MatchCase(name: "cased equality", detection: "sel: {user|cased: ADMIN}\n  condition: sel", event: json(["user": .string("admin")]), matches: false),
    MatchCase(name: "contains", detection: "sel: {url|contains: /wp-admin}\n  condition: sel", event: json(["url": .string("/blog/wp-admin/x")]), matches: true),
    MatchCase(name: "startswith", detection: "sel: {url|startswith: /blog}\n  condition: sel", event: json(["url": .string("/blog/x")]), matches: true),
    MatchCase(name: "endswith misses", detection: "sel: {url|endswith: .php}\n  condition: sel", event: json(["url": .string("/x.php5")]), matches: false),
    MatchCase(name: "wildcard in the middle", detection: "sel: {url: '/a*/c'}\n  condition: sel", event: json(["url": .string("/a/b/c")]), matches: true),
    MatchCase(name: "question-mark wildcard", detection: "sel: {code: 'A?C'}\n  condition: sel", event: json(["code": .string("ABC")]), matches: true),
    MatchCase(name: "escaped star is literal", detection: "sel: {v: 'a\\*b'}\n  condition: sel", event: json(["v": .string("axb")]), matches: false),
    MatchCase(name: "list is any", detection: "sel: {v: [x, y, z]}\n  condition: sel", event: json(["v": .string("y")]), matches: true),
    MatchCase(name: "all needs every value", detection: "sel: {v|contains|all: [ab, cd]}\n  condition: sel", event: json(["v": .string("xxabyy")]), matches: false),
    MatchCase(name: "all with every value", detection: "sel: {v|contains|all: [ab, cd]}\n  condition: sel", event: json(["v": .string("abcd")]), matches: true),
    MatchCase(name: "map is and", detection: "sel: {a: 1, b: 2}\n  condition: sel", event: json(["a": .int(1), "b": .int(3)]), matches: false),
    MatchCase(name: "list of maps is or", detection: "sel:\n    - {a: 1}\n    - {b: 2}\n  condition: sel", event: json(["b": .int(2)]), matches: true),
    MatchCase(name: "numbers compare", detection: "sel: {speed|gt: 50}\n  condition: sel", event: json(["speed": .double(50.5)]), matches: true),
    MatchCase(name: "lte", detection: "sel: {n|lte: 3}\n  condition: sel", event: json(["n": .int(4)]), matches: false),
    MatchCase(name: "number as text", detection: "sel: {n|gte: 10}\n  condition: sel", event: json(["n": .string("12")]), matches: true),
    MatchCase(name: "cidr v4", detection: "sel: {src_ip|cidr: 10.0.0.0/8}\n  condition: sel", event: json(["src_ip": .ip(IPAddress(v4: 0x0A01_0203))]), matches: true),
    MatchCase(name: "cidr v4 miss", detection: "sel: {src_ip|cidr: 192.168.0.0/16}\n  condition: sel", event: json(["src_ip": .ip(IPAddress(v4: 0x0A01_0203))]), matches: false),
    MatchCase(name: "cidr v6 on text", detection: "sel: {ip|cidr: '2001:db8::/32'}\n  condition: sel", event: json(["ip": .string("2001:db8:1::5")]), matches: true),
    MatchCase(name: "cidr v4 on a v4-mapped v6 address", detection: "sel: {ip|cidr: 10.0.0.0/8}\n  condition: sel", event: json(["ip": .string("::ffff:10.1.2.3")]), matches: true),
    MatchCase(name: "cidr v4 on another v6 address", detection: "sel: {ip|cidr: 10.0.0.0/8}\n  condition: sel", event: json(["ip": .string("::10.1.2.3")]), matches: false),
    MatchCase(name: "regex", detection: "sel: {q|re: '^[a-z0-9]{30,}\\.example$'}\n  condition: sel",
              event: json(["q": .string("abcdefghijklmnopqrstuvwxyz0123456789.example")]), matches: true),
    MatchCase(name: "regex is case-sensitive without i", detection: "sel: {q|re: '^abc'}\n  condition: sel", event: json(["q": .string("ABC")]), matches: false),
    MatchCase(name: "regex i", detection: "sel: {q|re|i: '^abc'}\n  condition: sel", event: json(["q": .string("ABC")]), matches: true),
    MatchCase(name: "exists true", detection: "sel: {x|exists: true}\n  condition: sel", event: json(["x": .string("v")]), matches: true),
    MatchCase(name: "exists false", detection: "sel: {x|exists: false}\n  condition: sel", event: json([:]), matches: true),
    MatchCase(name: "null is absent", detection: "sel: {x: null}\n  condition: sel", event: json([:]), matches: true),
    MatchCase(name: "base64", detection: "sel: {v|base64|contains: 'secret'}\n  condition: sel", event: json(["v": .string("xx c2VjcmV0 yy")]), matches: true),
    MatchCase(name: "base64offset", detection: "sel: {v|base64offset|contains: 'secret'}\n  condition: sel",
              event: json(["v": .string(Data("..secret..".utf8).base64EncodedString())]), matches: true),
    MatchCase(name: "keywords search the payload", detection: "kw: [needle, other]\n  condition: kw", event: json([:], payload: "a NEEDLE in hay"), matches: true),
    MatchCase(name: "hex payload is cased bytes", detection: "sel: {payload|hex|contains: '00 ff 41'}\n  condition: sel",
              event: TestEvent(kind: .json, payloadBytes: [1, 0, 0xff, 0x41, 2]), matches: true),
    MatchCase(name: "not", detection: "a: {x: 1}\n  b: {y: 2}\n  condition: a and not b", event: json(["x": .int(1), "y": .int(2)]), matches: false),
    MatchCase(name: "parentheses", detection: "a: {x: 1}\n  b: {y: 2}\n  c: {z: 3}\n  condition: a and (b or c)", event: json(["x": .int(1), "z": .int(3)]), matches: true),
    MatchCase(name: "1 of sel*", detection: "sel_a: {x: 1}\n  sel_b: {y: 2}\n  other: {z: 9}\n  condition: 1 of sel*", event: json(["y": .int(2)]), matches: true),
    MatchCase(name: "all of them", detection: "a: {x: 1}\n  b: {y: 2}\n  condition: all of them", event: json(["x": .int(1)]), matches: false),
    MatchCase(name: "dotted JSON path", detection: "sel: {event.action: modbus-write}\n  condition: sel", event: json(["event.action": .string("modbus-write")]), matches: true),
]

@Suite struct SignatureTests {
    @Test(arguments: matchCases)
    func semantics(_ c: MatchCase) throws {
        let (compiled, errors) = try compile(header("t1", category: "json") + "detection:\n  " + c.detection + "\n")
        #expect(errors.isEmpty, "\(errors)")
        let set = try #require(compiled)
        let matcher = try Matcher(set)
        var sink = CollectingSink()
        _ = matcher.process(c.event, input: "test", sink: &sink)
        #expect(sink.findings.count == (c.matches ? 1 : 0))
    }

    @Test("logsource.category selects event kinds")
    func categories() throws {
        let (compiled, _) = try compile(header("t2", category: "syslog") + "detection:\n  kw: [boom]\n  condition: kw\n")
        let matcher = try Matcher(try #require(compiled))
        var sink = CollectingSink()
        _ = matcher.process(TestEvent(kind: .json, payloadBytes: Array("boom".utf8)), input: "x", sink: &sink)
        #expect(sink.findings.isEmpty)
        _ = matcher.process(TestEvent(kind: .syslog, payloadBytes: Array("boom".utf8)), input: "x", sink: &sink)
        #expect(sink.findings.count == 1)
    }

    struct LintCase: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var expected: [String]  // "line:col: message fragment"
        var testDescription: String { name }
    }

    static let lintCases: [LintCase] = [
        LintCase(name: "missing area", yaml: "title: t\nid: a\nlevel: low\nlogsource: {category: json}\ndetection:\n  s: {a: 1}\n  condition: s\n",
                 expected: ["1:1: missing 'area'"]),
        LintCase(name: "unknown key", yaml: header("a", category: "json") + "colour: red\ndetection:\n  s: {a: 1}\n  condition: s\n",
                 expected: ["6:1: unknown key 'colour'"]),
        LintCase(name: "unknown modifier", yaml: header("a", category: "json") + "detection:\n  s: {a|containz: 1}\n  condition: s\n",
                 expected: ["7:7: unknown modifier 'containz'"]),
        LintCase(name: "condition names an unknown selection", yaml: header("a", category: "json") + "detection:\n  s: {a: 1}\n  condition: s and t\n",
                 expected: ["8:20: condition: unknown selection 't'"]),
        LintCase(name: "wrong type", yaml: header("a", category: "json") + "detection:\n  s: {a|gt: many}\n  condition: s\n",
                 expected: ["7:13: 'a|gt' needs a number"]),
        LintCase(name: "bad area and level", yaml: "title: t\nid: a\narea: sea\nlevel: severe\nlogsource: {category: json}\ndetection:\n  s: {a: 1}\n  condition: s\n",
                 expected: ["3:7: area must be", "4:8: level must be"]),
        LintCase(name: "unknown category", yaml: header("a", category: "process_creation") + "detection:\n  s: {a: 1}\n  condition: s\n",
                 expected: ["5:23: unknown logsource category 'process_creation'"]),
        LintCase(name: "bad regex", yaml: header("a", category: "json") + "detection:\n  s: {a|re: '(unclosed'}\n  condition: s\n",
                 expected: ["7:13: bad regular expression"]),
        LintCase(name: "YAML syntax", yaml: "title: [unclosed\nid: a\n", expected: ["YAML syntax"]),
        LintCase(name: "unbalanced parenthesis", yaml: header("a", category: "json") + "detection:\n  s: {a: 1}\n  condition: (s\n",
                 expected: ["missing ')'"]),
        LintCase(name: "correlation to an unknown rule", yaml: "title: c\nid: c\narea: cyber\nlevel: high\ncorrelation:\n  type: event_count\n  rules: [nope]\n  group-by: [src_ip]\n  timespan: 1m\n  condition: {gte: 3}\n",
                 expected: ["7:11: correlation refers to unknown rule 'nope'"]),
    ]

    @Test(arguments: lintCases)
    func lint(_ c: LintCase) throws {
        let (compiled, errors) = try compile(c.yaml)
        #expect(compiled == nil)
        #expect(errors.count == c.expected.count, "\(errors)")
        for (e, want) in zip(errors, c.expected) {
            let text = "\(e.location.line):\(e.location.column): \(e.message)"
            #expect(text.contains(want) || e.description.contains(want), "\(text) does not contain \(want)")
        }
    }

    @Test("lint on a file with three mistakes prints three file:line:col errors and exits 2")
    func lintCLI() throws {
        let path = Paths.temporary("three-mistakes.yml")
        let yaml = """
            title: three mistakes
            id: 11111111-2222-3333-4444-555555555555
            area: cyber
            level: hgh
            logsource: {category: dns}
            detection:
              sel:
                dns.query|endwith: .example
              condition: sel or missing
            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try picket(["signatures", "lint", path])
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix(path + ":") }
        #expect(lines.count == 3, "\(r.stderr)")
        #expect(lines.contains { $0.hasPrefix("\(path):4:8: level must be") })
        #expect(lines.contains { $0.hasPrefix("\(path):8:5: unknown modifier 'endwith'") })
        #expect(lines.contains { $0.hasPrefix("\(path):9:21: condition: unknown selection 'missing'") })
        // The same set refuses to scan.
        let scan = try picket(["scan", "-s", path, Paths.corpus("suricata-verify/bug-130/input.pcap")])
        #expect(scan.status == 2)
    }

    /// 6,000 signatures of 9 lines each (about 1.3 MB: loaded as runs of documents in parallel).
    static func bigSet(_ range: Range<Int> = 0..<6000, mistakesAt: Set<Int>, syntaxErrorAt: Int? = nil) -> String {
        var out = ""
        for i in range {
            if i > range.lowerBound { out += "---\n" }
            let level = mistakesAt.contains(i) ? "hgh" : "medium"
            let quote = syntaxErrorAt == i ? "\"" : ""
            out += """
                title: \(quote)indicator \(i)
                id: ioc-\(i)
                area: cyber
                level: \(level)
                logsource: {category: packet}
                detection:
                  sel:
                    payload|contains|cased: 'indicator-\(i)-\(String(repeating: "x", count: 100))'
                  condition: sel

                """
        }
        return out
    }

    @Test("a 1.3 MB file, loaded in parallel runs of documents: every signature in order, errors at their own lines")
    func bigFileLoadsInParallelAsOne() throws {
        let path = Paths.temporary("big-set.yml")
        // Document i starts at line 10 i + 1 (9 lines and a `---`); its level is on line 10 i + 4.
        let mistakes: Set<Int> = [0, 1, 2999, 3000, 5999]
        try Self.bigSet(mistakesAt: mistakes).write(toFile: path, atomically: true, encoding: .utf8)
        let r = try picket(["signatures", "lint", path])
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix(path + ":") }.map(String.init)
        #expect(lines == mistakes.sorted().map { "\(path):\(10 * $0 + 4):8: level must be informational, low, medium, high or critical, not 'hgh'" },
                "\(lines)")
        // Clean, all 6,000 load in file order.
        try Self.bigSet(mistakesAt: []).write(toFile: path, atomically: true, encoding: .utf8)
        let list = try picket(["signatures", "list", path])
        #expect(list.status == 0, "\(list.stderr)")
        let ids = list.stdout.split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }
        #expect(ids == (0..<6000).map { "ioc-\($0)" })
        // A YAML syntax error late in the file: that error alone, where a small file (read in one
        // piece) with the same documents from 4,490 on has it, 10 × 4,490 lines further down.
        try Self.bigSet(mistakesAt: [], syntaxErrorAt: 4500).write(toFile: path, atomically: true, encoding: .utf8)
        let broken = try picket(["signatures", "lint", path])
        let small = Paths.temporary("big-set-part.yml")
        try Self.bigSet(4490..<4520, mistakesAt: [], syntaxErrorAt: 4500).write(toFile: small, atomically: true, encoding: .utf8)
        let piece = try picket(["signatures", "lint", small])
        #expect(broken.status == 2 && piece.status == 2)
        let errors = broken.stderr.split(separator: "\n").filter { $0.hasPrefix(path + ":") }.map(String.init)
        let pieceErrors = piece.stderr.split(separator: "\n").filter { $0.hasPrefix(small + ":") }.map(String.init)
        #expect(errors.count == 1 && pieceErrors.count == 1, "\(broken.stderr)\n\(piece.stderr)")
        let located = try #require(pieceErrors.first).dropFirst(small.count + 1).split(separator: ":", maxSplits: 1)
        let pieceLine = try #require(Int(located[0]))
        #expect(errors.first == "\(path):\(pieceLine + 10 * 4490):\(located[1])", "\(errors) vs \(pieceErrors)")
    }

    @Test("the default set lints clean and is found from any working directory")
    func defaults() throws {
        let r = try run("/bin/sh", ["-c", "cd / && '\(Paths.picket)' signatures lint"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("signature(s) OK"))
        let list = try run("/bin/sh", ["-c", "cd /tmp && '\(Paths.picket)' signatures list"])
        for area in ["maritime", "cyber", "space"] { #expect(list.stdout.contains("\t\(area)\t")) }
    }

    @Test("an installed binary finds PREFIX/share/picket/Signatures (the layout scripts/install makes)")
    func installedLayout() throws {
        let prefix = Paths.temporary("prefix-\(UUID().uuidString)")
        try shell("mkdir -p '\(prefix)/bin' '\(prefix)/share/picket' && cp '\(Paths.picket)' '\(prefix)/bin/picket' && cp -R '\(Paths.repo.path)/Signatures' '\(prefix)/share/picket/Signatures'")
        // A signature only the installed copy has proves which folder was used.
        try (header("installed-only", category: "json") + "detection:\n  s: {a: 1}\n  condition: s\n")
            .write(toFile: prefix + "/share/picket/Signatures/installed-only.yml", atomically: true, encoding: .utf8)
        let r = try run("/bin/sh", ["-c", "cd / && '\(prefix)/bin/picket' signatures list"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("installed-only"))
    }
}

@Suite struct PatternCacheTests {
    @Test("the compiled-database cache: hit for the same patterns, miss when a byte, a flag, the order or the kind of a pattern differs")
    func cacheKeys() throws {
        let folder = Paths.temporary("hs-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func compile(_ patterns: [Pattern]) throws -> Bool {
            try PatternDatabase(patterns: patterns, mode: .block, singleMatch: true, cacheFolder: folder).fromCache
        }
        let a = Pattern(literal: Array("evil.example".utf8), caseless: false)
        let b = Pattern(literal: Array("c2.example".utf8), caseless: false)
        #expect(try compile([a, b]) == false)
        #expect(try compile([a, b]) == true)
        #expect(try compile([b, a]) == false)
        #expect(try compile([a, Pattern(literal: Array("c2.example".utf8), caseless: true)]) == false)
        #expect(try compile([a, Pattern(literal: Array("c2.exampl".utf8), caseless: false)]) == false)
        // A regex whose text is the literal's hex escape is a different pattern kind.
        #expect(try compile([a, Pattern(regex: "c2\\.example")]) == false)
        #expect(try compile([a, Pattern(regex: "c2\\.example")]) == true)
        // Lengths are part of the key: "ab" + "c" is not "a" + "bc".
        let ab = Pattern(literal: Array("ab".utf8), caseless: false), c = Pattern(literal: Array("c".utf8), caseless: false)
        let a1 = Pattern(literal: Array("a".utf8), caseless: false), bc = Pattern(literal: Array("bc".utf8), caseless: false)
        #expect(try compile([ab, c]) == false)
        #expect(try compile([a1, bc]) == false)
    }
}

@Suite struct BatchPrefilterTests {
    /// Literal packet signatures over a four-letter alphabet, so occurrences overlap, repeat and
    /// cross every boundary between payloads and the bytes around them.
    static func prefilter(_ literals: [String]) throws -> PayloadPrefilter {
        let path = Paths.temporary("batch-prefilter-\(UUID().uuidString).yml")
        let yaml = literals.enumerated().map { i, l in
            "title: literal \(i)\nid: lit-\(i)\narea: cyber\nlevel: low\nlogsource: {category: packet}\ndetection:\n  sel:\n    payload|contains|cased: '\(l)'\n  condition: sel\n"
        }.joined(separator: "---\n")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let set = try #require(SignatureSet.load(paths: [path]).set)
        let compiled = try CompiledSet(set: set, cacheFolder: nil)
        return try #require(try PayloadPrefilter(compiled))
    }

    @Test("one scan over a batch finds, for each payload, exactly what scanning that payload alone finds", arguments: [1, 2, 3, 4, 5])
    func batchEqualsEachPayload(seed: UInt64) throws {
        var rng = SplitMix64(state: seed)
        let alphabet = Array("abcd".utf8)
        let literals = Set((0..<40).map { _ in String(decoding: (0..<(1 + Int(rng.next() % 5))).map { _ in alphabet[Int(rng.next() % 4)] }, as: UTF8.self) })
        let p = try Self.prefilter(Array(literals).sorted())
        #expect(p.scansBatches)
        // A batch: each record is some "header" bytes then a payload (possibly empty).
        var bytes: [UInt8] = []
        var payloads: [Range<Int>] = []
        for _ in 0..<300 {
            bytes += (0..<Int(rng.next() % 6)).map { _ in alphabet[Int(rng.next() % 4)] }
            let n = Int(rng.next() % 40)
            let start = bytes.count
            bytes += (0..<n).map { _ in alphabet[Int(rng.next() % 4)] }
            payloads.append(start..<bytes.count)
        }
        var hits: [UInt32] = [], found: [Range<Int>] = []
        let ok = bytes.withUnsafeBytes { p.scanBatch($0, payloads: payloads, hits: &hits, found: &found) }
        #expect(ok)
        #expect(found.count == payloads.count)
        var mismatches = 0
        bytes.withUnsafeBytes { all in
            for (k, r) in payloads.enumerated() where k < found.count {
                var alone: [UInt32] = []
                p.scan(UnsafeRawBufferPointer(rebasing: all[r]), into: &alone)
                let batch = Array(hits[found[k]])
                if Set(alone) != Set(batch) || batch.count != Set(batch).count { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("a batch with more occurrences than the limit is refused (the caller scans each payload), not cut short")
    func occurrenceLimit() throws {
        let p = try Self.prefilter(["a"])
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: PayloadPrefilter.batchOccurrenceLimit + 10)
        var hits: [UInt32] = [], found: [Range<Int>] = []
        let ok = bytes.withUnsafeBytes { p.scanBatch($0, payloads: [0..<bytes.count], hits: &hits, found: &found) }
        #expect(!ok)
        #expect(hits.isEmpty && found.isEmpty)
    }
}
