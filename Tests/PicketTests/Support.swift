import Foundation
import PicketCore
import PicketIngest
import Testing

/// The repository root and the shared corpus beside it (`../shared/corpus`).
enum Paths {
    static let repo: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let corpus: URL = repo.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static func corpus(_ relative: String) -> String { corpus.appendingPathComponent(relative).path }

    /// Every capture in the suricata-verify corpus, sorted.
    static func suricataVerifyCaptures() -> [String] {
        let root = corpus.appendingPathComponent("suricata-verify")
        let fm = FileManager.default
        guard let tests = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var out: [String] = []
        for t in tests.sorted() {
            let dir = root.appendingPathComponent(t)
            for f in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where f.hasSuffix(".pcap") {
                out.append(dir.appendingPathComponent(f).path)
            }
        }
        return out
    }

    /// The `picket` executable built beside the test bundle.
    static let picket: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("picket").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return repo.appendingPathComponent(".build/debug/picket").path
    }()

    static func temporary(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("picket-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Run a program, optionally feeding stdin from a file, and collect its output.
@discardableResult
func run(_ executable: String, _ arguments: [String], stdinFile: String? = nil) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    if let stdinFile { p.standardInput = FileHandle(forReadingAtPath: stdinFile) } else { p.standardInput = FileHandle.nullDevice }
    try p.run()
    // Read both pipes concurrently so a full pipe cannot stall the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}

/// Run a shell pipeline (for peers such as tcpdump and zcat).
func shell(_ command: String) throws -> RunResult { try run("/bin/sh", ["-c", command]) }

func picket(_ arguments: [String], stdinFile: String? = nil) throws -> RunResult {
    try run(Paths.picket, arguments, stdinFile: stdinFile)
}

/// Parse `--stats-json` output.
func statsJSON(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func counts(_ stats: [String: Any], _ key: String) -> (total: Int, decoded: Int, malformed: Int, skipped: Int) {
    let c = stats[key] as? [String: Any] ?? [:]
    return (c["total"] as? Int ?? -1, c["decoded"] as? Int ?? -1, c["malformed"] as? Int ?? -1, c["skipped"] as? Int ?? -1)
}

/// Bytes from commented hex: whitespace and `#…` comments are ignored.
func hex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for line in text.split(separator: "\n") {
        let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let digits = code.filter { $0.isHexDigit }
        var i = digits.startIndex
        while i < digits.endIndex {
            let j = digits.index(after: i)
            out.append(UInt8(digits[i...j], radix: 16)!)
            i = digits.index(after: j)
        }
    }
    return out
}

/// A classic little-endian microsecond pcap of Ethernet frames, one second apart.
func writePcap(_ path: String, frames: [[UInt8]], start: UInt32 = 1_795_766_400) throws {
    var out: [UInt8] = []
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    u32(0xA1B2_C3D4); u16(2); u16(4); u32(0); u32(0); u32(262_144); u32(1)
    for (i, f) in frames.enumerated() {
        u32(start + UInt32(i)); u32(0); u32(UInt32(f.count)); u32(UInt32(f.count))
        out += f
    }
    try Data(out).write(to: URL(fileURLWithPath: path))
}

/// Ethernet + IPv4 + UDP around a payload (checksums left zero, as offloading NICs capture them).
func udpFrame(_ payload: [UInt8], src: UInt32 = 0x0A00_0001, dst: UInt32 = 0x0A00_0002, sport: UInt16 = 40000, dport: UInt16 = 9999) -> [UInt8] {
    var f: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00]
    let total = 28 + payload.count
    f += [0x45, 0, UInt8(total >> 8), UInt8(total & 255), 0, 1, 0x40, 0, 64, 17, 0, 0]
    for v in [src, dst] { f += [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    let ulen = 8 + payload.count
    f += [UInt8(sport >> 8), UInt8(sport & 255), UInt8(dport >> 8), UInt8(dport & 255), UInt8(ulen >> 8), UInt8(ulen & 255), 0, 0]
    return f + payload
}

/// A deterministic generator (SplitMix64), so failures reproduce.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
