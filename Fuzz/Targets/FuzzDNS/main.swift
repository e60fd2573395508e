// DNS messages (DNSMessage), on their own and as the network stages see them: a UDP datagram
// to port 53 and DNS over TCP (length-prefixed, cut into segments). Invariants:
// - questions and answers stay within the dns_records cap, names are at most 255 bytes on the
//   wire (so their text is bounded), every range indexes the decoded text;
// - parsing is a function of the bytes (parsing again gives the same result);
// - each DNS event answers its fields and writes valid JSON, and the UDP path gives one event
//   per question (one when there is none) exactly when the message parses;
// - over TCP, how the stream is cut into segments changes nothing.
import FuzzSupport
import PicketCore
import PicketNet

let dns = DNSMessage()
let udp = NetHarness(withNMEA: false)
let whole = NetHarness(withNMEA: false)
let pieces = NetHarness(withNMEA: false)

func describe(_ m: DNSMessage) -> String {
    var s = "\(m.id) \(m.flags) q\(m.questions.count) a\(m.answers.count) "
    for q in m.questions { s += "[\(q.name) \(q.type)]" }
    for a in m.answers { s += "[\(a.name) \(a.type) \(a.ttl) \(String(describing: a.data))]" }
    return s + String(decoding: m.text, as: UTF8.self)
}

runFuzzer { input in
    let ok = dns.parse(input)
    require(dns.questions.count <= DNSMessage.maxRecords && dns.answers.count <= DNSMessage.maxRecords,
            "\(dns.questions.count) questions and \(dns.answers.count) answers kept, cap \(DNSMessage.maxRecords)")
    for q in dns.questions {
        require(q.name.lowerBound >= 0 && q.name.upperBound <= dns.text.count && !q.name.isEmpty, "question name range \(q.name) outside the text (\(dns.text.count))")
        require(q.name.count <= 255 * 4 + 8, "question name of \(q.name.count) bytes")
        _ = touch(dns.textBytes(q.name))
    }
    for a in dns.answers {
        require(a.name.upperBound <= dns.text.count && !a.name.isEmpty, "answer name range \(a.name) outside the text")
        if let d = a.data { require(d.lowerBound >= 0 && d.upperBound <= dns.text.count, "rdata range \(d) outside the text") }
    }
    let first = describe(dns)
    let again = dns.parse(input)
    require(again == ok && describe(dns) == first, "parsing the same message twice differs")

    // Events straight from the parsed message.
    var sink = CheckingSink()
    let ctx = FlowContext(flowID: 1, src: IPAddress(v4: 0x0A00_0001), dst: IPAddress(v4: 0x0A00_0002), srcPort: 5000,
                          dstPort: 53, proto: 17, toServer: true)
    if ok {
        for q in -1..<dns.questions.count {
            _ = sink.consume(DNSEvent(context: ctx, message: dns, question: q, payload: input,
                                      origin: Origin(input: 0, position: .packet(1)), timestamp: Timestamp(nanoseconds: 0)), input: "fuzz")
        }
    }
    let expected = ok ? max(1, dns.questions.count) : 0
    let bytes = Array(input)
    // A UDP datagram to port 53.
    if bytes.count <= 65_000 {
        udp.reset()
        udp.sink.checkOnly = { $0.kind == .dns }
        udp.sink.fullCheckLimit = 1  // the same events as above, written and checked there
        udp.udp(sport: 5000, dport: 53, payload: bytes)
        udp.finish()
        let got = udp.sink.perKind[Int(EventKind.dns.rawValue)]
        require(got == expected, "UDP path gave \(got) DNS events, expected \(expected)")
    }
    // DNS over TCP, whole and in pieces: the same events.
    guard bytes.count <= 65_535 else { return }
    let framed = Frames.be16(UInt16(bytes.count)) + bytes
    whole.reset()
    whole.sink.checkOnly = { $0.kind == .dns }
    whole.sink.logKinds = [.dns]
    whole.sink.logLimit = 4  // each event of a message writes the whole message
    whole.sink.validateJSON = false
    whole.tcpSession(port: 53, segments: [framed])
    whole.finish()
    pieces.reset()
    pieces.sink.checkOnly = { $0.kind == .dns }
    pieces.sink.logKinds = [.dns]
    pieces.sink.logLimit = 4  // each event of a message writes the whole message
    pieces.sink.validateJSON = false
    pieces.tcpSession(port: 53, segments: split(framed, seed: inputHash(input), maxPiece: 64))
    pieces.finish()
    let dnsKind = Int(EventKind.dns.rawValue)
    require(whole.sink.perKind[dnsKind] == expected, "DNS over TCP gave \(whole.sink.perKind[dnsKind]) events, expected \(expected)")
    require(whole.sink.log == pieces.sink.log && whole.sink.perKind[dnsKind] == pieces.sink.perKind[dnsKind],
            "DNS over TCP differs when the stream is cut into segments")
}
