// TLS ClientHello (TLSClientHello, and the pipeline's record and handshake reassembly). The
// input is what a client sends: TLS records. Invariants:
// - a ClientHello that parses has a JA3 string of five comma-separated fields of decimal
//   numbers joined by '-', a 32-digit lowercase hex JA3 hash, and a JA4 of the form
//   `t` + 2 + `d`/`i` + 2 digits + 2 digits + 2 ALPN characters `_` 12 hex `_` 12 hex;
// - the tls events of a TCP session do not depend on how the bytes were cut into segments;
// - each event answers its fields and writes valid JSON.
import FuzzSupport
import PicketCore
import PicketNet

let hello = TLSClientHello()

func isHex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 97 && c <= 102) }

func checkHello(_ h: TLSClientHello) {
    let ja3 = h.ja3
    var commas = 0
    for c in ja3 {
        if c == 44 { commas += 1; continue }
        require((c >= 48 && c <= 57) || c == 45, "JA3 string has byte \(c): \(String(decoding: ja3, as: UTF8.self))")
    }
    require(commas == 4, "JA3 string has \(commas) commas: \(String(decoding: ja3, as: UTF8.self))")
    require(h.ja3Hash.count == 32 && h.ja3Hash.allSatisfy(isHex), "JA3 hash \(String(decoding: h.ja3Hash, as: UTF8.self))")
    let ja4 = h.ja4
    require(ja4.count == 36, "JA4 of \(ja4.count) characters: \(String(decoding: ja4, as: UTF8.self))")
    require(ja4[0] == UInt8(ascii: "t") && ja4[10] == UInt8(ascii: "_") && ja4[23] == UInt8(ascii: "_"),
            "JA4 shape: \(String(decoding: ja4, as: UTF8.self))")
    require(ja4[3] == UInt8(ascii: "d") || ja4[3] == UInt8(ascii: "i"), "JA4 SNI flag")
    for i in 4..<8 { require(ja4[i] >= 48 && ja4[i] <= 57, "JA4 counts: \(String(decoding: ja4, as: UTF8.self))") }
    for i in Array(11..<23) + Array(24..<36) { require(isHex(ja4[i]), "JA4 hashes: \(String(decoding: ja4, as: UTF8.self))") }
    _ = h.versionText
}

let whole = NetHarness(withNMEA: false)
let pieces = NetHarness(withNMEA: false)
let ssdp = NetHarness(withNMEA: false)

runFuzzer { input in
    // The hello parser on every handshake body the input could hold: at 0 (a bare body) and
    // after a record header and handshake header (offset 9).
    for start in [0, 9] where input.count >= start {
        if hello.parse(UnsafeRawBufferPointer(rebasing: input[start...])) { checkHello(hello) }
    }
    let bytes = Array(input)
    guard bytes.count <= 8192 else { return }
    whole.reset()
    whole.sink.checkOnly = { $0.kind == .tls }
    whole.sink.logKinds = [.tls]
    whole.sink.onEvent = { e in if let t = e as? TLSEvent { checkHello(t.hello) } }
    whole.tcpSession(port: 443, segments: [bytes])
    whole.finish()
    pieces.reset()
    pieces.sink.checkOnly = { $0.kind == .tls }
    pieces.sink.logKinds = [.tls]
    pieces.sink.validateJSON = false
    pieces.tcpSession(port: 443, segments: split(bytes, seed: inputHash(input), maxPiece: 120))
    pieces.finish()
    require(whole.sink.log == pieces.sink.log && whole.sink.perKind[Int(EventKind.tls.rawValue)] == pieces.sink.perKind[Int(EventKind.tls.rawValue)],
            "tls events differ when the stream is cut into segments:\nwhole:  \(whole.sink.log)\npieces: \(pieces.sink.log)")
}
