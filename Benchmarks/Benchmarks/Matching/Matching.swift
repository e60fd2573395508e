// Signature matching alone: 1,000 and 10,000 literal signatures (`payload|contains|cased`, one
// per indicator) against 1,000 already decoded packets and 1,000 already decoded log lines.
// 50 of the 1,000 records carry one indicator each; each must give exactly one finding, from the
// right signature, and no other record may give one.
//
// The scaling factor is 1,000, so the scaled columns (marked *) read per packet or per line.
// `MB/s` counts the bytes of the records (whole frames for packets, lines without newlines).

import Benchmark
import BenchSupport
import PicketCore
import PicketIngest
import PicketLogs
import PicketNet
import PicketSignatures

let records = 1000

/// Counts findings and checks each is the planted indicator's signature in the planted record.
struct CheckingSink: FindingSink {
    let expected: [Int: String]
    var findings = 0
    var wrong = 0

    mutating func finding<E: Event>(_ signature: Signature, event: E, input: String, evidence: [Evidence],
                                    correlation: CorrelationHit?) -> Bool {
        findings += 1
        let n: Int
        switch event.origin.position {
        case .packet(let k), .line(let k): n = k
        }
        if expected[n] != signature.id { wrong += 1 }
        return true
    }
}

func compile(_ indicators: [String], category: String) -> Matcher {
    let path = SignatureFile.write(SignatureFile.yaml(indicators, category: category),
                                   name: "signatures-\(indicators.count)-\(category).yml")
    let loaded = SignatureSet.load(paths: [path])
    SignatureFile.remove(path)
    guard let set = loaded.set, loaded.set?.signatures.count == indicators.count else {
        fatalError("signature set did not load: \(loaded.errors.prefix(3))")
    }
    do { return try Matcher(try CompiledSet(set: set, cacheFolder: nil)) } catch {
        fatalError("signature set did not compile: \(error)")
    }
}

/// 1,000 packets framed and decoded once, their bytes kept in one block that lives as long as
/// the process (the events borrow it).
final class PacketState {
    let matcher: Matcher
    let expected: [Int: String]
    var decoded: [DecodedPacket] = []
    var frames: [UnsafeRawBufferPointer] = []
    var wire: [Int] = []
    var times: [Timestamp] = []
    var bytes = 0

    init(signatures: Int) {
        let indicators = Indicators.make(count: signatures)
        let capture = CaptureData.make(count: records, indicators: indicators)
        matcher = compile(indicators, category: "packet")
        expected = capture.planted.mapValues { "ioc-packet-\($0)" }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: capture.bytes.count, alignment: 16)
        let buffer = InputBuffer(source: MemorySource(capture.bytes))
        var framer = PcapFramer(buffer: buffer, maxRecord: 16 << 20)
        let decoder = PacketDecoder()
        var used = 0
        while let r = try? framer.next() {
            let dst = UnsafeMutableRawBufferPointer(rebasing: block[used..<(used + r.data.count)])
            dst.copyMemory(from: r.data)
            frames.append(UnsafeRawBufferPointer(dst))
            used += r.data.count
            var p = DecodedPacket()
            decoder.decode(linkType: r.linkType, UnsafeRawBufferPointer(dst), wireLength: r.originalLength, into: &p)
            decoded.append(p)
            wire.append(r.originalLength)
            times.append(r.timestamp)
        }
        bytes = used
        precondition(decoded.count == records && decoded.allSatisfy { $0.event == nil }, "capture did not decode cleanly")
    }
}

final class LineState {
    let matcher: Matcher
    let expected: [Int: String]
    var decoded: [DecodedLine] = []
    var lines: [UnsafeRawBufferPointer] = []
    var bytes = 0
    let readTime = Timestamp.now()

    init(signatures: Int) {
        let indicators = Indicators.make(count: signatures)
        let log = LogData.make(count: records, indicators: indicators)
        matcher = compile(indicators, category: "text")
        expected = log.planted.mapValues { "ioc-text-\($0)" }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: log.bytes.count, alignment: 16)
        log.bytes.withUnsafeBytes { block.copyMemory(from: $0) }
        let decoder = LogDecoder()
        var start = 0
        for i in 0..<block.count where block[i] == 10 {
            let line = UnsafeRawBufferPointer(rebasing: block[start..<i])
            var d = DecodedLine()
            decoder.decode(line, into: &d)
            decoded.append(d)
            lines.append(line)
            bytes += line.count
            start = i + 1
        }
        precondition(lines.count == records && decoded.allSatisfy { $0.problem == nil }, "log did not decode cleanly")
    }
}

func matchPackets(_ benchmark: Benchmark, _ s: PacketState) {
    var sink = CheckingSink(expected: s.expected)
    let started = monotonicNanos()
    s.decoded.withUnsafeBufferPointer { packets in
        for i in 0..<packets.count {
            let event = PacketEvent(packet: packets.baseAddress! + i, data: s.frames[i], wireLength: s.wire[i],
                                    origin: Origin(input: 0, position: .packet(i + 1)), timestamp: s.times[i])
            _ = s.matcher.process(event, input: "bench.pcap", sink: &sink)
        }
    }
    benchmark.measurement(BenchConfig.bytesPerSecond, BenchConfig.megabytesPerSecond(s.bytes, since: started))
    if sink.findings != s.expected.count || sink.wrong != 0 {
        BenchConfig.fail(benchmark, "\(sink.findings) findings (\(sink.wrong) wrong), expected exactly \(s.expected.count)")
    }
}

func matchLines(_ benchmark: Benchmark, _ s: LineState) {
    var sink = CheckingSink(expected: s.expected)
    let started = monotonicNanos()
    s.decoded.withUnsafeBufferPointer { decoded in
        for i in 0..<decoded.count {
            let event = LineEvent(line: s.lines[i], decoded: decoded.baseAddress! + i,
                                  origin: Origin(input: 0, position: .line(i + 1)), readTime: s.readTime)
            _ = s.matcher.process(event, input: "bench.log", sink: &sink)
        }
    }
    benchmark.measurement(BenchConfig.bytesPerSecond, BenchConfig.megabytesPerSecond(s.bytes, since: started))
    if sink.findings != s.expected.count || sink.wrong != 0 {
        BenchConfig.fail(benchmark, "\(sink.findings) findings (\(sink.wrong) wrong), expected exactly \(s.expected.count)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: BenchConfig.metrics,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 2000,
        thresholds: BenchConfig.thresholds
    )

    Benchmark("match-1k-signatures-1000-packets") { benchmark, state in
        matchPackets(benchmark, state)
    } setup: {
        PacketState(signatures: 1000)
    }

    Benchmark("match-10k-signatures-1000-packets") { benchmark, state in
        matchPackets(benchmark, state)
    } setup: {
        PacketState(signatures: 10_000)
    }

    Benchmark("match-1k-signatures-1000-lines") { benchmark, state in
        matchLines(benchmark, state)
    } setup: {
        LineState(signatures: 1000)
    }

    Benchmark("match-10k-signatures-1000-lines") { benchmark, state in
        matchLines(benchmark, state)
    } setup: {
        LineState(signatures: 10_000)
    }
}
