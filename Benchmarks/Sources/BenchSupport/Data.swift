#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic inputs for the benchmarks: a capture, a log and literal indicators, with the
/// counts every benchmark must reproduce (aho-corasick's benchmarks carry their expected match
/// count; a benchmark that finds the wrong number is a failure, not a fast result).
///
/// Indicators are chosen so that filler can never contain one by accident:
/// - domains: a label of ten characters mixing digits and letters from g–z (`qzk7xv3bht.net`);
///   filler has only pure-letter words, pure numbers and lowercase hex runs, none of which can
///   hold such a label;
/// - md5 (32 hex) and sha1 (40 hex) digests, which random hex in filler matches with
///   probability 16^-32.
/// Within a family all indicators have one length, so no indicator contains another.

/// SplitMix64: small, fast, and the same sequence everywhere.
public struct SeededRandom {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
}

public enum Indicators {
    static let tlds = ["com", "net", "org", "info", "biz", "ru", "cn", "xyz", "top", "io"]

    /// `count` distinct indicators; the first 1,000 of a longer list are the 1,000-list.
    public static func make(count: Int, seed: UInt64 = 0x5049_434B_4554) -> [String] {
        var rng = SeededRandom(seed: seed)
        var out: [String] = []
        var seen: Set<String> = []
        out.reserveCapacity(count)
        let hex = Array("0123456789abcdef")
        let high = Array("ghijklmnopqrstuvwxyz")
        let digits = Array("0123456789")
        while out.count < count {
            let s: String
            switch out.count % 3 {
            case 0:
                // At least one g–z letter and one digit, so no filler token can hold it.
                var label: [Character] = []
                for k in 0..<10 {
                    if k == 0 || k == 4 || k == 8 { label.append(rng.pick(high)) }
                    else if k == 3 || k == 7 { label.append(rng.pick(digits)) }
                    else { label.append(rng.below(2) == 0 ? rng.pick(high) : rng.pick(hex)) }
                }
                s = String(label) + "." + rng.pick(tlds)
            case 1: s = String((0..<32).map { _ in rng.pick(hex) })
            default: s = String((0..<40).map { _ in rng.pick(hex) })
            }
            if seen.insert(s).inserted { out.append(s) }
        }
        return out
    }
}

/// Filler text: words, numbers, hex ids and punctuation; never an indicator.
public enum Filler {
    static let words = [
        "the", "request", "server", "client", "session", "connection", "accepted", "closed", "timeout", "user",
        "admin", "login", "password", "failed", "success", "download", "upload", "update", "config", "service",
        "Content", "Type", "Length", "Accept", "Encoding", "gzip", "deflate", "keep", "alive", "Cache", "Control",
        "Mozilla", "Windows", "Linux", "AppleWebKit", "like", "Gecko", "Chrome", "Safari", "text", "html", "json",
        "application", "image", "png", "www", "example", "cdn", "static", "assets", "index", "api", "v", "items",
        "query", "status", "error", "warning", "info", "debug", "kernel", "eth", "link", "up", "down", "port",
        "from", "to", "via", "for", "with", "and", "or", "not", "vessel", "position", "track", "report", "sensor",
    ]
    static let punct = [" ", " ", " ", " ", ", ", "/", ": ", "; ", " - ", "=", "&", "?", ". "]

    /// Append about `n` bytes of filler to `out`.
    public static func append(_ n: Int, to out: inout [UInt8], _ rng: inout SeededRandom) {
        let end = out.count + n
        let hex = Array("0123456789abcdef".utf8)
        while out.count < end {
            switch rng.below(10) {
            case 0: out += Array(String(rng.below(100_000)).utf8)
            case 1: for _ in 0..<(8 + rng.below(9)) { out.append(hex[rng.below(16)]) }
            default: out += Array(rng.pick(words).utf8)
            }
            out += Array(rng.pick(punct).utf8)
        }
        if out.count > end { out.removeLast(out.count - end) }
    }
}

/// Which records carry an indicator: every 20th record from the 8th (50 per 1,000), each a
/// different indicator of the first 1,000, so the 1,000- and 10,000-lists find the same ones.
public enum Plan {
    public static func indicator(forRecord i: Int) -> Int? {
        guard i % 20 == 7 else { return nil }
        return (i / 20 * 37) % 1000
    }
}

/// A classic pcap capture (Ethernet, microseconds) in memory.
public struct CaptureData {
    public var bytes: [UInt8] = []
    public var packets = 0
    public var tcp = 0
    public var udp = 0
    public var ipv6 = 0
    public var vlan = 0
    public var payloadBytes = 0
    /// 1-based packet number → planted indicator index.
    public var planted: [Int: Int] = [:]

    /// `count` packets: TCP and UDP over IPv4 (some 802.1Q-tagged) and IPv6, text payloads of
    /// 40 to 1,400 bytes, an indicator in the packets the plan names.
    public static func make(count: Int, indicators: [String], seed: UInt64 = 7) -> CaptureData {
        var d = CaptureData()
        var rng = SeededRandom(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count * 800)
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func be16(_ v: UInt16, _ a: inout [UInt8]) { a.append(UInt8(v >> 8)); a.append(UInt8(v & 255)) }
        func be32(_ v: UInt32, _ a: inout [UInt8]) { for s in [24, 16, 8, 0] { a.append(UInt8(v >> UInt32(s) & 255)) } }
        le32(0xA1B2_C3D4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)
        for i in 0..<count {
            var payload: [UInt8] = []
            let size = rng.below(4) == 0 ? 900 + rng.below(500) : 40 + rng.below(400)
            if let k = Plan.indicator(forRecord: i) {
                let before = rng.below(size / 2 + 1)
                Filler.append(before, to: &payload, &rng)
                payload += Array(" \(indicators[k]) ".utf8)
                Filler.append(max(0, size - before), to: &payload, &rng)
                d.planted[i + 1] = k
            } else {
                Filler.append(size, to: &payload, &rng)
            }
            let isTCP = i % 3 != 2
            let isV6 = i % 10 == 9
            let tagged = !isV6 && i % 7 == 3
            var l4: [UInt8] = []
            if isTCP {
                be16(UInt16(1024 + rng.below(60000)), &l4); be16(i % 2 == 0 ? 443 : 80, &l4)
                be32(UInt32(truncatingIfNeeded: rng.next()), &l4); be32(UInt32(truncatingIfNeeded: rng.next()), &l4)
                l4 += [0x50, 0x18]; be16(64240, &l4); be16(0, &l4); be16(0, &l4)
            } else {
                be16(UInt16(1024 + rng.below(60000)), &l4); be16(53, &l4)
                be16(UInt16(8 + payload.count), &l4); be16(0, &l4)
            }
            l4 += payload
            var frame: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]
            if tagged { be16(0x8100, &frame); be16(UInt16(100 + i % 50), &frame) }
            if isV6 {
                be16(0x86DD, &frame)
                frame += [0x60, 0, 0, 0]; be16(UInt16(l4.count), &frame); frame += [isTCP ? 6 : 17, 64]
                frame += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [UInt8(1 + i % 200)]
                frame += [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [0x01]
            } else {
                be16(0x0800, &frame)
                frame += [0x45, 0]; be16(UInt16(20 + l4.count), &frame); be16(UInt16(truncatingIfNeeded: i), &frame)
                frame += [0x40, 0, 64, isTCP ? 6 : 17, 0, 0]
                be32(0x0A00_0000 | UInt32(1 + i % 250), &frame); be32(0xC0A8_0001, &frame)
            }
            frame += l4
            le32(UInt32(1_795_000_000 + i / 100)); le32(UInt32(i % 100 * 10_000))
            le32(UInt32(frame.count)); le32(UInt32(frame.count))
            out += frame
            d.packets += 1
            if isTCP { d.tcp += 1 } else { d.udp += 1 }
            if isV6 { d.ipv6 += 1 }
            if tagged { d.vlan += 1 }
            d.payloadBytes += payload.count
        }
        d.bytes = out
        return d
    }
}

/// Log lines in four shapes, one after the other: RFC 3164 as files write it (no `<PRI>`),
/// RFC 5424, JSON lines, plain text.
public struct LogData {
    public var bytes: [UInt8] = []
    public var lines = 0
    public var syslog = 0
    public var json = 0
    public var text = 0
    /// 1-based line number → planted indicator index.
    public var planted: [Int: Int] = [:]

    public static func make(count: Int, indicators: [String], seed: UInt64 = 11) -> LogData {
        var d = LogData()
        var rng = SeededRandom(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count * 200)
        let hosts = ["gw-01", "web-3", "db-2", "bridge", "ais-rx"]
        let apps = ["sshd", "nginx", "kernel", "cron", "aisd"]
        for i in 0..<count {
            var msg: [UInt8] = []
            if let k = Plan.indicator(forRecord: i) {
                Filler.append(10 + rng.below(60), to: &msg, &rng)
                msg += Array(" \(indicators[k]) ".utf8)
                Filler.append(rng.below(60), to: &msg, &rng)
                d.planted[i + 1] = k
            } else {
                Filler.append(40 + rng.below(120), to: &msg, &rng)
            }
            // Filler has no quotes or backslashes, so it goes into JSON strings as it is.
            let s = 10 + i % 50, m = i / 60 % 60
            let host = rng.pick(hosts), app = rng.pick(apps), pid = 100 + rng.below(30000)
            let mm = m < 10 ? "0\(m)" : "\(m)", ss = s < 10 ? "0\(s)" : "\(s)"
            switch i % 4 {
            case 0:
                out += Array("Nov 27 06:\(mm):\(ss) \(host) \(app)[\(pid)]: ".utf8); d.syslog += 1
            case 1:
                out += Array("<34>1 2026-11-27T06:\(mm):\(ss).123Z \(host) \(app) \(pid) ID47 - ".utf8); d.syslog += 1
            case 2:
                out += Array("{\"timestamp\":\"2026-11-27T06:\(mm):\(ss)Z\",\"host\":\"\(host)\",\"level\":\"info\",\"msg\":\"".utf8)
                d.json += 1
            default:
                out += Array("INFO [\(app)] ".utf8); d.text += 1
            }
            out += msg
            if i % 4 == 2 { out += Array("\",\"bytes\":\(pid)}".utf8) }
            out.append(10)
            d.lines += 1
        }
        d.bytes = out
        return d
    }
}

/// Native signature files: one signature per indicator, `payload|contains|cased` (the same
/// question `grep -F` answers), in the given `logsource.category`.
public enum SignatureFile {
    public static func yaml(_ indicators: [String], category: String) -> String {
        var s = ""
        s.reserveCapacity(indicators.count * 160)
        for (i, l) in indicators.enumerated() {
            s += "title: indicator \(i)\nid: ioc-\(category)-\(i)\narea: cyber\nlevel: medium\nlogsource: {category: \(category)}\n"
            s += "detection:\n  sel:\n    payload|contains|cased: '\(l)'\n  condition: sel\n---\n"
        }
        return s
    }

    /// Write `text` to a fresh file under the temporary folder; returns its path.
    public static func write(_ text: String, name: String) -> String {
        let dir = "/tmp/picket-bench-\(getpid())"
        mkdir(dir, 0o755)
        let path = dir + "/" + name
        let bytes = Array(text.utf8)
        writeBytes(bytes, to: path)
        return path
    }

    public static func writeBytes(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        bytes.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                let n = Glibc.write(fd, b.baseAddress! + done, b.count - done)
                precondition(n > 0, "cannot write \(path)")
                done += n
            }
        }
        close(fd)
    }

    /// Remove a file made by `write` or `temporaryPath`, and the per-process folder once empty.
    public static func remove(_ path: String) {
        unlink(path)
        rmdir("/tmp/picket-bench-\(getpid())")
    }

    public static func temporaryPath(_ name: String) -> String {
        let dir = "/tmp/picket-bench-\(getpid())"
        mkdir(dir, 0o755)
        return dir + "/" + name
    }
}

/// Monotonic nanoseconds, for the bytes-per-second metric.
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
