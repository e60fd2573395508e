// Framing and decoding, without signatures: pcap records → L2–L4, text lines → syslog/JSON/text.
//
// Each iteration handles exactly 1,000 records and the scaling factor is 1,000, so the scaled
// columns (marked * in the output) read per packet or per line: `Malloc (total) *` is
// allocations per record, `Throughput (# / s) *` records per second. `MB/s` is input bytes per
// second. Each iteration checks its counts and fails the run if one is wrong.

import Benchmark
import BenchSupport
import PicketCore
import PicketIngest
import PicketLogs
import PicketNet

let records = 1000

final class DecodingState {
    let indicators = Indicators.make(count: 1000)
    lazy var capture = CaptureData.make(count: records, indicators: indicators)
    lazy var log = LogData.make(count: records, indicators: indicators)
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

    Benchmark("pcap-framing-and-L2-L4-decoding-1000-packets") { benchmark, state in
        let c = state.capture
        let started = monotonicNanos()
        let buffer = InputBuffer(source: MemorySource(c.bytes), capacity: 1 << 20)
        var framer = PcapFramer(buffer: buffer, maxRecord: 16 << 20)
        let decoder = PacketDecoder()
        var p = DecodedPacket()
        var decoded = 0, tcp = 0, udp = 0, v6 = 0, vlan = 0, payload = 0
        do {
            while let r = try framer.next() {
                decoder.decode(linkType: r.linkType, r.data, wireLength: r.originalLength, into: &p)
                if p.event == nil { decoded += 1 }
                if p.ipProto == 6 { tcp += 1 } else if p.ipProto == 17 { udp += 1 }
                if p.ipVersion == 6 { v6 += 1 }
                if p.vlanCount > 0 { vlan += 1 }
                payload += p.payloadLength
            }
        } catch {
            BenchConfig.fail(benchmark, "pcap framing failed: \(error)")
            return
        }
        benchmark.measurement(BenchConfig.bytesPerSecond, BenchConfig.megabytesPerSecond(c.bytes.count, since: started))
        let got = (decoded, tcp, udp, v6, vlan, payload)
        let want = (c.packets, c.tcp, c.udp, c.ipv6, c.vlan, c.payloadBytes)
        if got != want {
            BenchConfig.fail(benchmark, "decoded, tcp, udp, ipv6, vlan, payload bytes = \(got), expected \(want)")
        }
    } setup: {
        DecodingState()
    }

    Benchmark("line-framing-and-log-decoding-1000-lines") { benchmark, state in
        let l = state.log
        let started = monotonicNanos()
        let buffer = InputBuffer(source: MemorySource(l.bytes), capacity: 1 << 20)
        var framer = LineFramer(buffer: buffer, maxLineBytes: 1 << 20)
        let decoder = LogDecoder()
        var d = DecodedLine()
        var lines = 0, syslog = 0, json = 0, text = 0, problems = 0
        do {
            while let line = try framer.next() {
                lines += 1
                decoder.decode(line.bytes, into: &d)
                if d.problem != nil { problems += 1 }
                switch d.format {
                case .syslog: syslog += 1
                case .json: json += 1
                case .text: text += 1
                }
            }
        } catch {
            BenchConfig.fail(benchmark, "line framing failed: \(error)")
            return
        }
        benchmark.measurement(BenchConfig.bytesPerSecond, BenchConfig.megabytesPerSecond(l.bytes.count, since: started))
        let got = (lines, syslog, json, text, problems)
        let want = (l.lines, l.syslog, l.json, l.text, 0)
        if got != want {
            BenchConfig.fail(benchmark, "lines, syslog, json, text, malformed = \(got), expected \(want)")
        }
    } setup: {
        DecodingState()
    }
}
