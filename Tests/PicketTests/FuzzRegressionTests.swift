    /// FuzzNative: `id: ''` — or `id: !abc`, where `!abc` is a YAML tag and the value is empty —
    /// loaded a signature with an empty id (every such signature would share one signature id).
    @Test("an empty id or title is an error", arguments: ["id: ''", "id: !c8a1b63-4f75", "id: '  '"])
    func nativeSignatureWithEmptyIDIsAnError(_ idLine: String) {
        let text = """
            title: t
            \(idLine)
            area: cyber
            level: low
            logsource: {category: dns}
            detection:
              s:
                dns.query: x
              condition: s
            """
        let (sigs, errors) = NativeLoader.load(file: "e.yml", text: text)
        #expect(sigs.isEmpty)
        #expect(errors.map(\.description) == ["e.yml:2:5: 'id' must not be empty"])
        let (_, titleErrors) = NativeLoader.load(file: "e.yml", text: text.replacingOccurrences(of: "title: t", with: "title: ''")
                                                    .replacingOccurrences(of: idLine, with: "id: x"))
        #expect(titleErrors.map(\.description) == ["e.yml:1:8: 'title' must not be empty"])
    }

    /// FuzzJSONLines, FuzzScan: a JSON line whose strings held bytes that are not UTF-8 (or a
    /// lone `\ud800` escape) was copied as it was into `picket decode`'s output, which strict
    /// JSON parsers then rejected. Now those become U+FFFD.
    @Test func jsonLineWithInvalidUTF8StaysValidJSON() throws {
        let path = Paths.temporary("invalid-utf8.jsonl")
        let line: [UInt8] = Array(#"{"timestamp":"2026-11-27T00:03:00Z","sens"#.utf8) + [0xFF, 0xC3]
            + Array(#"or":"a","s":"\ud800 \udc00 \ud83d\ude00"}"#.utf8)
        try Data(line + [10]).write(to: URL(fileURLWithPath: path))
        let r = try picket(["decode", path])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let json = try #require(object["json"] as? [String: Any])
        #expect(json["sens\u{FFFD}\u{FFFD}or"] as? String == "a")
        #expect(json["s"] as? String == "\u{FFFD} \u{FFFD} \u{1F600}")
    }
}
