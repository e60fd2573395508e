import Foundation
import PicketCore
import PicketSignatures
import Testing

@Suite struct SuricataLoaderTests {
    func load(_ text: String) -> SuricataLoader.Result { SuricataLoader(file: "t.rules").load(text) }

    @Test("header: addresses, CIDR, lists, negation, variables, ports, direction")
    func header() throws {
        let r = load(#"alert tcp [$HOME_NET,!10.1.0.0/16] [1024:,!8080] <> ![192.0.2.1,198.51.100.0/24] $HTTP_PORTS (msg:"x"; sid:1;)"#)
        #expect(r.errors.isEmpty, "\(r.errors)")
        let rule = try #require(r.rules.first)
        #expect(rule.bidirectional)
        #expect(rule.source.matches(IPAddress(v4: 0x0A02_0304)))    // 10.2.3.4 in HOME_NET
        #expect(!rule.source.matches(IPAddress(v4: 0x0A01_0203)))   // 10.1.2.3 excluded
        #expect(!rule.source.matches(IPAddress(v4: 0x0808_0808)))   // outside HOME_NET
        #expect(rule.sourcePorts.matches(40000) && !rule.sourcePorts.matches(8080) && !rule.sourcePorts.matches(80))
        #expect(rule.destination.matches(IPAddress(v4: 0x0808_0808)) && !rule.destination.matches(IPAddress(v4: 0xC000_0201)))
        #expect(rule.destinationPorts.matches(80) && !rule.destinationPorts.matches(81))
    }

    @Test("options: content escapes and hex, modifiers, pcre flags, continuation lines")
    func options() throws {
        let text = "alert tcp any any -> any any (msg:\"a \\\"quoted\\\" msg\\; yes\"; content:\"GET|20|/\\;x\"; nocase; \\\n offset:2; depth:10; content:!\"zz\"; distance:1; within:5; pcre:\"/ab+c/Ri\"; classtype:trojan-activity; priority:2; metadata:area maritime, created_at 2026; sid:7; rev:3;)"
        let r = load(text)
        #expect(r.errors.isEmpty, "\(r.errors)")
        let rule = try #require(r.rules.first)
        #expect(rule.msg == "a \"quoted\" msg; yes")
        #expect(rule.sid == 7 && rule.rev == 3 && rule.priority == 2 && rule.classtype == "trojan-activity")
        #expect(rule.area == .maritime)
        guard case .content(let c1) = rule.matches[0], case .content(let c2) = rule.matches[1], case .pcre(let p) = rule.matches[2] else {
            Issue.record("matches: \(rule.matches.count)")
            return
        }
        #expect(c1.bytes == Array("GET /;x".utf8) && c1.nocase && c1.offset == 2 && c1.depth == 10)
        #expect(c2.negated && c2.distance == 1 && c2.within == 5)
        #expect(p.relative && p.regex.options.contains(.caseless))
    }

    @Test("a keyword outside the subset skips the rule with file:line, keyword and sid; bad syntax is an error")
    func unsupportedAndErrors() {
        let r = load("""
            alert tcp any any -> any any (msg:"ok"; content:"a"; sid:1;)
            alert tcp any any -> any any (msg:"bj"; content:"a"; byte_jump:4,0,relative; sid:2012345;)

            alert tcp any any -> any any (msg:"no sid"; content:"a";)
            alert tcp any any -> any (msg:"short header"; sid:4;)
            alert tcp any any -> any any (msg:"bad hex"; content:"|4g|"; sid:5;)
            """)
        #expect(r.rules.map(\.sid) == [1])
        #expect(r.warnings.map(\.description) == ["t.rules:2: unsupported keyword 'byte_jump' in sid 2012345; rule skipped"])
        #expect(r.errors.map { $0.location.line } == [4, 5, 6])
        #expect(r.errors[0].message.contains("no sid"))
    }

    @Test("20,000 generated rules mixing supported and unsupported keywords load, with a summary of what was skipped")
    func twentyThousand() throws {
        var text = ""
        let unsupported = ["byte_jump:4,0,relative", "isdataat:10,relative", "http.cookie", "lua:x.lua", "dataset:isset,x"]
        for i in 0..<20_000 {
            let extra = i % 4 == 3 ? "\(unsupported[i % unsupported.count]); " : ""
            text += "alert tcp $HOME_NET any -> $EXTERNAL_NET [80,443] (msg:\"rule \(i)\"; flow:established,to_server; content:\"token-\(i)-x\"; nocase; \(extra)classtype:trojan-activity; sid:\(100_000 + i); rev:1;)\n"
        }
        let path = Paths.temporary("20k.rules")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let started = Date()
        let r = try picket(["signatures", "lint", path])
        let seconds = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.stderr.suffix(500))")
        #expect(r.stdout.contains("15000 signature(s) OK"))
        #expect(r.stdout.contains("skipped Suricata rules by unsupported keyword:"))
        for k in ["byte_jump", "isdataat", "http.cookie", "lua", "dataset"] { #expect(r.stdout.contains("\(k) 1000")) }
        print("20,000 rules (5,000 unsupported): lint took \(String(format: "%.2f", seconds)) s")
    }
}
