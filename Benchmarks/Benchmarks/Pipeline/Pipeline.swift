// The whole pipeline as `picket scan` runs it: Scanner reads a capture file and a log file
// (sniffing, framing, decoding, counting), every event goes through the matcher, findings are
// written as EVE JSON lines (to /dev/null).
//
// Input: 500 packets and 500 log lines (1,000 records, so the scaled columns marked * read per
// record), 25 + 25 of them carrying an indicator. Signatures: the 1,000 indicators as packet
// signatures and again as text signatures (2,000 signatures). Each iteration checks the record
// counts and that exactly 50 findings were written.

import Benchmark
import BenchSupport
import PicketCore
import PicketScan
import PicketSignatures

final class PipelineState {
    let matcher: Matcher
    let output: OutputFile
    let inputs: [InputSpec]
    let bytes: Int
    let expectedFindings: Int
    let packets: Int
    let lines: Int

    init() {
        let indicators = Indicators.make(count: 1000)
        let capture = CaptureData.make(count: 500, indicators: indicators)
        let log = LogData.make(count: 500, indicators: indicators)
        let capturePath = SignatureFile.temporaryPath("pipeline.pcap")
        let logPath = SignatureFile.temporaryPath("pipeline.log")
        SignatureFile.writeBytes(capture.bytes, to: capturePath)
        SignatureFile.writeBytes(log.bytes, to: logPath)
        inputs = [.file(capturePath), .file(logPath)]
        bytes = capture.bytes.count + log.bytes.count
        expectedFindings = capture.planted.count + log.planted.count
        packets = capture.packets
        lines = log.lines
        let paths = [
            SignatureFile.write(SignatureFile.yaml(indicators, category: "packet"), name: "pipeline-packet.yml"),
            SignatureFile.write(SignatureFile.yaml(indicators, category: "text"), name: "pipeline-text.yml"),
        ]
        let loaded = SignatureSet.load(paths: paths)
        paths.forEach(SignatureFile.remove)
        guard let set = loaded.set, set.signatures.count == 2 * indicators.count else {
            fatalError("signature set did not load: \(loaded.errors.prefix(3))")
        }
        do {
            matcher = try Matcher(try CompiledSet(set: set, cacheFolder: nil))
            output = try OutputFile(path: "/dev/null")
        } catch {
            fatalError("setup failed: \(error)")
        }
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

    Benchmark("scan-capture-and-log-2k-signatures-eve-1000-records") { benchmark, s in
        let started = monotonicNanos()
        let writer = FindingWriter(output: s.output, format: .eve, filter: FindingFilter(), includePayload: false)
        let scanner: PicketScan.Scanner<MatchingSink>
        do {
            scanner = try PicketScan.Scanner(options: ScanOptions(), sink: MatchingSink(matcher: s.matcher, writer: writer), report: { _ in })
        } catch {
            BenchConfig.fail(benchmark, "scanner: \(error)")
            return
        }
        scanner.scan(s.inputs)
        s.output.flush()
        benchmark.measurement(BenchConfig.bytesPerSecond, BenchConfig.megabytesPerSecond(s.bytes, since: started))
        let st = scanner.stats
        let got = (st.packets.total, st.packets.decoded, st.lines.total, st.lines.decoded, scanner.sink.writer.total, st.damaged.count)
        let want = (s.packets, s.packets, s.lines, s.lines, s.expectedFindings, 0)
        if got != want {
            BenchConfig.fail(benchmark, "packets, decoded, lines, decoded, findings, damaged = \(got), expected \(want)")
        }
    } setup: {
        PipelineState()
    } teardown: {
        // The capture and log files live only as long as the benchmark.
        for name in ["pipeline.pcap", "pipeline.log"] { SignatureFile.remove(SignatureFile.temporaryPath(name)) }
    }
}
