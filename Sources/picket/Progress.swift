#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PicketCore
import PicketIngest

/// The progress bar on stderr (`--progress`; by default when stderr is a terminal): bytes read
/// of the inputs' total size, throughput and which input, redrawn five times a second on one
/// line. Messages printed meanwhile (`printError`) clear the line first, so nothing mixes.
final class ProgressBar: @unchecked Sendable {
    let meter = ProgressMeter()
    private let total: Int64?
    private let inputCount: Int
    private let started = Timestamp.now()
    private let lock = NSLock()
    private var drawn = false
    private var stopped = false
    private let finished = NSCondition()
    private var running = true

    /// The bar in use, so `printError` can clear it.
    nonisolated(unsafe) static var current: ProgressBar?

    /// `sizes`: the size of each input, nil where unknown (stdin, pipes).
    init(sizes: [Int64?]) {
        inputCount = sizes.count
        total = sizes.contains { $0 == nil } ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) }
    }

    func start() {
        Self.current = self
        let t = Thread { [self] in
            while true {
                finished.lock()
                if !running { finished.unlock(); return }
                _ = finished.wait(until: Date(timeIntervalSinceNow: 0.2))
                let go = running
                finished.unlock()
                if !go { return }
                draw()
            }
        }
        t.start()
    }

    /// Stop redrawing and clear the line.
    func stop() {
        finished.lock()
        running = false
        finished.signal()
        finished.unlock()
        lock.lock()
        stopped = true
        clearLocked()
        lock.unlock()
        Self.current = nil
    }

    /// Write a message line to stderr without mixing it with the bar.
    func print(_ text: String) {
        lock.lock()
        clearLocked()
        var s = text + "\n"
        s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        lock.unlock()
    }

    private func clearLocked() {
        guard drawn else { return }
        let clear: [UInt8] = Array("\r\u{1B}[K".utf8)
        _ = clear.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        drawn = false
    }

    static func human(_ n: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = n, u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(Int(v)) B" : String(format: "%.1f %@", v, units[u])
    }

    /// The bar's text for `read` bytes after `seconds`, input `current` of the inputs.
    static func line(read: Int64, total: Int64?, seconds: Double, current: Int, inputs: Int, width: Int = 24) -> String {
        let rate = seconds > 0 ? Double(read) / seconds : 0
        var s = ""
        if let total, total > 0 {
            let f = min(1, Double(read) / Double(total))
            let filled = Int(f * Double(width))
            s += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            s += String(format: "%3d%% ", Int(f * 100)) + human(Double(read)) + " of " + human(Double(total))
            if rate > 0 && f < 1 {
                let left = Double(total - read) / rate
                s += String(format: ", %.0f s left", left.rounded(.up))
            }
        } else {
            s += human(Double(read)) + " read"
        }
        s += ", " + human(rate) + "/s"
        if inputs > 1 { s += ", input \(min(current, inputs)) of \(inputs)" }
        return s
    }

    private func draw() {
        let text = Self.line(read: meter.bytesRead, total: total, seconds: Timestamp.now().seconds - started.seconds,
                             current: meter.inputsStarted, inputs: inputCount)
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        let bytes = Array(("\r\u{1B}[K" + "picket: " + text).utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        drawn = true
    }
}
