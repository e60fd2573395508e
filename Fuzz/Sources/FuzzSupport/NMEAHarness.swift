import PicketCore
import PicketNMEA

/// Rewrite the checksums of NMEA sentences (`$…*hh`, `!…*hh`) and tag blocks (`\…*hh\`) in
/// `line` so they are right: random mutations would otherwise stop at the checksum check.
public func fixChecksums(_ line: inout [UInt8]) {
    let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
    var i = 0
    let n = line.count
    while i < n {
        let c = line[i]
        if c == UInt8(ascii: "$") || c == UInt8(ascii: "!") || c == UInt8(ascii: "\\") {
            var x: UInt8 = 0
            var j = i + 1
            while j < n && line[j] != UInt8(ascii: "*") && line[j] != UInt8(ascii: "\\") && line[j] != UInt8(ascii: "$")
                    && line[j] != UInt8(ascii: "!") {
                x ^= line[j]
                j += 1
            }
            if j < n && line[j] == UInt8(ascii: "*") {
                if j + 1 < n { line[j + 1] = hex[Int(x >> 4)] }
                if j + 2 < n { line[j + 2] = hex[Int(x & 15)] }
                i = j + 3
                continue
            }
            i = max(j, i + 1)
            continue
        }
        i += 1
    }
}

/// Lines of NMEA through the decoder as the scanner feeds them (blank lines and lines that
/// are not NMEA are the log decoder's), then the whole input as one datagram from a packet.
/// Invariants:
/// - every line is counted exactly once and `total = decoded + malformed + skipped`;
/// - every line gives at least one event, each answering its fields and writing valid JSON;
/// - vessels, receivers and pending AIS fragment groups stay within their caps.
public func fuzzNMEA(_ input: UnsafeRawBufferPointer, maxTracks: Int, maxReceivers: Int) {
    let fix = input.first != UInt8(ascii: "#")
    let decoder = NMEADecoder(maxTracks: maxTracks, maxReceivers: maxReceivers)
    var sink = CheckingSink()
    var stats = ScanStats()
    var lineNumber = 0
    var fed = 0
    var start = 0
    let n = input.count
    var line: [UInt8] = []
    var i = 0
    while i <= n {
        if i == n || input[i] == 10 {
            lineNumber += 1
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<i]))
            if line.last == 13 { line.removeLast() }
            if fix { fixChecksums(&line) }
            let blank = line.allSatisfy { $0 == 32 || $0 == 9 }
            let isNMEA = line.withUnsafeBytes { NMEADecoder.isNMEA($0) }
            if !blank && isNMEA {
                fed += 1
                let before = stats.lines.total
                let eventsBefore = sink.events
                let ok = line.withUnsafeBytes { b in
                    decoder.decodeLine(b, origin: Origin(input: 0, position: .line(lineNumber)), readTime: Timestamp(nanoseconds: 1_800_000_000_000_000_000),
                                       input: "fuzz", stats: &stats, sink: &sink)
                }
                require(ok, "decodeLine reported a stop")
                require(stats.lines.total == before + 1, "a line was counted \(stats.lines.total - before) times")
                require(sink.events > eventsBefore, "a line gave no event")
                require(decoder.trackedVessels <= maxTracks, "\(decoder.trackedVessels) vessels tracked, cap \(maxTracks)")
                require(decoder.pendingFragmentGroups <= 1024, "\(decoder.pendingFragmentGroups) AIS fragment groups pending")
            }
            start = i + 1
        }
        i += 1
    }
    let l = stats.lines
    require(l.total == fed && l.total == l.decoded + l.malformed + l.skipped,
            "lines: fed \(fed), total \(l.total) = \(l.decoded) + \(l.malformed) + \(l.skipped)?")
    for (cap, count) in stats.capsHit { require(count > 0, "cap \(cap) hit \(count) times") }
    // The same bytes as a datagram (IEC 61162-450 or NMEA over UDP) from a packet: the first
    // 512 bytes (the path differs from lines only in framing; the decoding is shared).
    var datagram = Array(input.prefix(512))
    if fix { fixChecksums(&datagram) }
    let ok = datagram.withUnsafeBytes { b in
        decoder.consume(datagram: b, origin: Origin(input: 0, position: .packet(1)), timestamp: Timestamp(nanoseconds: 0),
                        source: "10.0.0.1:10110", input: "fuzz", sink: &sink)
    }
    require(ok, "consume(datagram:) reported a stop")
    decoder.drainCaps(into: &stats)
}
