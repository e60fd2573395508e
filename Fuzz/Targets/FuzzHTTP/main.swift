// HTTP/1.x requests (HTTPRequestParser and the pipeline's HTTP state: pipelining, bodies by
// Content-Length and chunks, CONNECT). The input is what a client sends. Invariants:
// - a parsed request's ranges lie inside its header block, the method is a token, the block
//   length is what `headerEnd` found;
// - the http events of a TCP session do not depend on how the client's bytes were cut into
//   segments (one segment, or many small ones);
// - each event answers its fields and writes valid JSON; the same bytes as an SSDP datagram
//   (UDP port 1900) break nothing.
import FuzzSupport
import PicketCore
import PicketNet

let whole = NetHarness(withNMEA: false)
let pieces = NetHarness(withNMEA: false)
let ssdp = NetHarness(withNMEA: false)

runFuzzer { input in
    // The parser on its own, at every request start the pipeline could see.
    if HTTPRequestParser.looksLikeRequest(input) == true, let end = HTTPRequestParser.headerEnd(input, from: 0) {
        require(end > 0 && end <= input.count, "header end \(end) outside \(input.count) bytes")
        if let r = HTTPRequestParser.parse(input, from: 0, end: end) {
            require(r.length == end, "request length \(r.length), header block \(end)")
            for (name, range) in [("method", r.method), ("uri", r.uri), ("protocol", r.protocolVersion)] + [
                ("host", r.host), ("hostname", r.hostname), ("user-agent", r.userAgent)].compactMap({ n, x in x.map { (n, $0) } }) {
                require(range.lowerBound >= 0 && range.upperBound <= end && range.lowerBound <= range.upperBound,
                        "\(name) range \(range) outside the header block 0..<\(end)")
            }
            require(!r.method.isEmpty, "empty method")
            if let p = r.port { require(p >= 0 && p <= 65535, "port \(p)") }
            if let l = r.contentLength { require(l >= 0, "negative content length \(l)") }
        }
    }
    let bytes = Array(input)
    guard bytes.count <= 4096 else { return }
    whole.reset()
    whole.sink.checkOnly = { $0.kind == .http }
    whole.sink.logKinds = [.http]
    whole.tcpSession(port: 80, segments: [bytes])
    whole.finish()
    pieces.reset()
    pieces.sink.checkOnly = { $0.kind == .http }
    pieces.sink.logKinds = [.http]
    pieces.sink.validateJSON = false
    pieces.tcpSession(port: 80, segments: split(bytes, seed: inputHash(input), maxPiece: 300))
    pieces.finish()
    require(whole.sink.log == pieces.sink.log && whole.sink.perKind[Int(EventKind.http.rawValue)] == pieces.sink.perKind[Int(EventKind.http.rawValue)],
            "http events differ when the stream is cut into segments:\nwhole:  \(whole.sink.log)\npieces: \(pieces.sink.log)")
    ssdp.reset()
    ssdp.sink.checkOnly = { $0.kind == .http }
    ssdp.udp(sport: 5000, dport: 1900, payload: bytes)
    ssdp.finish()
}
