import Foundation
import Testing

/// Limits under pressure, small enough for the suite (about half a minute in a debug build):
/// generated inputs streamed through stdin by `scripts/make-pressure.py` (nothing stored),
/// peak memory from `/usr/bin/time -v`, caps from `--stats-json`. `scripts/pressure` runs the
/// same with a multi-gigabyte capture, a release build and the default signatures (CI's last
/// step); here an empty signature set keeps the debug build quick.
@Suite(.serialized) struct PressureTests {
    static let noSignatures: String = {
        let dir = Paths.temporary("pressure-no-signatures")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    struct Run {
        var stats: [String: Any]
        var rssMB: Double
        var generator: [String: Int]
        func cap(_ name: String) -> Int { (stats["caps_hit"] as? [String: Any])?[name] as? Int ?? -1 }
    }

    /// `make-pressure.py ARGS | picket scan - PICKET_ARGS`, measured.
    func pressure(_ generator: String, _ picketArgs: String = "") throws -> Run {
        let statsPath = Paths.temporary("pressure-\(UUID().uuidString).json")
        let genPath = Paths.temporary("pressure-gen-\(UUID().uuidString).txt")
        let script = Paths.repo.appendingPathComponent("scripts/make-pressure.py").path
        let r = try shell("python3 '\(script)' \(generator) 2>'\(genPath)' | /usr/bin/time -v '\(Paths.picket)' scan - -s '\(Self.noSignatures)' \(picketArgs) --stats-json '\(statsPath)' 2>&1 >/dev/null")
        #expect(r.status == 0, "\(r.stdout)")
        let stats = try statsJSON(statsPath)
        let rssLine = r.stdout.split(separator: "\n").first { $0.contains("Maximum resident set size") } ?? ""
        let rssKB = Double(rssLine.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? -1
        var gen: [String: Int] = [:]
        for kv in ((try? String(contentsOfFile: genPath, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace) {
            let parts = kv.split(separator: "=")
            if parts.count == 2, let v = Int(parts[1]) { gen[String(parts[0])] = v }
        }
        for name in ["packets", "lines"] {
            let c = counts(stats, name)
            #expect(c.total == c.decoded + c.malformed + c.skipped, "\(name): \(c)")
        }
        #expect((stats["damaged_inputs"] as? [Any])?.isEmpty == true)
        return Run(stats: stats, rssMB: rssKB / 1024, generator: gen)
    }

    @Test("a 256 MB generated capture through stdin: every packet counted, flows evicted, memory bounded")
    func capture() throws {
        let r = try pressure("capture 256", "--max-flows 20000")
        #expect(counts(r.stats, "packets").total == r.generator["packets"])
        #expect(r.stats["bytes_in"] as? Int == r.generator["bytes"])
        #expect(r.cap("flows") > 0)
        #expect(r.rssMB > 0 && r.rssMB < 256, "peak RSS \(r.rssMB) MB")
    }

    @Test("a million concurrent flows: all counted, the flow table capped at 65,536, memory bounded")
    func millionFlows() throws {
        let r = try pressure("flows 1000000")
        #expect(counts(r.stats, "packets").total == 1_000_000)
        #expect(r.cap("flows") == 1_000_000 - 65536)
        #expect(r.rssMB > 0 && r.rssMB < 256, "peak RSS \(r.rssMB) MB")
    }

    @Test("a million distinct MMSIs: every report decoded, 100,000 tracks kept, memory bounded")
    func millionVessels() throws {
        let r = try pressure("mmsi 1000000")
        let l = counts(r.stats, "lines")
        #expect(l.total == 1_000_000 && l.decoded == 1_000_000)
        #expect(r.cap("ais_tracks") == 1_000_000 - 100_000)
        #expect(r.rssMB > 0 && r.rssMB < 256, "peak RSS \(r.rssMB) MB")
    }
}
