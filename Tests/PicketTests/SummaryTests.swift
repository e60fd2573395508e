import Foundation
import PicketReport
import Testing

/// Findings as `picket scan` writes them, made by hand so every format sees known values.
func findingLine(ts: String, area: String, rule: String, title: String, level: String, entity: [String: Any],
                 evidence: [String: Any], input: String = "capture.pcap", pcap: Int? = nil, line: Int? = nil,
                 src: String? = nil, dst: String? = nil, position: (Double, Double)? = nil, tags: [String] = []) -> String {
    var o: [String: Any] = [
        "timestamp": ts, "event_type": "alert", "area": area, "input": input,
        "alert": ["action": "allowed", "gid": 1, "signature_id": abs(rule.hashValue % 1000) + 1, "rev": 1, "signature": title,
                  "category": "Picket \(area) indicator", "severity": 2, "metadata": ["area": [area]]] as [String: Any],
    ]
    var picket: [String: Any] = ["rule": rule, "level": level, "tags": tags, "kind": "packet", "entity": entity, "evidence": evidence]
    if let (lat, lon) = position { picket["position"] = ["lat": lat, "lon": lon] }
    o["picket"] = picket
    if let pcap { o["pcap_cnt"] = pcap }
    if let line { o["line"] = line }
    if let src { o["src_ip"] = src }
    if let dst { o["dest_ip"] = dst }
    let data = try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

func ts(_ minute: Int, _ second: Int = 0) -> String {
    String(format: "2026-11-27T%02d:%02d:%02d.000000+0000", 8 + minute / 60, minute % 60, second)
}

/// A night of findings: a drifting vessel, a jammed receiver, a beaconing host, quiet gaps.
func sampleFindings() -> [String] {
    var out: [String] = []
    for k in 0..<12 {
        out.append(findingLine(ts: ts(k * 5), area: "maritime", rule: "ais-cable-loiter", title: "Vessel loitering over a cable", level: "high",
                               entity: ["mmsi": "230987000"], evidence: ["ais.sog": "0.8", "ais.zone": "cable:Estlink 2"],
                               input: "ais.log", line: 100 + k, position: (59.5 + Double(k) * 0.002, 24.9 - Double(k) * 0.003)))
    }
    // The same vessel again after a two-hour gap: a second incident.
    out.append(findingLine(ts: ts(200), area: "maritime", rule: "ais-speed", title: "Impossible speed", level: "critical",
                           entity: ["mmsi": "230987000"], evidence: ["ais.implied_speed_kn": "71.2"], input: "ais.log", line: 900, position: (59.9, 24.1)))
    for k in 0..<5 {
        out.append(findingLine(ts: ts(30 + k), area: "space", rule: "gnss-jam", title: "GNSS C/N0 collapse", level: "high",
                               entity: ["receiver": "gnss.log:GP"], evidence: ["gnss.cn0_drop_db": "18.5"], input: "gnss.log", line: 40 + k))
    }
    for k in 0..<20 {
        out.append(findingLine(ts: ts(k * 3), area: "cyber", rule: "c2-beacon", title: "Periodic beacon", level: "medium",
                               entity: ["src_ip": "10.20.0.15", "dest_ip": "198.51.100.7", "domain": "cdn-update.example"],
                               evidence: ["tls.sni": "cdn-update.example"], pcap: 10 + k, src: "10.20.0.15", dst: "198.51.100.7",
                               tags: ["attack.t1071"]))
    }
    return out
}

func writeLines(_ lines: [String], _ name: String) throws -> String {
    let path = Paths.temporary(name)
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite(.serialized) struct SummaryTests {
    func summarize(_ inputs: [String], _ outputs: [String], gap: Int? = nil) throws -> RunResult {
        var args = ["summarize"] + inputs
        for o in outputs { args += ["--summary", o] }
        if let gap { args += ["--incident-gap", String(gap)] }
        let r = try picket(args)
        #expect(r.status == 0, "\(r.stderr)")
        return r
    }

    @Test("--incident-gap too large for nanoseconds is refused, not an overflow")
    func hugeIncidentGapIsRefused() throws {
        let r = try picket(["summarize", "/dev/null", "--incident-gap", "999999999999999"])
        #expect(r.status != 0 && !r.stderr.contains("overflow"))
        #expect(r.stderr.contains("--incident-gap must be at most 52560000 minutes"), "\(r.stderr)")
    }

    @Test("incidents group by area, entity and time gap, most severe first; JSON validates against its schema")
    func groupingAndSchema() throws {
        let findings = try writeLines(sampleFindings(), "night.json")
        let out = Paths.temporary("night-summary.json")
        try summarize([findings], [out])
        let s = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let incidents = try #require(s["incidents"] as? [[String: Any]])
        #expect(incidents.count == 4)
        #expect(incidents.map { $0["level"] as? String } == ["critical", "high", "high", "medium"])
        #expect(incidents.map { $0["count"] as? Int } == [1, 12, 5, 20])
        let totals = try #require(s["totals"] as? [String: [String: Int]])
        #expect(totals["maritime"] == ["findings": 13, "incidents": 2])
        #expect(totals["space"] == ["findings": 5, "incidents": 1])
        #expect(totals["cyber"] == ["findings": 20, "incidents": 1])
        let loiter = incidents[1]
        #expect(loiter["first_seen"] as? String == ts(0))
        #expect(loiter["last_seen"] as? String == ts(55))
        #expect((loiter["track"] as? [[Any]])?.count == 12)
        #expect((loiter["evidence"] as? [[String: Any]])?.first?["line"] as? Int == 100)
        #expect((loiter["title"] as? String)?.contains("vessel MMSI 230987000") == true)
        // The schema in the repository accepts it.
        let v = try run("/usr/bin/env", ["python3", "-c", """
            import json, sys, jsonschema
            jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
            print("valid")
            """, Paths.repo.appendingPathComponent("schemas/summary.schema.json").path, out])
        #expect(v.stdout.contains("valid"), "\(v.stderr)")
        // A smaller gap splits the vessel's incident.
        let tight = Paths.temporary("tight.json")
        try summarize([findings], [tight], gap: 4)
        let t = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tight))) as? [String: Any])
        #expect(((t["totals"] as? [String: [String: Int]])?["maritime"]?["incidents"] ?? 0) == 13)
    }

    @Test("shards: two halves summarized equal the whole, from findings and from summaries")
    func shards() throws {
        var lines = sampleFindings()
        var rng = SeededRandom(state: 9)
        lines.shuffle(using: &rng)
        let whole = try writeLines(lines, "whole.json")
        let a = try writeLines(Array(lines[..<(lines.count / 2)]), "half-a.json")
        let b = try writeLines(Array(lines[(lines.count / 2)...]), "half-b.json")
        let wholeOut = Paths.temporary("whole-summary.json")
        let aOut = Paths.temporary("a-summary.json"), bOut = Paths.temporary("b-summary.json")
        let fromFindings = Paths.temporary("ab-findings-summary.json"), fromSummaries = Paths.temporary("ab-summaries-summary.json")
        try summarize([whole], [wholeOut])
        try summarize([a], [aOut])
        try summarize([b], [bOut])
        try summarize([a, b], [fromFindings])
        try summarize([aOut, bOut], [fromSummaries])
        let expected = try String(contentsOfFile: wholeOut, encoding: .utf8)
        #expect(try String(contentsOfFile: fromFindings, encoding: .utf8) == expected)
        #expect(try String(contentsOfFile: fromSummaries, encoding: .utf8) == expected)
        #expect(try String(contentsOfFile: aOut, encoding: .utf8) != expected)
    }

    @Test("STIX 2.1: the bundle loads in the stix2 library, with identity, indicators, observed data, sightings and incidents")
    func stix() throws {
        let findings = try writeLines(sampleFindings(), "night-stix.json")
        let out = Paths.temporary("night.stix.json")
        try summarize([findings], [out])
        let v = try run("/usr/bin/env", ["python3", "-c", """
            import sys, collections, stix2
            # DESIGN.md 6: the bundle loads in the stix2 library as it is (custom content refused).
            bundle = stix2.parse(open(sys.argv[1]).read())
            kinds = collections.Counter(o["type"] for o in bundle.objects)
            ids = [o["id"] for o in bundle.objects]
            assert len(ids) == len(set(ids)), "an object appears twice"
            vessels = [o for o in bundle.objects if o["type"] == "infrastructure" and o["name"] == "Vessel MMSI 230987000"]
            assert len(vessels) == 1 and list(vessels[0]["extensions"].values())[0]["mmsi"] == 230987000, vessels
            inc = [o for o in bundle.objects if o["type"] == "incident"][0]
            ext = inc["extensions"]["extension-definition--ef765651-680c-498d-9894-99799f2fa126"]
            assert ext["extension_type"] == "property-extension" and ext["investigation_status"] == "new"
            ind = [o for o in bundle.objects if o["type"] == "indicator"]
            assert any("x-picket-vessel:mmsi = 230987000" in i["pattern"] for i in ind)
            assert any("ipv4-addr:value = '10.20.0.15'" in i["pattern"] for i in ind)
            for s in [o for o in bundle.objects if o["type"] == "sighting"]:
                assert s["sighting_of_ref"].startswith("indicator--")
            print(dict(sorted(kinds.items())))
            """, out])
        #expect(v.status == 0, "\(v.stderr)")
        for kind in ["identity", "incident", "indicator", "observed-data", "sighting", "infrastructure", "extension-definition",
                     "ipv4-addr", "domain-name", "network-traffic"] {
            #expect(v.stdout.contains("'\(kind)'"), "\(kind) missing: \(v.stdout)")
        }
        // A bundle without custom observables loads with custom content refused.
        let cyber = try writeLines(sampleFindings().filter { $0.contains("\"area\":\"cyber\"") }, "cyber-only.json")
        let cyberOut = Paths.temporary("cyber.stix.json")
        try summarize([cyber], [cyberOut])
        let strict = try run("/usr/bin/env", ["python3", "-c", "import sys, stix2; stix2.parse(open(sys.argv[1]).read()); print('strict ok')", cyberOut])
        #expect(strict.stdout.contains("strict ok"), "\(strict.stderr)")
    }

    @Test("STIX patterns: an MMSI is a number only in the form a number is written", arguments: [
        ("230987000", "x-picket-vessel:mmsi = 230987000"), ("0", "x-picket-vessel:mmsi = 0"),
        ("0123", "x-picket-vessel:mmsi = '0123'"), ("+5", "x-picket-vessel:mmsi = '+5'"),
        ("12345678901", "x-picket-vessel:mmsi = '12345678901'"), ("23 0'9", "x-picket-vessel:mmsi = '23 0\\'9'"),
    ])
    func stixVesselPattern(_ mmsi: String, _ pattern: String) throws {
        let findings = try writeLines([findingLine(ts: ts(1), area: "maritime", rule: "m", title: "Vessel", level: "high",
                                                   entity: ["mmsi": mmsi], evidence: [:], input: "ais.log", line: 1)], "mmsi.json")
        let out = Paths.temporary("mmsi.stix.json")
        try summarize([findings], [out])
        let v = try run("/usr/bin/env", ["python3", "-c", """
            import sys, json, stix2patterns.validator as v
            ind = [o for o in json.load(open(sys.argv[1]))["objects"] if o["type"] == "indicator"]
            for i in ind:
                errors = v.run_validator(i["pattern"])
                assert not errors, (i["pattern"], errors)
                print(i["pattern"])
            """, out])
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout.contains("[\(pattern)]"), "\(v.stdout)")
    }

    @Test("Markdown reads back: totals and one row per incident")
    func markdownReadBack() throws {
        let findings = try writeLines(sampleFindings(), "night-md.json")
        let out = Paths.temporary("night.md")
        try summarize([findings], [out])
        let md = try String(contentsOfFile: out, encoding: .utf8)
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| ") }.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        let totals = Dictionary(rows.filter { ["maritime", "cyber", "space"].contains($0.first ?? "") && $0.count == 3 }.map { ($0[0], ($0[1], $0[2])) },
                                uniquingKeysWith: { a, _ in a })
        #expect(totals["maritime"]?.0 == "13" && totals["maritime"]?.1 == "2")
        #expect(totals["cyber"]?.0 == "20" && totals["cyber"]?.1 == "1")
        let incidentRows = rows.filter { $0.count == 7 && $0[2].hasPrefix("INC-") }
        #expect(incidentRows.map { $0[0] } == ["critical", "high", "high", "medium"])
        #expect(md.components(separatedBy: "\n### INC-").count - 1 == 4)
    }

    @Test("HTML is one self-contained page with a timeline per area and a track plot for vessels")
    func html() throws {
        let findings = try writeLines(sampleFindings(), "night-html.json")
        let out = Paths.temporary("night.html")
        try summarize([findings], [out])
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.components(separatedBy: "aria-label=\"").count - 1 >= 3 + 2)  // 3 timelines, 2 vessel tracks
        #expect(html.contains("<polyline"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
        #expect(html.contains("@media print"))
        // Headless Chromium renders it (no network: the page loads nothing else).
        let png = Paths.temporary("night.png")
        let r = try run("/usr/bin/env", ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,1800",
                                         "--screenshot=\(png)", "file://\(out)"])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.count > 20_000)
        #expect(Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test("hostile strings reach every format escaped")
    func hostile() throws {
        let ua = "<script>alert(1)</script>"
        let vessel = "<img src=x onerror=alert(2)>"
        let host = "gw\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m"
        let flipped = "invoice\u{202E}fdp.exe\u{200B}"
        let lines = [
            // Area and level name sections and colours: unknown ones make the line no finding.
            findingLine(ts: ts(1), area: "<img src=x onerror=alert(3)>", rule: "a", title: "t", level: "high", entity: [:], evidence: [:]),
            findingLine(ts: ts(1), area: "cyber", rule: "l", title: "t", level: "<script>alert(4)</script>\n# Injected", entity: [:], evidence: [:]),
            findingLine(ts: ts(1), area: "cyber", rule: "bidi", title: "Mail attachment", level: "low",
                        entity: ["src_ip": "10.0.0.9"], evidence: ["smtp.attachment": flipped], pcap: 4, src: "10.0.0.9"),
            findingLine(ts: ts(1), area: "cyber", rule: "ua", title: "Suspicious user agent", level: "medium",
                        entity: ["src_ip": "10.0.0.1", "dest_ip": "10.0.0.2", "host": host],
                        evidence: ["http.http_user_agent": ua, "syslog.host": host], pcap: 3, src: "10.0.0.1", dst: "10.0.0.2"),
            findingLine(ts: ts(2), area: "maritime", rule: "name", title: "Vessel renamed", level: "high",
                        entity: ["mmsi": "230987000"], evidence: ["ais.name": vessel], input: "ais|\(host).log", line: 7, position: (59.5, 24.9)),
        ]
        let findings = try writeLines(lines, "hostile.json")
        let md = Paths.temporary("hostile.md"), html = Paths.temporary("hostile.html")
        let json = Paths.temporary("hostile-summary.json"), stix = Paths.temporary("hostile.stix.json")
        let r = try summarize([findings], [md, html, json, stix])
        #expect(r.stderr.contains("2 line(s) are not Picket findings and were skipped"), "\(r.stderr)")
        for path in [md, html, json, stix] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!text.contains("\u{1b}"), "\(path) has a raw escape byte")
            #expect(!text.contains("\u{7}"), "\(path) has a raw bell")
            #expect(!text.contains("\u{9b}"), "\(path) has a raw CSI")
            #expect(!text.contains("\u{202E}") && !text.contains("\u{200B}"), "\(path) has a raw bidi or zero-width character")
            #expect(!text.contains("alert(3)") && !text.contains("alert(4)") && !text.contains("Injected"), "\(path) has the refused lines")
            #expect(!text.contains("<script>"), "\(path) has a raw script tag")
            #expect(!text.contains("<img"), "\(path) has a raw img tag")
        }
        let mdText = try String(contentsOfFile: md, encoding: .utf8)
        #expect(mdText.contains("&lt;script&gt;alert\\(1\\)&lt;/script&gt;"))
        #expect(mdText.contains("\\\\x1b"))
        #expect(mdText.contains("invoice\\\\u{202e}fdp.exe\\\\u{200b}"), "\(mdText)")
        let htmlText = try String(contentsOfFile: html, encoding: .utf8)
        #expect(htmlText.contains("&lt;img src=x onerror=alert(2)&gt;"))
        #expect(htmlText.contains("invoice\\u{202e}fdp.exe\\u{200b}"))
        // JSON and STIX keep the value exactly, as escaped JSON strings.
        let j = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let evidence = ((j["incidents"] as? [[String: Any]])?.flatMap { ($0["evidence"] as? [[String: Any]]) ?? [] }) ?? []
        #expect(evidence.contains { ($0["fields"] as? [String: String])?["http.http_user_agent"] == ua })
        #expect(evidence.contains { ($0["fields"] as? [String: String])?["ais.name"] == vessel })
        #expect(evidence.contains { ($0["fields"] as? [String: String])?["smtp.attachment"] == flipped })
        let v = try run("/usr/bin/env", ["python3", "-c", "import sys, stix2; stix2.parse(open(sys.argv[1]).read()); print('ok')", stix])
        #expect(v.stdout.contains("ok"), "\(v.stderr)")
    }
}
