import Benchmark

/// What every benchmark here measures, and how far a run may drift from the committed
/// thresholds (`Benchmarks/Thresholds/`, p90 of each metric) before `thresholds check` fails.
///
/// Allocation counts are the point: they must not grow at all (a few per iteration of slack for
/// the framework's own noise). Times on a shared 2-core machine move by tens of percent from one
/// run to the next, so time-based metrics only catch large regressions. Left out: the ARC metrics
/// (they crash with the MallocInterposer trait, see SWIFT-NOTES.md), CPU time (its 10 ms ticks
/// read 0 for iterations of well under a millisecond) and instructions (`perf` counters are not
/// available on these virtual machines).
///
/// Benchmark names have no spaces: `thresholds update` (1.38.1) writes `Thresholds/<target>.<name
/// with spaces as _>.p90.json` but `thresholds check` looks for the name as it is.
public enum BenchConfig {
    /// Input bytes per second, in MB (10^6), measured inside the iteration.
    public static var bytesPerSecond: BenchmarkMetric { BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false) }

    public static var metrics: [BenchmarkMetric] {[
        .wallClock, .throughput,
        .mallocCountTotal, .mallocBytesCount, .mallocFreeDelta, .memoryLeakedBytes,
        .peakMemoryResident,
        bytesPerSecond,
    ]}

    static var time: BenchmarkThresholds { BenchmarkThresholds(relative: [.p90: 60.0]) }
    static var allocations: BenchmarkThresholds { BenchmarkThresholds(absolute: [.p90: 5]) }
    static var memory: BenchmarkThresholds { BenchmarkThresholds(relative: [.p90: 25.0]) }

    public static var thresholds: [BenchmarkMetric: BenchmarkThresholds] {[
        .wallClock: time, .throughput: time, bytesPerSecond: time,
        .mallocCountTotal: allocations, .mallocFreeDelta: allocations,
        .mallocBytesCount: memory, .memoryLeakedBytes: BenchmarkThresholds(absolute: [.p90: 4096]),
        .peakMemoryResident: memory,
    ]}

    public static func megabytesPerSecond(_ bytes: Int, since started: UInt64) -> Int {
        let ns = max(1, monotonicNanos() - started)
        return Int(Double(bytes) * 1000 / Double(ns))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BenchConfig {
    nonisolated(unsafe) private static var failed = false

    /// A benchmark that got the wrong result fails the whole run. `Benchmark.error` alone drops
    /// the benchmark from the results and prints the reason, but ordo-one/benchmark 1.38.1 still
    /// exits 0 after a plain run; so the benchmark process also ends with status 1 when it exits,
    /// which the plugin reports as "benchmark job(s) failed during runtime" and exits non-zero.
    public static func fail(_ benchmark: Benchmark, _ message: String) {
        benchmark.error(message)
        if !failed {
            failed = true
            atexit { _exit(1) }
        }
    }
}
