import Foundation
import PicketCore
import PicketIngest
import PicketNMEA
import Testing

/// The real `picket` binary on NMEA input, and the framers one byte at a time.
@Suite(.serialized) struct NMEACLITests {
    func scanStats(_ args: [String]) throws -> (RunResult, [String: Any]) {
        let statsPath = Paths.temporary("nmea-stats-\(UUID().uuidString).json")
        let r = try picket(["scan"] + args + ["--stats-json", statsPath])
        return (r, try statsJSON(statsPath))
    }

    /// gp-320fw-2019-04-07-coldboot.log: a GPS simulator and a restart garble the serial line.
    /// Of its 154 lines, 20 are comments and 2 start with a comma (text); of the 132 NMEA lines,
    /// 44 are malformed: 33 bad checksums, 5 without a checksum, 3 with data after the
    /// checksum, 3 cut off by the start of another sentence. (INDEX.md's "29 lines with
    /// missing or broken checksums" counts differently; gpsd accepts the same sentences as
    /// Picket, below.)
    @Test("bad checksums are malformed lines with named decoder events; exit status stays 0")
    func badChecksums() throws {
        let path = try corpusFile("nmea/gnss/gpsd/gp-320fw-2019-04-07-coldboot.log")
        let (r, stats) = try scanStats([path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = counts(stats, "lines")
        #expect(lines.total == 154 && lines.malformed == 44 && lines.decoded == 110 && lines.skipped == 0, "\(lines)")
        #expect((stats["damaged_inputs"] as? [Any])?.isEmpty == true)

        let (events, _) = try scanEvents([path])
        var byEvent: [String: Int] = [:]
        for e in events { if let d = e.decoderEvent { byEvent[d, default: 0] += 1 } }
        #expect(byEvent == ["decoder.nmea.bad_checksum": 33, "decoder.nmea.missing_checksum": 5,
                            "decoder.nmea.trailing_data": 3, "decoder.nmea.truncated": 3], "\(byEvent)")
        // The sentences Picket decodes are the ones gpsd accepted, and two more: a GSA whose
        // line break was lost before the next `$`, with a good checksum, which gpsd drops.
        let ours = events.filter { ($0.kind == "gnss" || $0.kind == "nmea") && $0.decoderEvent == nil }.map { $0.raw }
        let chk = try String(contentsOfFile: path + ".chk", encoding: .isoLatin1)
        let gpsd = chk.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("{") }
        #expect(Set(gpsd).isSubset(of: Set(ours)))
        func tally(_ a: [String]) -> [String: Int] { a.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
        let extra = tally(ours).compactMap { k, v in v > (tally(gpsd)[k] ?? 0) ? "\(k) ×\(v - (tally(gpsd)[k] ?? 0))" : nil }
        #expect(extra == ["$GPGSA,A,1,,,,,,,,,,,,,,,*1E ×2"], "\(extra)")
        // The malformed GSV with a valid checksum is decoded (its odd fields as they come).
        #expect(events.contains { $0.raw == "$GPGSV,3,3,12,2,40,16,00,090,*72" && $0.kind == "gnss" })
    }

    @Test("every NMEA log of the corpus: every line counted, nothing damaged, exit 0")
    func wholeCorpus() throws {
        let (r, stats) = try scanStats([try corpusFile("nmea/ais"), try corpusFile("nmea/gnss"), try corpusFile("nmea/mixed")])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = counts(stats, "lines")
        let expected = try #require(Int(try shell("cat '\(Paths.corpus("nmea"))'/ais/*/* '\(Paths.corpus("nmea"))'/gnss/*/* '\(Paths.corpus("nmea"))'/mixed/*/* | wc -l")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(lines.total >= expected)
        #expect(lines.total == lines.decoded + lines.malformed + lines.skipped)
        #expect(lines.malformed > 0 && lines.decoded > 10000)
    }

    @Test("picket decode prints AIS and GNSS fields nested by name, with the default zones and those of --zones")
    func decodeWithZones() throws {
        let zones = Paths.temporary("anchorage-zones.geojson")
        let geo = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"anchorage:Porvoo"},"geometry":{"type":"Polygon","coordinates":[[[25.6,60.1],[25.8,60.1],[25.8,60.3],[25.6,60.3],[25.6,60.1]]]}}]}"#
        try Data(geo.utf8).write(to: URL(fileURLWithPath: zones))
        let r = try picket(["decode", "--zones", zones, Paths.repo.appendingPathComponent("Samples/baltic-ais.log.gz").path,
                            Paths.repo.appendingPathComponent("Samples/bridge-gnss.log").path])
        #expect(r.status == 0, "\(r.stderr)")
        let events = r.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        let ais = events.filter { $0.kind == "ais" }
        let gnss = events.filter { $0.kind == "gnss" }
        #expect(!ais.isEmpty && !gnss.isEmpty)
        #expect(ais.allSatisfy { $0.ais["mmsi"] != nil && [1, 5].contains($0.ais["msg_type"] as? Int ?? 0) && $0["line"] != nil })
        #expect(ais.contains { $0.ais["zone"] as? String == "anchorage:Porvoo" && number($0.ais["zone_dwell_s"]).map { $0 > 0 } == true })
        // The default set's zones/ folder is loaded without flags.
        #expect(ais.contains { $0.ais["zone"] as? String == "cable:Estlink 2" })
        #expect(gnss.contains { number($0.gnss["cn0_mean"]) != nil && $0.gnss["receiver"] != nil })
        #expect(events.allSatisfy { $0["timestamp"] as? String != nil && ($0["picket"] == nil) })

        let bad = Paths.temporary("bad-zones.geojson")
        try Data(#"{"type":"Feature","geometry":{"type":"Point","coordinates":[24,59]}}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let e = try picket(["scan", "--zones", bad, Paths.repo.appendingPathComponent("Samples/bridge-nmea.log.gz").path])
        #expect(e.status == 2)
        #expect(e.stderr.contains("bad-zones.geojson"), "\(e.stderr)")
    }

    @Test("one byte at a time: the line framer and the NMEA decoder give the same events")
    func oneByteAtATime() throws {
        for log in ["nmea/ais/gpsd/sample.aivdm", "nmea/gnss/gpsd/unicore-um621.log", "nmea/ais/libais/tagblock.nmea"] {
            let bytes = try file(try corpusFile(log))
            func run(_ chunk: Int) throws -> [String] {
                let d = NMEADecoder()
                var sink = EventCollector()
                var stats = ScanStats()
                let framed = try frameLines(bytes, chunk: chunk, maxLine: 4096)
                for l in framed.lines where !l.bytes.isEmpty {
                    l.bytes.withUnsafeBytes { b in
                        if NMEADecoder.isNMEA(b) {
                            _ = d.decodeLine(b, origin: Origin(input: 0, position: .line(l.number)), readTime: Timestamp(nanoseconds: 0),
                                             input: log, stats: &stats, sink: &sink)
                        }
                    }
                }
                return try sink.events.map { e in
                    String(decoding: try JSONSerialization.data(withJSONObject: e, options: [.sortedKeys]), as: UTF8.self)
                }
            }
            let whole = try run(Int.max)
            #expect(whole.count >= 5)
            #expect(try run(1) == whole, "\(log)")
        }
    }

    @Test("the NMEA stream framer (TCP data): any chunking gives the same sentences; over-long ones are capped")
    func streamFramer() throws {
        var stream: [UInt8] = []
        for (_, _, _, payload) in try NMEAPacketTests.udpPayloads(try corpusFile("nmea/pcap/sim2.pcapng")) { stream += payload }
        func run(_ chunk: Int) -> [[UInt8]] {
            var f = NMEAStreamFramer()
            var out: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let end = min(stream.count, i + chunk)
                _ = stream[i..<end].withUnsafeBytes { f.feed($0) { out.append(Array($0)); return true } }
                i = end
            }
            _ = f.finish { out.append(Array($0)); return true }
            return out
        }
        let whole = run(Int.max)
        #expect(whole.count > 2000)
        #expect(whole.allSatisfy { $0.first == UInt8(ascii: "$") || $0.first == UInt8(ascii: "!") })
        for chunk in [1, 3, 7, 1000] { #expect(run(chunk) == whole, "chunk \(chunk)") }
        // A 10 kB "sentence" is dropped as it streams past and counted; the next one survives.
        var f = NMEAStreamFramer(maxSentenceBytes: 4096)
        var got: [String] = []
        let long = Array(repeating: UInt8(ascii: "A"), count: 10_000) + Array("\n$GPZDA,1*00\n".utf8)
        for k in stride(from: 0, to: long.count, by: 100) {
            _ = long[k..<min(long.count, k + 100)].withUnsafeBytes { f.feed($0) { got.append(String(decoding: $0, as: UTF8.self)); return true } }
        }
        #expect(got == ["$GPZDA,1*00"])
        #expect(f.overLong == 1)
    }
}
