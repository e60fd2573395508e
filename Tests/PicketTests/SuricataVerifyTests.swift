import Foundation
import Testing

/// Every folder of ../shared/corpus/suricata-verify through the CLI, compared with the alert
/// counts Suricata produces (expected.json). Suricata-internal filter fields are set aside.
@Suite(.serialized) struct SuricataVerifyTests {
    /// Fields a Picket finding does not define (Suricata internals); filters on them are ignored.
    static let internalFields: Set<String> = ["pkt_src", "packet_info", "packet", "stream", "tx_id", "app_proto", "flow", "http"]

    struct Outcome {
        var name: String
        var failures: [String]
        var ignored: Set<String>
    }

    static func value(_ f: [String: Any], _ path: String) -> Any? {
        var cur: Any? = f
        for part in path.split(separator: ".") { cur = (cur as? [String: Any])?[String(part)] }
        return cur
    }

    static func equal(_ a: Any?, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            // A nested object compared field by field (those Picket defines).
            return y.allSatisfy { k, v in internalFields.contains(k) || equal(x[k], v) }
        case (let x as NSNumber, let y as NSNumber): return x == y
        case (let x as String, let y as String): return x == y
        default: return false
        }
    }

    static func run(_ folder: String) throws -> Outcome {
        let dir = Paths.corpus("suricata-verify/\(folder)")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))) as? [String: Any])
        let pcap = dir + "/" + (expected["pcap"] as? String ?? "")
        let rules = dir + "/" + (expected["rules"] as? String ?? "test.rules")
        let out = Paths.temporary("sv-\(folder).json")
        let r = try picket(["scan", "--payload", "--signatures", rules, pcap, "--format", "eve", "-o", out])
        var failures: [String] = []
        if r.status != 0 { failures.append("exit \(r.status): \(r.stderr.prefix(300))") }
        let alerts = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        var ignored: Set<String> = []
        for e in expected["expect"] as? [[String: Any]] ?? [] {
            guard let sid = e["sid"] as? Int else { continue }
            guard let count = e["count"] as? Int else { continue }  // the test states nothing
            var matching = alerts.filter { value($0, "alert.signature_id") as? Int == sid }
            if let m = e["match"] as? [String: Any] {
                for (k, v) in m where k != "alert.signature_id" {
                    if internalFields.contains(k) || internalFields.contains(String(k.split(separator: ".").first ?? "")) {
                        ignored.insert(k)
                        continue
                    }
                    matching = matching.filter { equal(value($0, k), v) }
                }
            }
            if matching.count != count {
                failures.append("sid \(sid): \(matching.count) alert(s), expected \(count)\((e["match"] as? [String: Any]).map { " matching \($0)" } ?? "")")
            }
        }
        return Outcome(name: folder, failures: failures, ignored: ignored)
    }

    static let folders: [String] = {
        let root = Paths.corpus("suricata-verify")
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
            FileManager.default.fileExists(atPath: root + "/" + $0 + "/expected.json")
        }.sorted()
    }()

    /// Tests Picket does not pass, each with the reason (kept short and honest).
    static let knownFailures: [String: String] = [:]

    @Test("at least 50 of the 52 suricata-verify tests give Suricata's alert counts")
    func conformance() throws {
        #expect(Self.folders.count == 52)
        var passed = 0
        var report: [String] = []
        for f in Self.folders {
            let o = try Self.run(f)
            if o.failures.isEmpty { passed += 1 } else { report.append("\(f): " + o.failures.joined(separator: "; ")) }
        }
        print("suricata-verify: \(passed) of \(Self.folders.count) pass")
        for line in report { print("  FAIL " + line) }
        #expect(passed >= 50, "\(report.joined(separator: "\n"))")
    }
}
