import Foundation
import PicketCore
import PicketSignatures
import Testing

/// Random literal indicators planted at known places: each planted occurrence must give exactly
/// one finding, and nothing else may match.
@Suite(.serialized) struct PlantedIndicatorTests {
    enum Place { case packet, stream, line }

    static func literal(_ rng: inout SeededRandom) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "ioc-" + String((0..<14).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }

    /// Filler that cannot contain an indicator (indicators start with "ioc-"; filler has no '-').
    static func filler(_ rng: inout SeededRandom, _ n: Int) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
    }

    func run(signatures count: Int, seed: UInt64) throws {
        var rng = SeededRandom(state: seed)
        var literals: [String] = []
        var seen: Set<String> = []
        while literals.count < count {
            let l = Self.literal(&rng)
            if seen.insert(l).inserted { literals.append(l) }
        }
        func place(_ i: Int) -> Place { [Place.packet, .stream, .line][i % 3] }
        // One signature per literal, in the category of where it will be planted.
        var yaml = ""
        for (i, l) in literals.enumerated() {
            let category = ["packet", "stream", "text"][i % 3]
            yaml += "title: planted \(i)\nid: planted-\(i)\narea: cyber\nlevel: low\nlogsource: {category: \(category)}\n"
            yaml += "detection:\n  sel:\n    payload|contains: '\(l)'\n  condition: sel\n---\n"
        }
        let sigPath = Paths.temporary("planted-\(count).yml")
        try yaml.write(toFile: sigPath, atomically: true, encoding: .utf8)

        // Plant a third of each kind's literals; every other record is clean filler.
        var frames: [[UInt8]] = []
        var lines: [String] = []
        var expectedPackets: [Int: String] = [:]   // pcap_cnt → signature id
        var expectedLines: [Int: String] = [:]
        var streamPlants: [(id: String, literal: String)] = []
        for (i, l) in literals.enumerated() where (i / 3) % 3 == 0 {
            switch place(i) {
            case .packet:
                frames.append(udpFrame(Self.filler(&rng, 40)))
                var payload = Self.filler(&rng, Int(rng.next() % 200))
                payload += Array(l.utf8) + Self.filler(&rng, Int(rng.next() % 200))
                frames.append(udpFrame(payload))
                expectedPackets[frames.count] = "planted-\(i)"
            case .line:
                lines.append(String(decoding: Self.filler(&rng, 60), as: UTF8.self))
                lines.append(String(decoding: Self.filler(&rng, Int(rng.next() % 80)), as: UTF8.self) + l + " tail")
                expectedLines[lines.count] = "planted-\(i)"
            case .stream:
                streamPlants.append(("planted-\(i)", l))
            }
        }
        let pcapPath = Paths.temporary("planted-\(count).pcap")
        try writePcap(pcapPath, frames: frames)
        let logPath = Paths.temporary("planted-\(count).log")
        try (lines.joined(separator: "\n") + "\n").write(toFile: logPath, atomically: true, encoding: .utf8)

        // Packets and lines, end to end through the CLI.
        let outPath = Paths.temporary("planted-\(count).json")
        let r = try picket(["scan", "-s", sigPath, pcapPath, logPath, "-o", outPath])
        #expect(r.status == 0, "\(r.stderr)")
        var gotPackets: [Int: [String]] = [:]
        var gotLines: [Int: [String]] = [:]
        for line in try String(contentsOfFile: outPath, encoding: .utf8).split(separator: "\n") {
            let f = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let id = ((f["picket"] as? [String: Any])?["rule"] as? String) ?? "?"
            if let n = f["pcap_cnt"] as? Int { gotPackets[n, default: []].append(id) }
            if let n = f["line"] as? Int { gotLines[n, default: []].append(id) }
        }
        #expect(gotPackets.count == expectedPackets.count)
        #expect(gotLines.count == expectedLines.count)
        for (n, id) in expectedPackets { #expect(gotPackets[n] == [id], "packet \(n)") }
        for (n, id) in expectedLines { #expect(gotLines[n] == [id], "line \(n)") }
        #expect(!expectedPackets.isEmpty && !expectedLines.isEmpty)

        // Streams: each literal split across two segments, several literals per stream.
        let result = SignatureSet.load(paths: [sigPath])
        let set = try #require(result.set)
        let matcher = try Matcher(try CompiledSet(set: set, cacheFolder: nil))
        var sink = CollectingSink()
        var chunks = 0
        for (k, plant) in streamPlants.enumerated() {
            let key = StreamKey(flowID: UInt64(k / 4), toServer: true)
            let bytes = Self.filler(&rng, 30) + Array(plant.literal.utf8) + Self.filler(&rng, 30)
            let cut = 30 + 1 + Int(rng.next() % UInt64(plant.literal.count - 2))
            for part in [Array(bytes[..<cut]), Array(bytes[cut...])] {
                chunks += 1
                _ = matcher.process(TestEvent(kind: .stream, payloadBytes: part, origin: Origin(input: 0, position: .packet(chunks)), streamKey: key),
                                    input: "streams", sink: &sink)
            }
            if k % 4 == 3 { _ = matcher.streamEnded(key, sink: &sink) }
        }
        #expect(sink.findings.map(\.id).sorted() == streamPlants.map(\.id).sorted())
        #expect(!streamPlants.isEmpty)
    }

    @Test("3,000 random indicators: one finding per planted occurrence, nothing else")
    func threeThousand() throws { try run(signatures: 3000, seed: 1) }

    @Test("10,000 random indicators: one finding per planted occurrence, nothing else")
    func tenThousand() throws { try run(signatures: 10_000, seed: 2) }
}
