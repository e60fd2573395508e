import Foundation
import PicketCore
import PicketNet
import PicketScan
import Testing

/// Multisets of decoded values per field, for one capture.
typealias FieldBag = [String: [String: Int]]

/// What Picket's DNS, HTTP and TLS decoding must agree on with tshark, per capture.
enum Compare {
    static let fields = ["sni", "ja3", "dns", "host", "uri"]

    /// A Host header as Picket's `http.hostname` holds it: no port, no IPv6 brackets, lower case.
    static func hostname(_ raw: String) -> String {
        let h = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if h.hasPrefix("["), let close = h.firstIndex(of: "]") { return String(h[h.index(after: h.startIndex)..<close]) }
        let parts = h.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) { return String(parts[0]) }
        return h
    }

    static func add(_ bag: inout FieldBag, _ field: String, _ value: String) {
        bag[field, default: [:]][value, default: 0] += 1
    }

    /// `tshark -T fields` with the five fields the issue names. tshark joins repeated values
    /// in one packet with commas, so values are split at commas (on both sides).
    static func tshark(_ path: String) throws -> FieldBag {
        let r = try shell("tshark -r '\(path)' -T fields -e tls.handshake.extensions_server_name -e tls.handshake.ja3 -e dns.qry.name -e http.host -e http.request.uri 2>/dev/null")
        var bag: FieldBag = [:]
        for line in r.stdout.split(separator: "\n") {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            for (field, value) in zip(fields, cols) where !value.isEmpty {
                for v in value.split(separator: ",").map(String.init) {
                    switch field {
                    case "host": add(&bag, field, hostname(v))
                    case "dns": add(&bag, field, v.lowercased())
                    default: add(&bag, field, v)
                    }
                }
            }
        }
        return bag
    }

    /// The same values from `picket decode`. tshark ends a request target at its first
    /// space where Picket (like Suricata's libhtp) keeps `/uri afterspace` whole, so URIs are
    /// compared up to their first space.
    static func picket(_ path: String, options: [String] = []) throws -> (FieldBag, ja4: [String: Int]) {
        let r = try PicketTests.picket(["decode", path] + options)
        #expect(r.status == 0, "\(path): \(r.stderr)")
        var bag: FieldBag = [:]
        var ja4: [String: Int] = [:]
        for line in r.stdout.split(separator: "\n") {
            guard let e = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            switch e["kind"] as? String {
            case "tls":
                let t = e["tls"] as? [String: Any] ?? [:]
                if let sni = t["sni"] as? String { for v in sni.split(separator: ",") { add(&bag, "sni", String(v)) } }
                if let h = (t["ja3"] as? [String: Any])?["hash"] as? String { add(&bag, "ja3", h) }
                if let j = t["ja4"] as? String { ja4[j, default: 0] += 1 }
            case "dns":
                if let q = (e["dns"] as? [String: Any])?["query"] as? String { add(&bag, "dns", q.lowercased()) }
            case "http":
                let h = e["http"] as? [String: Any] ?? [:]
                // tshark dissects only complete requests, and TCP port 53 as DNS; Picket also
                // decodes a request whose headers never ended, and detects HTTP by content on
                // any port (as Suricata does). Those are left out of the comparison.
                if h["partial"] as? Bool == true { continue }
                if e["src_port"] as? Int == 53 || e["dest_port"] as? Int == 53 { continue }
                if let host = h["hostname"] as? String { for v in host.split(separator: ",") { add(&bag, "host", String(v)) } }
                if let url = h["url"] as? String {
                    let first = url.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                    for v in first.split(separator: ",") { add(&bag, "uri", String(v)) }
                }
            default: break
            }
        }
        return (bag, ja4)
    }

    /// JA4 fingerprints the `ja4plus` package computes (its CSV output, column 4).
    static func ja4plus(_ path: String) throws -> [String: Int] {
        let r = try shell("python3 -m ja4plus.cli analyze '\(path)' --types ja4 --format csv")
        #expect(r.status == 0, "ja4plus: \(r.stderr)")
        var out: [String: Int] = [:]
        // CSV lines end in CR LF, one Character in Swift: split at any newline.
        for line in r.stdout.split(whereSeparator: \.isNewline).dropFirst() {
            let cols = line.split(separator: ",", omittingEmptySubsequences: false)
            if cols.count > 3 { out[String(cols[3]), default: 0] += 1 }
        }
        return out
    }

    static func generated(_ mode: String) throws -> String {
        let path = Paths.temporary("\(mode).pcap")
        let r = try shell("python3 '\(Paths.repo.appendingPathComponent("scripts/make-flows.py").path)' \(mode) '\(path)'")
        #expect(r.status == 0, "\(r.stderr)")
        return path
    }
}

@Suite(.serialized) struct NetworkCorpusTests {
    @Test("tshark 4 and ja4plus are installed (the comparisons must not pass without them)")
    func peersPresent() throws {
        let v = try shell("tshark -v 2>/dev/null | head -1")
        #expect(v.stdout.contains("TShark (Wireshark) 4."), "tshark 4.x is required (scripts/setup installs it): \(v.stdout)")
        let j = try shell("python3 -c 'import ja4plus; print(ja4plus.__version__)'")
        #expect(j.status == 0, "the ja4plus Python package is required (scripts/setup installs it): \(j.stderr)")
    }

    @Test("TLS SNI, JA3, DNS names, HTTP hosts and URIs equal tshark's on every suricata-verify capture and a many-flow capture")
    func equalsTshark() throws {
        try #require(try shell("command -v tshark").status == 0, "tshark is required (scripts/setup installs it)")
        var captures = Paths.suricataVerifyCaptures()
        #expect(captures.count >= 52)
        captures.append(try Compare.generated("mixed"))
        var totals: [String: Int] = [:]
        for path in captures {
            let expected = try Compare.tshark(path)
            let (got, _) = try Compare.picket(path)
            for f in Compare.fields {
                #expect((got[f] ?? [:]) == (expected[f] ?? [:]), "\(path): \(f): picket \(got[f] ?? [:]) tshark \(expected[f] ?? [:])")
                totals[f, default: 0] += expected[f]?.values.reduce(0, +) ?? 0
            }
        }
        // The comparison is not vacuous.
        #expect(totals["sni", default: 0] >= 120 && totals["ja3", default: 0] >= 130)
        #expect(totals["dns", default: 0] >= 280 && totals["host", default: 0] >= 200 && totals["uri", default: 0] >= 210)
    }

    @Test("JA4 equals what the ja4plus package computes")
    func ja4EqualsJa4plus() throws {
        var captures = ["bug-2769/issue_no_icmp.pcap", "bug-5758/input.pcap", "tls-client-hello-frag-01/dump_mtu300.pcap"]
            .map { Paths.corpus("suricata-verify/" + $0) }
        captures.append(try Compare.generated("tls"))
        var total = 0
        for path in captures {
            let expected = try Compare.ja4plus(path)
            let (_, got) = try Compare.picket(path)
            #expect(got == expected, "\(path)")
            total += expected.values.reduce(0, +)
        }
        #expect(total >= 204)
    }

    /// The `packet` of an expected.json alert, decoded from base64.
    func expectedPacket(_ test: String, index: Int = 0) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.corpus("suricata-verify/\(test)/expected.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let expect = try #require(json["expect"] as? [[String: Any]])
        let packet = try #require((expect[index]["match"] as? [String: Any])?["packet"] as? String)
        return Array(try #require(Data(base64Encoded: packet)))
    }

    @Test("bug-6887: fragments reassemble into the packet Suricata alerts on", arguments: [
        "bug-6887-defrag-eth-vlan-ipv4-tcp-syn", "bug-6887-defrag-ipv4-tcp-syn", "bug-6887-defrag-ipv6-tcp", "bug-6887-defrag-ppp-ipv6-tcp",
    ])
    func defragCorpus(_ test: String) throws {
        let dir = Paths.corpus("suricata-verify/\(test)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".pcap") })
        let (events, stats) = try scanEvents(dir + "/" + file)
        #expect(stats.packets.total == 3 && stats.packets.decoded == 3)  // records, not datagrams
        let whole = events.filter { $0.kind == .packet && ($0.value("reassembled.fragments") as? Int ?? 0) > 0 }
        #expect(whole.count == 1)
        let packet = try #require(whole.first)
        #expect(packet.packet == (try expectedPacket(test)))
        #expect(packet.fields["proto"] as? String == "TCP")
        #expect(packet.flowID != nil)
        if test.contains("ipv4") {
            #expect(packet.value("tcp.syn") as? Bool == true)
        } else {
            #expect(packet.fields["payload_len"] as? Int == 1000)  // the rule's dsize:1000
        }
    }

    @Test("eve-payload and tcp captures: the stream data Suricata sees", arguments: [
        // Exact overlap, different data: the first copy (GOOD) wins.
        ("eve-payload-01-tcp-exact-overlap", [["to_server": "GOOD"]]),
        // Partial overlap: XXX overlaps GOOD's last three bytes and loses.
        ("eve-payload-04-partial-overlap", [["to_server": "GOOD"]]),
        // A 4-byte hole between VERY and DATA: Suricata's payload_printable "VERY[4 bytes missing]DATA".
        ("eve-payload-05-tcp-data-gap", [["to_server": "VERY[4 missing]DATA"]]),
        // The first 4 bytes never seen: "[4 bytes missing]GOODDATA".
        ("eve-payload-06-tcp-data-leading-gap", [["to_server": "[4 missing]GOODDATA"]]),
        // TCP Fast Open: "Hi!" rides on each SYN, the server answers "Hello!" (two connections).
        ("tcp-fastopen-04", [["to_server": "Hi!", "to_client": "Hello!"], ["to_server": "Hi!", "to_client": "Hello!"]]),
        // A 4-way (split) handshake: 1.1.1.1 sent the first SYN, so EVIL goes to the server.
        ("tcp-split-handshake-01-4whs", [["to_server": "EVIL"]]),
    ] as [(String, [[String: String]])])
    func streamCorpus(_ test: String, _ expected: [[String: String]]) throws {
        let dir = Paths.corpus("suricata-verify/\(test)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".pcap") })
        let (events, _) = try scanEvents(dir + "/" + file)
        var flows: [UInt64] = []
        for e in events where e.kind == .stream { if let f = e.flowID, !flows.contains(f) { flows.append(f) } }
        let perFlow = flows.map { f in streams(events.filter { $0.flowID == f }) }
        #expect(perFlow == expected)
    }

    @Test("tcp-fastopen-06 and -07: SYN data and later segments join, so d2d3 is seen whole")
    func fastOpenStreams() throws {
        let (six, _) = try scanEvents(Paths.corpus("suricata-verify/tcp-fastopen-06/tfo-s1.pcap"))
        #expect(streams(six)["to_server"] == "GET //index.php?page=../../../etc/passwd HTTP/1.0\r\nUser-Agent: czxt2s\r\nAccept: */*\r\n\r\n")
        let (seven, _) = try scanEvents(Paths.corpus("suricata-verify/tcp-fastopen-07/tcp_fastopen_segmentation.pcap"))
        let flows = Dictionary(grouping: seven.filter { $0.kind == .stream && $0.fields["direction"] as? String == "to_server" },
                               by: { $0.fields["src_port"] as? Int ?? 0 })
        #expect(streams(flows[56288] ?? []) == ["to_server": "GET /index.php HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n"])
        let second = streams(flows[56290] ?? [])["to_server"] ?? ""
        #expect(second == "GET //a1a2a3a4a5a6a7a8a9a0b1b2b3b4b5b6b7b8b9b0c1c2c3c4c5c6c7c8c9c0d1d2d3d4d5d6d7d8d9d0 HTTP/1.1\r\n"
                + "User-Agent: czxt2s\r\nAccept: */*\r\nHost: 10.0.0.61\r\nConnection: Keep-Alive\r\n\r\n")
        let http = seven.filter { $0.kind == .http }
        #expect(http.map { $0.value("http.url") as? String } == ["/index.php", "//a1a2a3a4a5a6a7a8a9a0b1b2b3b4b5b6b7b8b9b0c1c2c3c4c5c6c7c8c9c0d1d2d3d4d5d6d7d8d9d0"])
        #expect(http.last?.value("http.http_user_agent") as? String == "czxt2s")
        #expect(http.last?.value("http.hostname") as? String == "10.0.0.61")
    }

    @Test("decode shows stream fields, payload only with --payload; caps_hit names the network caps")
    func decodeAndStats() throws {
        let path = Paths.corpus("suricata-verify/eve-payload-05-tcp-data-gap/tcp-simple-gap2.pcap")
        let plain = try picket(["decode", path])
        let streamsOut = plain.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "stream" }
        #expect(streamsOut.count == 2)
        #expect(streamsOut.allSatisfy { $0["payload"] == nil && $0["flow_id"] is Int && $0["direction"] as? String == "to_server" })
        #expect((streamsOut.last?["stream"] as? [String: Any])?["gap"] as? Int == 4)
        #expect((streamsOut.last?["stream"] as? [String: Any])?["offset"] as? Int == 8)
        let withPayload = try picket(["decode", "--payload", path])
        #expect(withPayload.stdout.contains("\"payload\":\"VkVSWQ==\""))  // VERY

        let stats = Paths.temporary("net-stats.json")
        let r = try picket(["scan", "--stream-depth", "3", "--stats-json", stats, path])
        #expect(r.status == 0)
        let caps = try #require(try statsJSON(stats)["caps_hit"] as? [String: Any])
        for name in ["defrag_memcap", "defrag_fragments", "flows", "stream_memcap", "stream_depth", "dns_pointer_hops",
                     "dns_records", "http_headers", "tls_handshake", "nmea_line"] {
            #expect(caps[name] is Int, "\(name)")
        }
        #expect(caps["stream_depth"] as? Int == 1)
        #expect(caps["flows"] as? Int == 0)
    }

    @Test("--max-flows evicts and counts; packet counts stay exact")
    func maxFlows() throws {
        let path = try Compare.generated("mixed")
        let stats = Paths.temporary("flows-stats.json")
        let r = try picket(["scan", "--max-flows", "10", "--stats-json", stats, path])
        #expect(r.status == 0)
        let s = try statsJSON(stats)
        let caps = try #require(s["caps_hit"] as? [String: Any])
        #expect((caps["flows"] as? Int ?? 0) > 100)
        let c = counts(s, "packets")
        let tcpdump = try shell("tcpdump -n -r '\(path)' 2>/dev/null | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(c.total == c.decoded && c.total == Int(tcpdump))
        // Evicted flows were finished ones: their slots are reused and decoding goes on.
        let (got, _) = try Compare.picket(path, options: ["--max-flows", "10"])
        let expected = try Compare.tshark(path)
        for f in Compare.fields { #expect((got[f] ?? [:]) == (expected[f] ?? [:]), "\(f)") }
    }
}
