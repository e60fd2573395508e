import Foundation
import Testing

@testable import PicketCore

/// JSON string escaping and Base64, as every EVE record, summary and `decode` line writes them.
@Suite struct JSONOutTests {
    static func escaped(_ bytes: [UInt8]) -> String {
        var out = JSONOut()
        bytes.withUnsafeBytes { out.string(bytes: $0) }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The escaping written out byte by byte, the plain way: what the run-copying version must equal.
    static func reference(_ b: [UInt8]) -> String {
        var out: [UInt8] = [34]
        let hex = Array("0123456789abcdef".utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case 34, 92: out += [92, c]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            case 9: out += [92, 116]
            case 0..<0x20, 0x7f, 60, 62, 38: out += [92, 117, 48, 48, hex[Int(c >> 4)], hex[Int(c & 15)]]
            case 0x20..<0x80: out.append(c)
            default:
                let len = b.withUnsafeBytes { UTF8Check.sequenceLength($0, at: i) }
                if len == 0 {
                    out += [0xEF, 0xBF, 0xBD]
                    i += 1
                    continue
                }
                let scalar = String(decoding: b[i..<(i + len)], as: UTF8.self).unicodeScalars.first!.value
                if HiddenCharacters.isControl(scalar) || HiddenCharacters.contains(scalar) {
                    let units = String(decoding: b[i..<(i + len)], as: UTF8.self).utf16
                    for u in units { out += Array(("\\u" + String(format: "%04x", u)).utf8) }
                } else {
                    out += b[i..<(i + len)]
                }
                i += len
                continue
            }
            i += 1
        }
        out.append(34)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [
        ("", #""""#),
        ("plain text, 8+ bytes long", #""plain text, 8+ bytes long""#),
        ("quote\" backslash\\ end", #""quote\" backslash\\ end""#),
        ("<script>&amp;</script>", #""\u003cscript\u003e\u0026amp;\u003c/script\u003e""#),
        ("tab\tnl\ncr\rnul\u{0}del\u{7f}esc\u{1b}", #""tab\tnl\ncr\rnul\u0000del\u007fesc\u001b""#),
        ("snowman ☃ and 𝄞 stay", "\"snowman ☃ and 𝄞 stay\""),
        ("line\u{2028}para\u{2029}", #""line\u2028para\u2029""#),
        ("csi\u{9b}2J nel\u{85}", #""csi\u009b2J nel\u0085""#),
        ("txt\u{202E}exe.doc zw\u{200B}j\u{FEFF}", #""txt\u202eexe.doc zw\u200bj\ufeff""#),
        ("tag\u{E0041}\u{E007F}", #""tag\udb40\udc41\udb40\udc7f""#),
        ("é and ü stay", "\"é and ü stay\""),
    ])
    func escapesText(_ input: String, _ expected: String) {
        #expect(Self.escaped(Array(input.utf8)) == expected)
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        #expect(Self.escaped([0x61, 0xFF, 0x62, 0xC3]) == "\"a\u{FFFD}b\u{FFFD}\"")
        #expect(Self.escaped([0xED, 0xA0, 0x80]) == "\"\u{FFFD}\u{FFFD}\u{FFFD}\"")  // a surrogate
    }

    /// Every byte value at every position of a buffer longer than one eight-byte word, between
    /// plain bytes: the word-at-a-time scan must stop exactly there.
    @Test func everyByteAtEveryPosition() {
        for value in 0...255 {
            for position in 0..<19 {
                var b = [UInt8](repeating: UInt8(ascii: "x"), count: 19)
                b[position] = UInt8(value)
                #expect(Self.escaped(b) == Self.reference(b), "byte \(value) at \(position)")
            }
        }
    }

    /// Random bytes, mostly the ones that need escaping, several per word: the same as escaping
    /// byte by byte, and valid JSON whose string is what went in where that was valid UTF-8.
    @Test func randomBytesMatchTheReference() throws {
        var rng = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [0, 9, 10, 31, 32, 34, 38, 60, 62, 92, 126, 127, 128, 0x9B, 0xC2, 0xC3, 0xA9, 0xE2, 0x80, 0xA8, 0xAE, 0xF0, 0xF3, 0xA0, 0x9D, 0xFF]
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<48, using: &rng)
            let b = (0..<n).map { _ in
                Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0x20..<0x7f, using: &rng)
            }
            let got = Self.escaped(b)
            #expect(got == Self.reference(b), "\(b)")
            let parsed = try JSONSerialization.jsonObject(with: Data(got.utf8), options: [.fragmentsAllowed]) as? String
            if let text = String(validating: b, as: UTF8.self) { #expect(parsed == text, "\(b)") }
        }
    }

    @Test func base64MatchesFoundation() {
        var rng = SystemRandomNumberGenerator()
        for n in 0..<70 {
            let b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var out: [UInt8] = Array("prefix:".utf8)
            b.withUnsafeBytes { Base64.encode($0, into: &out) }
            #expect(String(decoding: out, as: UTF8.self) == "prefix:" + Data(b).base64EncodedString(), "\(b)")
        }
    }
}

extension JSONOutTests {
    /// A JSON log line copied into a finding: what `appendEscaped` escapes inside strings is
    /// escaped the same way, and a JSON reader sees the same value.
    @Test func rawJSONEscapesWhatStringsEscape() throws {
        let line = Array(#"{"a":"<x> & \u00e9 \\< "#.utf8) + [0xC2, 0x9B] + Array("\u{202E}é\u{E0041}".utf8) + Array(#"","n":[1,2]}"#.utf8)
        var out = JSONOut()
        line.withUnsafeBytes { out.rawJSON(repairing: $0) }
        #expect(String(decoding: out.bytes, as: UTF8.self) == #"{"a":"\u003cx\u003e \u0026 \u00e9 \\\u003c \u009b\u202eé\udb40\udc41","n":[1,2]}"#)
        let before = try JSONSerialization.jsonObject(with: Data(line)) as? NSDictionary
        let after = try JSONSerialization.jsonObject(with: Data(out.bytes)) as? NSDictionary
        #expect(before != nil && before == after)
    }
}

extension JSONOutTests {
    /// Numbers beyond a double's range are valid JSON, but Foundation, Go and serde_json refuse
    /// the whole document: they are written as strings of their text. Everything else, strings
    /// that look like numbers included, is copied as it is.
    @Test(arguments: [
        (#"{"":1e047883200}"#, #"{"":"1e047883200"}"#),
        (#"{"a":[1e400,-1.8E+308,2]}"#, #"{"a":["1e400","-1.8E+308",2]}"#),
        (#"{"a":1e308,"b":1e-400,"c":-0.5e-3,"d":123456789012345678901234567890}"#,
         #"{"a":1e308,"b":1e-400,"c":-0.5e-3,"d":123456789012345678901234567890}"#),
        (#"{"a":"1e400","b\"":"x\"1e400","c":1}"#, #"{"a":"1e400","b\"":"x\"1e400","c":1}"#),
        (#"{"n\u0022":1e999}"#, #"{"n\u0022":"1e999"}"#),
        ("[" + String(repeating: "9", count: 309) + "]", "[\"" + String(repeating: "9", count: 309) + "\"]"),
        ("[" + String(repeating: "9", count: 308) + "]", "[" + String(repeating: "9", count: 308) + "]"),
    ])
    func rawJSONWritesNumbersBeyondDoubleAsText(_ line: String, _ expected: String) throws {
        var out = JSONOut()
        Array(line.utf8).withUnsafeBytes { out.rawJSON(repairing: $0) }
        #expect(String(decoding: out.bytes, as: UTF8.self) == expected)
        _ = try JSONSerialization.jsonObject(with: Data(out.bytes))
    }
}
