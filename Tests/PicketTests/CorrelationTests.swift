import Foundation
import Testing

@Suite(.serialized) struct CorrelationTests {
    static let rules = """
        title: DNS query seen
        id: dns-query-seen
        name: dns_query_seen
        area: cyber
        level: informational
        logsource: {category: json}
        detection:
          q:
            dns.query|exists: true
          condition: q
        ---
        title: DNS query burst from one source
        id: dns-burst
        area: cyber
        level: high
        correlation:
          type: event_count
          rules: [dns_query_seen]
          group-by: [src_ip]
          timespan: 60s
          condition: {gte: 20}
        ---
        title: Many distinct names under one domain from one source
        id: dns-many-names
        area: cyber
        level: medium
        correlation:
          type: value_count
          rules: [dns-query-seen]
          group-by: [src_ip]
          timespan: 60s
          condition: {field: dns.query, gte: 15}
        """

    /// JSON lines of DNS queries from two sources, `spacing` seconds apart.
    func queries(count: Int, spacing: Int, distinct: Bool) -> String {
        var out = ""
        for i in 0..<count {
            let t = 1_795_766_400 + i * spacing
            let name = distinct ? "n\(i).tunnel.example" : "www.example.org"
            out += "{\"ts\":\(t),\"src_ip\":\"10.1.1.5\",\"dns\":{\"query\":\"\(name)\"}}\n"
            out += "{\"ts\":\(t),\"src_ip\":\"10.1.1.\(6 + i)\",\"dns\":{\"query\":\"\(name)\"}}\n"
        }
        return out
    }

    func findings(_ log: String, name: String) throws -> [String] {
        let sig = Paths.temporary("corr.yml")
        try Self.rules.write(toFile: sig, atomically: true, encoding: .utf8)
        let path = Paths.temporary(name)
        try log.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try picket(["scan", "-s", sig, path, "--format", "eve"])
        #expect(r.status == 0, "\(r.stderr)")
        return try r.stdout.split(separator: "\n").map { line in
            let f = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (f["picket"] as? [String: Any])?["rule"] as? String ?? "?"
        }
    }

    @Test("20 queries from one source within 60 s fire event_count once; the base rule stays quiet")
    func burst() throws {
        #expect(try findings(queries(count: 20, spacing: 2, distinct: false), name: "burst.jsonl") == ["dns-burst"])
    }

    @Test("the same 20 queries spread over an hour do not fire")
    func spread() throws {
        #expect(try findings(queries(count: 20, spacing: 180, distinct: false), name: "spread.jsonl") == [])
    }

    @Test("value_count counts distinct names, not events")
    func distinctNames() throws {
        #expect(try findings(queries(count: 16, spacing: 1, distinct: true), name: "distinct.jsonl") == ["dns-many-names"])
        #expect(try findings(queries(count: 16, spacing: 1, distinct: false), name: "same.jsonl") == [])
    }

    @Test("a correlation finding names its group, count and window")
    func evidence() throws {
        let sig = Paths.temporary("corr2.yml")
        try Self.rules.write(toFile: sig, atomically: true, encoding: .utf8)
        let path = Paths.temporary("burst2.jsonl")
        try queries(count: 20, spacing: 2, distinct: false).write(toFile: path, atomically: true, encoding: .utf8)
        let r = try picket(["scan", "-s", sig, path, "--format", "eve"])
        let f = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let corr = try #require((f["picket"] as? [String: Any])?["correlation"] as? [String: Any])
        #expect(corr["count"] as? Int == 20)
        #expect((corr["group"] as? [String: Any])?["src_ip"] as? String == "10.1.1.5")
        #expect(corr["first_seen"] as? String == "2026-11-27T08:00:00.000000+0000")
        #expect(corr["last_seen"] as? String == "2026-11-27T08:00:38.000000+0000")
    }
}
