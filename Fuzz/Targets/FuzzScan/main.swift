// The whole scan, as `picket scan` runs it on one file: sniffing by content, gzip/zlib layers,
// pcap/pcapng or line framing, every decoder and the network stages. The input is the file.
// Invariants:
// - `total = decoded + malformed + skipped` for packets and for lines, and only one kind
//   of record is counted for a file that is not compressed;
// - every damage report names the input and an offset inside it (compressed inputs: inside
//   the stored file), with a reason;
// - every event answers its fields and writes valid JSON; caps are counted, never negative;
// - with a decode-ahead thread (`threads = 2`) the counts, damage, caps and events are the same;
// - matching literal signatures as `picket scan` does, one thread and two (the payload
//   prefilter a batch at a time, log lines without a hit counted without being decoded) give
//   the same findings and counts;
// - those findings (one input in four) make an incident summary whose JSON and STIX are valid JSON (the summary
//   JSON reads back) and whose Markdown and HTML carry no control character (but tab and newline) from the input.
import FuzzSupport
import Foundation
import PicketCore
import PicketLogs
import PicketReport
import PicketScan
import PicketSignatures

let path = "/dev/shm/picket-fuzz-scan-\(getpid())"

/// Literal packet and text signatures only (so log lines can go undecoded when nothing hits).
let literals: CompiledSet = {
    // (Common enough to hit in most inputs, rare enough that findings do not dominate a run.)
    let words = ["GET ", "HTTP", "root", "error", "$GP", "!AI", "{\"", "ab", "ing", "000", "\\", "\t"]
    let text = words.enumerated().map { i, w in
        "title: literal \(i)\nid: literal-\(i)\narea: cyber\nlevel: low\nlogsource: {category: \(i % 2 == 0 ? "text" : "packet")}\n"
            + "detection:\n  sel:\n    payload|contains|cased: \"\(w.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\t", with: "\\t"))\"\n  condition: sel\n"
    }.joined(separator: "---\n")
    let file = "/dev/shm/picket-fuzz-scan-signatures-\(getpid()).yml"
    FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
    let loaded = SignatureSet.load(paths: [file])
    unlink(file)
    guard let set = loaded.set, loaded.errors.isEmpty, set.signatures.count == words.count,
          let compiled = try? CompiledSet(set: set, cacheFolder: nil) else {
        invariantFailed("literal signatures: \(loaded.errors)")
    }
    return compiled
}()
let devNull = OutputFile(fd: open("/dev/null", O_WRONLY))
/// Made once (it compiles a database); scans run one at a time.
let prefilter: PayloadPrefilter = {
    guard let p = try? PayloadPrefilter(literals), p.scansBatches else { invariantFailed("literal prefilter") }
    return p
}()

/// The findings (signature, where) and counts of a scan matching `literals`.
func matchingScan(_ options: ScanOptions, threads: Int) -> (findings: [String], packets: RecordCounts, lines: RecordCounts,
                                                           records: [FindingRecord]) {
    var o = options
    o.threads = threads
    o.decodeAheadMinimumBytes = 0
    do {
        let writer = FindingWriter(output: devNull, format: .eve, filter: FindingFilter(), includePayload: false, keepRecords: true)
        let scanner = try PicketScan.Scanner(options: o, sink: MatchingSink(matcher: try Matcher(literals), writer: writer), report: { _ in })
        if threads > 1 { scanner.prefilter = prefilter }
        scanner.scan([.file(path)])
        let records = scanner.sink.writer.records ?? []
        require(records.count == scanner.sink.writer.total, "\(scanner.sink.writer.total) findings, \(records.count) read back")
        return (records.map { "\($0.rule) \($0.positionKind) \($0.position)" }, scanner.stats.packets, scanner.stats.lines, records)
    } catch {
        invariantFailed("matching scanner setup: \(error)")
    }
}

runFuzzer { input in
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    require(fd >= 0, "cannot write \(path)")
    if let base = input.baseAddress { _ = write(fd, base, input.count) }
    close(fd)
    var options = ScanOptions()
    let h = inputHash(input)
    if h & 1 == 1 {
        options.maxLineBytes = 64
        options.maxRecordBytes = 256
        options.network.flows.maxFlows = 2
        options.network.stream.memcap = 4096
        options.network.defrag.memcap = 4096
    }
    var reports = 0
    let scanner: PicketScan.Scanner<CheckingSink>
    do {
        scanner = try PicketScan.Scanner(options: options, sink: CheckingSink(), report: { _ in reports += 1 })
    } catch {
        invariantFailed("scanner setup: \(error)")
    }
    scanner.scan([.file(path)])
    let s = scanner.stats
    for (name, c) in [("packets", s.packets), ("lines", s.lines)] {
        require(c.total == c.decoded + c.malformed + c.skipped && c.total >= 0, "\(name): \(c.total) ≠ \(c.decoded) + \(c.malformed) + \(c.skipped)")
    }
    require(s.packets.total == 0 || s.lines.total == 0, "one file counted as packets and as lines")
    require(s.bytesIn == Int64(input.count), "bytes_in \(s.bytesIn) for a \(input.count)-byte file")
    for d in s.damaged {
        require(d.input == path, "damage names \(d.input)")
        // Framing damage inside a compressed layer is reported at its decompressed offset, and says so.
        let decompressed = d.reason.hasSuffix("(offset in the decompressed data)")
        require(d.offset >= 0 && (decompressed || d.offset <= Int64(input.count)), "damage offset \(d.offset) outside the \(input.count)-byte file: \(d.reason)")
        require(!d.reason.isEmpty, "damage without a reason")
    }
    require(reports >= s.damaged.count, "\(s.damaged.count) damages but \(reports) reports")
    for (cap, n) in s.capsHit { require(n >= 0, "cap \(cap) counted \(n)") }
    // With a decode-ahead thread (--threads 2) everything must come out the same.
    var threaded = options
    threaded.threads = 2
    threaded.decodeAheadMinimumBytes = 0
    let other: PicketScan.Scanner<CheckingSink>
    do {
        other = try PicketScan.Scanner(options: threaded, sink: CheckingSink(), report: { _ in })
    } catch {
        invariantFailed("scanner setup: \(error)")
    }
    other.scan([.file(path)])
    let t = other.stats
    require(t.packets == s.packets && t.lines == s.lines, "--threads 2 counted packets \(t.packets), lines \(t.lines); one thread: \(s.packets), \(s.lines)")
    require(t.damaged.map { "\($0.offset) \($0.reason)" } == s.damaged.map { "\($0.offset) \($0.reason)" }, "--threads 2 reported other damage: \(t.damaged) vs \(s.damaged)")
    require(t.capsHit == s.capsHit, "--threads 2 hit caps \(t.capsHit), one thread \(s.capsHit)")
    require(other.sink.events == scanner.sink.events, "--threads 2 gave \(other.sink.events) events, one thread \(scanner.sink.events)")
    let one = matchingScan(options, threads: 1), two = matchingScan(options, threads: 2)
    require(one.packets == s.packets && one.lines == s.lines, "matching changed the counts: \(one.packets), \(one.lines) vs \(s.packets), \(s.lines)")
    require(two.packets == one.packets && two.lines == one.lines,
            "matching with --threads 2 counted packets \(two.packets), lines \(two.lines); one thread: \(one.packets), \(one.lines)")
    require(two.findings == one.findings, "matching with --threads 2 found \(two.findings); one thread \(one.findings)")
    // (One input in four: rendering four summaries was most of a run's time.)
    if h % 4 == 0 { checkSummary(Summary.build(findings: one.records)) }
}

func checkSummary(_ s: Summary) {
    func validJSON(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { JSONScanner.validate($0) == nil } }
    let json = SummaryJSON.write(s)
    require(validJSON(json), "summary JSON is not JSON: \(String(decoding: json.prefix(2000), as: UTF8.self))")
    require(SummaryJSON.read(Data(json))?.incidents.count == s.incidents.count, "summary JSON does not read back")
    let stix = STIXBundle.render(s, created: "2026-11-27T00:00:00Z")
    require(validJSON(stix), "STIX is not JSON: \(String(decoding: stix.prefix(2000), as: UTF8.self))")
    for (name, text) in [("Markdown", MarkdownSummary.render(s)), ("HTML", HTMLSummary.render(s))] {
        if let bad = text.utf8.first(where: { $0 < 0x20 && $0 != 10 && $0 != 9 }) {
            invariantFailed("\(name) summary carries control byte \(bad) from the input")
        }
    }
}
