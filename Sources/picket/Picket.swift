import ArgumentParser
import Foundation
import PicketCore
import PicketNMEA
import PicketReport
import PicketScan
import PicketSignatures

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Picket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "picket",
        abstract: "Scan network captures and log streams for cyber and hybrid-threat indicators.",
        discussion: """
            Picket reads pcap and pcapng captures, gzip/zlib-compressed or not, and text logs \
            (syslog, JSON lines, NMEA, plain text) from files, folders and stdin, detecting each \
            input's format from its content.
            """,
        subcommands: [Scan.self, Decode.self, Summarize.self, Signatures.self]
    )

    /// Bad usage exits 2 (DESIGN.md section 5), not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Options every command that reads inputs shares.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Files, folders (walked recursively in sorted order), or - for stdin. With none, a piped stdin is read.", valueName: "input"))
    var inputs: [String] = []

    @Option(name: .customLong("filter"), help: ArgumentHelp("A libpcap (BPF) filter applied to packets before decoding, e.g. 'tcp port 443'.", valueName: "bpf"))
    var filter: String?

    @Option(name: .customLong("max-line-bytes"), help: "Longest log line kept; longer lines are counted as skipped (the line_length cap).")
    var maxLineBytes: Int = 1 << 20

    @Option(name: .customLong("zones"), help: ArgumentHelp("GeoJSON zones (polygons, line strings with buffer_m) for ais.zone; a file or a folder, repeatable.", valueName: "path"))
    var zones: [String] = []
    @Option(name: .customLong("stream-depth"), help: ArgumentHelp("Bytes of each TCP stream direction reassembled and inspected; 0 for no limit (the stream_depth cap).", valueName: "bytes"))
    var streamDepth: Int64 = 1 << 20

    @Option(name: .customLong("max-flows"), help: ArgumentHelp("Flows tracked at once; the least recently active is evicted beyond it (the flows cap).", valueName: "n"))
    var maxFlows: Int = 65536

    @Option(name: .customLong("threads"), help: ArgumentHelp("Threads to use (default: all cores). With 2 or more, framing and decoding run ahead of matching on a thread of their own, and gzip inflates on another; findings are the same whatever the number.", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("decode-ahead-from"), help: ArgumentHelp("Smallest regular file decoded ahead on a second thread (tests set 0).", valueName: "bytes", visibility: .hidden))
    var decodeAheadFrom: Int64 = 4 << 20

    @Flag(name: .customLong("progress"), inversion: .prefixedNo, help: "A progress bar on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    @Flag(name: .customLong("stats"), help: "Print counts and throughput on stderr at the end.")
    var stats = false

    @Option(name: .customLong("stats-json"), help: ArgumentHelp("Write the counts as one JSON object to this file.", valueName: "file"))
    var statsJSON: String?

    func validate() throws {
        if maxLineBytes < 1 || maxLineBytes > 64 << 20 {
            throw ValidationError("--max-line-bytes must be between 1 and \(64 << 20)")
        }
        if streamDepth < 0 { throw ValidationError("--stream-depth must be 0 (no limit) or a number of bytes") }
        if maxFlows < 1 || maxFlows > 16 << 20 { throw ValidationError("--max-flows must be between 1 and \(16 << 20)") }
        if threads < 1 || threads > 1024 { throw ValidationError("--threads must be between 1 and 1024") }
        if inputs.isEmpty && isatty(0) != 0 {
            throw ValidationError("no input: name files or folders, or pipe data into stdin (use - to read it explicitly)")
        }
    }

    var specs: [InputSpec] { InputWalker.expand(inputs.isEmpty ? ["-"] : inputs) }

    var scanOptions: ScanOptions {
        var o = ScanOptions()
        o.filter = filter
        o.maxLineBytes = maxLineBytes
        o.network.stream.depth = streamDepth
        o.network.flows.maxFlows = maxFlows
        o.threads = threads
        o.decodeAheadMinimumBytes = decodeAheadFrom
        return o
    }
}

/// Write a message to stderr. Messages quote file names, rule text and input lines, all of
/// which may hold terminal control sequences: those are shown, not sent.
func printError(_ message: String) {
    let line = TextEscape.clean(message, keepingLineBreaks: true)
    if let bar = ProgressBar.current { return bar.print(line) }
    var s = line + "\n"
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Run a scanner over the inputs, write the stats, and choose the exit status (DESIGN.md 5):
/// 2 when no input could be read, 3 when some input was damaged, else 0.
/// `finish` runs after the scan (to flush and count findings) before stats are written.
func runScan<Sink: EventSink>(_ input: InputOptions, sink: Sink, output: OutputFile?, zoneFolders: [String],
                              prefilter: PayloadPrefilter? = nil,
                              finish: (Sink, inout ScanStats) -> Void = { _, _ in }) throws -> ScanStats {
    signal(SIGPIPE, SIG_IGN)
    let scanner: PicketScan.Scanner<Sink>
    var options = input.scanOptions
    do {
        // Zones: the default set's zones/ folder and those beside --signatures, plus --zones.
        options.zones = try ZoneSet.load(paths: zoneFolders + input.zones)
    } catch {
        printError("picket: \(error.message)")
        throw ExitCode(2)
    }
    let specs = input.specs
    // The progress bar counts bytes read against the inputs' sizes (unknown for stdin and pipes).
    var bar: ProgressBar?
    if input.progress ?? (isatty(2) != 0) {
        bar = ProgressBar(sizes: specs.map { spec -> Int64? in
            guard let path = spec.pathBytes else { return spec == .standardInput ? nil : 0 }
            var st = stat()
            return InputWalker.withCPath(path, { stat($0, &st) }) == 0 && st.st_mode & S_IFMT == S_IFREG ? Int64(st.st_size) : nil
        })
        options.progress = bar?.meter
    }
    do {
        scanner = try PicketScan.Scanner(options: options, sink: sink, report: printError)
    } catch {
        printError("picket: \(error.message)")
        throw ExitCode(2)
    }
    scanner.prefilter = prefilter
    bar?.start()
    scanner.scan(specs)
    bar?.stop()
    output?.flush()
    var stats = scanner.stats
    finish(scanner.sink, &stats)
    if input.stats { printError(StatsReport.text(stats)) }
    if let path = input.statsJSON {
        var json = JSONOut()
        stats.writeJSON(to: &json)
        json.newline()
        do {
            let f = try OutputFile(path: path)
            f.write(json.bytes)
            f.flush()
        } catch {
            printError("picket: \(error.message)")
            throw ExitCode(2)
        }
    }
    if stats.unreadable == specs.count {
        // (No specs at all: the folders named hold no file Picket reads.)
        printError(specs.isEmpty ? "picket: no readable input: the folders hold no files" : "picket: no readable input")
        throw ExitCode(2)
    }
    if !stats.damaged.isEmpty { throw ExitCode(3) }
    return stats
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan captures and logs with signatures; findings as EVE JSON lines or text.",
        discussion: """
            Examples:
              picket scan capture.pcap.gz --stats
              tcpdump -w - -i eth0 | picket scan - -o findings.json
              zcat ais.log.gz | picket scan - --area maritime --min-level medium
              picket scan evidence/ -s my-signatures/ --with-defaults --fail-on high

            The default signature set (Signatures/) is used unless --signatures is given.
            Exit status: 0 the scan ran; 1 --fail-on was given and a finding reached it; 2 bad \
            usage, unreadable signature set or no readable input; 3 some input was damaged (each \
            damage is reported on stderr with the file and byte offset; 3 wins over 1).
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: [.customShort("s"), .customLong("signatures")], help: ArgumentHelp("Signature file or folder (repeatable); replaces the default set unless --with-defaults.", valueName: "path"))
    var signatures: [String] = []

    @Flag(name: .customLong("with-defaults"), help: "Also load the default signature set when --signatures is given.")
    var withDefaults = false

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a Suricata rule variable, e.g. --var 'HOME_NET=[10.0.0.0/8]' (repeatable).", valueName: "name=value"))
    var variables: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write findings to this file (EVE JSON lines) instead of stdout.", valueName: "file"))
    var outputPath: String?

    @Option(name: .customLong("format"), help: ArgumentHelp("eve or text (default: text on a terminal, eve otherwise).", valueName: "format"))
    var format: String?

    @Option(name: .customLong("area"), help: ArgumentHelp("Only findings of these areas: maritime,cyber,space (or the option again).", valueName: "list"))
    var area: [String] = []

    @Option(name: .customLong("min-level"), help: ArgumentHelp("Only findings of this level or higher (informational, low, medium, high, critical).", valueName: "level"))
    var minLevel: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 when a finding reaches this level.", valueName: "level"))
    var failOn: String?

    @Flag(name: .customLong("payload"), help: "Add the matched packet's, stream's or line's bytes to each finding (payload, payload_printable).")
    var payload = false

    @OptionGroup var summary: SummaryOptions

    func validate() throws {
        if let format, FindingWriter.Format(rawValue: format) == nil { throw ValidationError("--format must be eve or text") }
        for l in [minLevel, failOn].compactMap({ $0 }) where Level(name: l) == nil {
            throw ValidationError("'\(l)' is not a level: informational, low, medium, high or critical")
        }
        for a in area.flatMap({ $0.split(separator: ",") }) where Area(rawValue: a.trimmingCharacters(in: .whitespaces)) == nil {
            throw ValidationError("'\(a)' is not an area: maritime, cyber or space")
        }
        if withDefaults && signatures.isEmpty { throw ValidationError("--with-defaults adds the defaults to --signatures; give --signatures too") }
        for v in variables where !v.contains("=") { throw ValidationError("--var takes NAME=VALUE, not '\(v)'") }
    }

    func run() throws {
        var paths = signatures
        if signatures.isEmpty || withDefaults {
            guard let defaults = SignatureSet.defaultFolder() else {
                printError("picket: the default signature set (Signatures/) was not found; set PICKET_SIGNATURES or use --signatures")
                throw ExitCode(2)
            }
            paths.append(defaults)
        }
        let compiled = try loadSignatures(paths, variables: Self.parseVariables(variables), threads: input.threads)
        let matcher: Matcher
        // With a decode-ahead thread, payloads are prefiltered there (its own Hyperscan scratch).
        let prefilter: PayloadPrefilter?
        do {
            matcher = try Matcher(compiled)
            prefilter = input.threads > 1 ? try PayloadPrefilter(compiled, cacheFolder: SignatureLoading.cacheFolder()) : nil
        } catch {
            printError("picket: \(error.message)")
            throw ExitCode(2)
        }
        let output: OutputFile
        if let path = outputPath {
            do { output = try OutputFile(path: path) } catch {
                printError("picket: \(error.message)")
                throw ExitCode(2)
            }
        } else {
            output = OutputFile(fd: 1)
        }
        let chosen = format.flatMap(FindingWriter.Format.init(rawValue:)) ?? (outputPath == nil && isatty(1) != 0 ? .text : .eve)
        var filter = FindingFilter()
        if !area.isEmpty {
            // Repeated or comma-separated, the areas add up (`--area maritime --area cyber`).
            filter.areas = Set(area.flatMap { $0.split(separator: ",") }.compactMap { Area(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
        }
        if let minLevel, let l = Level(name: minLevel) { filter.minimumLevel = l }
        let writer = FindingWriter(output: output, format: chosen, filter: filter, includePayload: payload,
                                   keepRecords: !summary.paths.isEmpty)
        var highest: Level?
        var records: [FindingRecord] = []
        do {
            _ = try runScan(input, sink: MatchingSink(matcher: matcher, writer: writer), output: output,
                            zoneFolders: Self.zoneFolders(paths), prefilter: prefilter) { sink, stats in
                output.flush()
                stats.findings = sink.writer.total
                for a in Area.allCases { stats.findingsByArea[a.rawValue] = sink.writer.byArea[a] ?? 0 }
                highest = sink.writer.highest
                records = sink.writer.records ?? []
                for (cap, n) in sink.matcher.capsHit where n > 0 { stats.capsHit[cap, default: 0] += n }
            }
        } catch {
            // Damaged input still gets its summary: what was read is reported.
            try summary.write(Summary.build(findings: records, gapSeconds: summary.gapSeconds))
            throw error
        }
        try summary.write(Summary.build(findings: records, gapSeconds: summary.gapSeconds))
        if let failOn, let threshold = Level(name: failOn), let highest, highest >= threshold { throw ExitCode(1) }
    }
}

/// `--summary FILE` (repeatable, format by extension) and the incident gap.
struct SummaryOptions: ParsableArguments {
    @Option(name: .customLong("summary"), help: ArgumentHelp("Write an incident summary; the format follows the extension: .md, .json, .html, .stix.json (repeatable).", valueName: "file"))
    var paths: [String] = []

    @Option(name: .customLong("incident-gap"), help: ArgumentHelp("Findings about one entity further apart than this many minutes start a new incident.", valueName: "minutes"))
    var gapMinutes: Int = 30

    var gapSeconds: Int { gapMinutes * 60 }

    enum Kind { case markdown, json, html, stix }

    static func kind(_ path: String) -> Kind? {
        let p = path.lowercased()
        if p.hasSuffix(".stix.json") { return .stix }
        if p.hasSuffix(".json") { return .json }
        if p.hasSuffix(".md") || p.hasSuffix(".markdown") { return .markdown }
        if p.hasSuffix(".html") || p.hasSuffix(".htm") { return .html }
        return nil
    }

    func validate() throws {
        if gapMinutes < 0 { throw ValidationError("--incident-gap must not be negative") }
        if gapMinutes > 52_560_000 { throw ValidationError("--incident-gap must be at most 52560000 minutes (100 years)") }
        for p in paths where Self.kind(p) == nil {
            throw ValidationError("--summary \(p): name the format by extension: .md, .json, .html or .stix.json")
        }
    }

    func write(_ summary: Summary) throws {
        for path in paths {
            let bytes: [UInt8]
            switch Self.kind(path)! {
            case .markdown: bytes = Array(MarkdownSummary.render(summary).utf8)
            case .json: bytes = SummaryJSON.write(summary)
            case .html: bytes = Array(HTMLSummary.render(summary).utf8)
            case .stix:
                var now: [UInt8] = []
                Timestamp.now().appendISO8601(to: &now)
                bytes = STIXBundle.render(summary, created: STIXBundle.time(String(decoding: now, as: UTF8.self)))
            }
            do {
                let f = try OutputFile(path: path)
                f.write(bytes)
                f.flush()
            } catch {
                printError("picket: \(error.message)")
                throw ExitCode(2)
            }
        }
    }
}

struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build incident summaries from saved findings (or merge summaries of shards).",
        discussion: """
            Examples:
              picket summarize findings.json --summary report.md --summary report.html
              picket summarize night-1.json night-2.json --summary partners.stix.json
              picket summarize part-a.summary.json part-b.summary.json --summary whole.json

            Inputs are findings files (EVE JSON lines from picket scan) or JSON summaries; both \
            merge, so summaries of shards give the summary of the whole.
            """
    )

    @Argument(help: ArgumentHelp("Findings files (JSON lines) or JSON summaries.", valueName: "findings"))
    var inputs: [String]

    @OptionGroup var summary: SummaryOptions

    func validate() throws {
        if summary.paths.isEmpty { throw ValidationError("give at least one --summary FILE (.md, .json, .html or .stix.json)") }
        if inputs.isEmpty { throw ValidationError("name the findings files to summarize") }
    }

    func run() throws {
        var parts: [Incident] = []
        for path in inputs {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("picket: cannot read \(path)")
                throw ExitCode(2)
            }
            if let s = SummaryJSON.read(data) {
                parts += s.incidents
            } else {
                let findings = data.split(separator: 10).compactMap { FindingRecord(json: Data($0)) }
                let lines = data.split(separator: 10).filter { !$0.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 } }.count
                if findings.count < lines {
                    printError("picket: \(path): \(lines - findings.count) line(s) are not Picket findings and were skipped")
                }
                parts += Summary.build(findings: findings, gapSeconds: summary.gapSeconds).incidents
            }
        }
        try summary.write(Summary.merge(parts, gapSeconds: summary.gapSeconds))
    }
}

extension Scan {
    /// Zone folders: the default set's `zones/` always (DESIGN.md 3: a user's own cable rule
    /// given with `--signatures` must still see the default cables), plus `zones/` inside each
    /// signature folder given, each once.
    static func zoneFolders(_ signaturePaths: [String]) -> [String] {
        var seen = Set<String>()
        return ((SignatureSet.defaultFolder().map { [$0] } ?? []) + signaturePaths).compactMap { p in
            var isDir: ObjCBool = false
            let z = (p as NSString).appendingPathComponent("zones")
            guard FileManager.default.fileExists(atPath: z, isDirectory: &isDir), isDir.boolValue,
                  seen.insert(URL(fileURLWithPath: z).standardizedFileURL.resolvingSymlinksInPath().path).inserted else { return nil }
            return z
        }
    }
}

extension Scan {
    static func parseVariables(_ list: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for v in list {
            guard let eq = v.firstIndex(of: "=") else { continue }
            var name = String(v[..<eq])
            if name.hasPrefix("$") { name.removeFirst() }
            out[name] = String(v[v.index(after: eq)...])
        }
        return out
    }
}

/// Load and compile a signature set, or print every error (`file:line:col: message`) and exit 2.
/// `threads`: how many threads may load large signature files (`--threads`).
func loadSignatures(_ paths: [String], variables: [String: String] = [:],
                    threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> CompiledSet {
    try loadSignaturesWithSummary(paths, variables: variables, threads: threads).0
}

/// The compiled set and, for Suricata rule files, how many rules each unsupported keyword skipped.
func loadSignaturesWithSummary(_ paths: [String], variables: [String: String] = [:],
                               threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> (CompiledSet, [String: Int]) {
    let result = SignatureSet.load(paths: paths, variables: variables, threads: threads)
    for w in result.warnings { printError("picket: warning: \(w)") }
    guard let set = result.set else {
        for e in result.errors { printError(e.description) }
        printError("picket: \(result.errors.count) error(s) in the signature set; nothing was scanned")
        throw ExitCode(2)
    }
    do {
        return (try CompiledSet(set: set, cacheFolder: SignatureLoading.cacheFolder()), result.unsupported)
    } catch {
        printError("picket: cannot compile the signature set: \(error.message)")
        throw ExitCode(2)
    }
}

struct Signatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check or list signature sets.",
        subcommands: [Lint.self, List.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate signatures; print every error as file:line:col: message.",
            discussion: """
                Examples:
                  picket signatures lint Signatures/
                  picket signatures lint my-rule.yml

                Exit status: 0 when every signature is valid, 2 otherwise.
                """
        )
        @Argument(help: ArgumentHelp("Signature files or folders (default: the default set).", valueName: "path"))
        var paths: [String] = []

        func run() throws {
            let paths = try Signatures.resolvedPaths(self.paths)
            let (compiled, skipped) = try loadSignaturesWithSummary(paths)
            if !skipped.isEmpty {
                print("skipped Suricata rules by unsupported keyword: " + skipped.sorted { $0.value > $1.value }.map { "\(TextEscape.clean($0.key)) \($0.value)" }.joined(separator: ", "))
            }
            let sigs = compiled.set.signatures
            let byArea = Dictionary(grouping: sigs, by: \.area).mapValues(\.count)
            print("\(sigs.count) signature(s) OK in \(compiled.set.files.count) file(s): " +
                  Area.allCases.map { "\($0.rawValue) \(byArea[$0] ?? 0)" }.joined(separator: ", ") +
                  "; \(compiled.patternCount) prefilter pattern(s), compiled in \(Int(compiled.compileSeconds * 1000)) ms\(compiled.fromCache ? " (from cache)" : "")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List signatures: id, area, level, title, logsource, and how each is matched.",
            discussion: """
                Examples:
                  picket signatures list
                  picket signatures list my-signatures/ | grep maritime
                """
        )
        @Argument(help: ArgumentHelp("Signature files or folders (default: the default set).", valueName: "path"))
        var paths: [String] = []

        func run() throws {
            let compiled = try loadSignatures(try Signatures.resolvedPaths(self.paths))
            for (i, s) in compiled.set.signatures.enumerated() {
                let source = s.correlation != nil ? "correlation" : (s.category ?? "-")
                print([TextEscape.clean(s.id), s.area.rawValue, s.level.name, TextEscape.clean(s.title), TextEscape.clean(source), compiled.strategy(of: i)].joined(separator: "\t"))
            }
        }
    }

    static func resolvedPaths(_ paths: [String]) throws -> [String] {
        if !paths.isEmpty { return paths }
        guard let d = SignatureSet.defaultFolder() else {
            printError("picket: the default signature set (Signatures/) was not found; name a path")
            throw ExitCode(2)
        }
        return [d]
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every decoded event as one JSON object a line, to see the fields signatures use.",
        discussion: """
            Examples:
              picket decode capture.pcapng | head
              picket decode --payload --filter 'tcp port 80' capture.pcap
              journalctl -o json | picket decode -

            Each object has kind, timestamp, input, pcap_cnt or line, and the event's fields \
            nested by their dotted names. A JSON log line's own fields appear under "json". \
            Captures also give stream events (reassembled TCP data: flow_id, direction, \
            stream.offset, stream.length, stream.gap; the bytes only with --payload) and dns, \
            http and tls events with Suricata's EVE field names.
            """
    )

    @OptionGroup var input: InputOptions

    @Flag(name: .customLong("payload"), help: "Add each event's payload bytes, base64-encoded.")
    var payload = false

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write events to this file instead of stdout.", valueName: "file"))
    var outputPath: String?

    func run() throws {
        let output: OutputFile
        if let path = outputPath {
            do { output = try OutputFile(path: path) } catch {
                printError("picket: \(error.message)")
                throw ExitCode(2)
            }
        } else {
            output = OutputFile(fd: 1)
        }
        _ = try runScan(input, sink: DecodeWriter(output: output, includePayload: payload), output: output,
                        zoneFolders: Scan.zoneFolders([]))
    }
}
