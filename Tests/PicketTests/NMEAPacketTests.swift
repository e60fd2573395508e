import Foundation
import PicketCore
import PicketIngest
import PicketNMEA
import PicketNet
import Testing

/// NMEA inside packets: the captures of nmea/pcap decoded through the real capture framer and
/// L2–L4 decoder, their UDP payloads handed to the NMEA decoder as the network stage will
/// (`SentenceConsumer`), and compared with the IPAL transcripts.
@Suite struct NMEAPacketTests {
    /// Every UDP payload of a capture, with its packet number, time and source.
    static func udpPayloads(_ path: String) throws -> [(n: Int, time: Timestamp, source: String, payload: [UInt8])] {
        let buffer = InputBuffer(source: MemorySource(try file(path)), capacity: 1 << 16, maximumCapacity: 1 << 22)
        let format = try Sniffer.sniff(buffer)
        var framer = CaptureFramers.make(format, buffer: buffer, maxRecord: 1 << 20)
        let decoder = PacketDecoder()
        var p = DecodedPacket()
        var out: [(Int, Timestamp, String, [UInt8])] = []
        var n = 0
        while let r = try framer.next() {
            n += 1
            decoder.decode(linkType: r.linkType, r.data, wireLength: r.originalLength, into: &p)
            guard p.event == nil, p.ipProto == 17, p.payloadLength > 0 else { continue }
            let payload = Array(r.data[p.payloadOffset..<(p.payloadOffset + p.payloadLength)])
            out.append((n, r.timestamp, "\(p.src):\(p.srcPort)", payload))
        }
        return out
    }

    static func decode(_ path: String, datagrams: Bool = true) throws -> [[String: Any]] {
        let nmea = NMEADecoder()
        var sink = EventCollector()
        for (n, time, source, payload) in try udpPayloads(path) {
            payload.withUnsafeBytes { b in
                let origin = Origin(input: 0, position: .packet(n))
                if datagrams {
                    _ = nmea.consume(datagram: b, origin: origin, timestamp: time, source: source, input: path, sink: &sink)
                } else {
                    _ = nmea.consume(sentence: b, origin: origin, timestamp: time, source: source, input: path, sink: &sink)
                }
            }
        }
        return sink.events
    }

    /// IPAL's `type` is the formatter (for a query `$GGHCQ,HDM`, the sentence asked for), `crc`
    /// whether the checksum is good, and `data` each field by position (numbers as floats, so
    /// leading zeros are lost), carrying earlier sentences' fields along.
    @Test("iec450-nmea.pcap and nmea0183udp.pcapng decode to the sentences of their .ipal transcripts", arguments: [
        ("iec450-nmea.pcap", "iec450-nmea.ipal"), ("nmea0183udp.pcapng", "nmea0183udp.ipal"),
    ])
    func ipal(_ capture: String, _ transcript: String) throws {
        let events = try Self.decode(try corpusFile("nmea/pcap/" + capture))
        let ipal = try jsonLines(try corpusFile("nmea/pcap/" + transcript))
        #expect(events.count == ipal.count)
        var fieldsCompared = 0
        for (e, r) in zip(events, ipal) {
            let fields = e.nmea["fields"] as? [String] ?? []
            var sentence = e.nmea["sentence"] as? String ?? ""
            if sentence.count == 3 && sentence.hasSuffix("Q"), let asked = fields.first { sentence = asked }  // query
            #expect(sentence == r["type"] as? String, "\(e.raw)")
            let crc = r["crc"] as? Bool ?? false
            let checksumProblem = ["decoder.nmea.missing_checksum", "decoder.nmea.bad_checksum"].contains(e.decoderEvent ?? "")
            #expect(crc == !checksumProblem, "\(e.raw): \(e.decoderEvent ?? "no problem")")
            #expect(e["timestamp"] != nil && e["pcap_cnt"] as? Int != nil)
            let type = r["type"] as? String ?? ""
            let data = r["data"] as? [String: Any] ?? [:]
            for (key, value) in data where key.hasPrefix(type) && Int(key.dropFirst(type.count)) != nil && !sentence.isEmpty {
                let k = Int(key.dropFirst(type.count)) ?? -1
                guard k >= 0, k < fields.count else {
                    Issue.record("\(e.raw): \(key) has no field")
                    continue
                }
                if let v = number(value), !(value is String) {
                    #expect(Double(fields[k]).map { abs($0 - v) < 1e-9 } == true, "\(e.raw): \(key) \(value) vs \(fields[k])")
                } else {
                    #expect(fields[k] == value as? String, "\(e.raw): \(key)")
                }
                fieldsCompared += 1
            }
        }
        print("\(capture): \(events.count) sentences, \(fieldsCompared) fields compared with IPAL")
        #expect(fieldsCompared >= (capture.hasPrefix("iec") ? 100 : 4))
    }

    @Test("IEC 61162-450: the UdPbC header is stripped, the tag block gives the source, the packet the time")
    func iec450() throws {
        let events = try Self.decode(try corpusFile("nmea/pcap/iec450-nmea.pcap"))
        let rmc = try #require(events.first)
        #expect(rmc.kind == "gnss")
        #expect(rmc.nmea["source"] as? String == "GP001")
        #expect(rmc["timestamp"] as? String == "2021-02-01T15:07:41.795489+0000")
        #expect(rmc["time_source"] as? String == "record")
        #expect(rmc.gnss["receiver"] as? String == "192.168.149.2:10232:GP001:GP")
        let gsv = events.filter { $0.nmea["sentence"] as? String == "GSV" }
        #expect(gsv.count == 3)
        #expect(gsv.last?.gnss["group_complete"] as? Bool == true)
        #expect(number(gsv.last?.gnss["cn0_mean"]).map { $0 >= 45 && $0 <= 48 } == true)
        // The same datagrams handed over one sentence at a time give the same events.
        let one = try Self.decode(try corpusFile("nmea/pcap/iec450-nmea.pcap"), datagrams: false)
        #expect(one.map(\.raw) == events.map(\.raw))
    }

    @Test("sim2.pcapng: ~24 sentences a datagram, own ship as !AIVDO and looped-back !AIVDM")
    func sim2() throws {
        let events = try Self.decode(try corpusFile("nmea/pcap/sim2.pcapng"))
        #expect(events.count > 2000)
        #expect(events.allSatisfy { $0.decoderEvent == nil })
        let ais = events.filter { $0.kind == "ais" }
        #expect(ais.contains { $0.ais["own_ship"] as? Bool == true && $0.ais["msg_type"] as? Int == 5 })
        #expect(ais.contains { $0.ais["own_ship"] as? Bool == false && $0.ais["msg_type"] as? Int == 5 })
        let mmsis = Set(ais.compactMap { $0.ais["mmsi"] as? Int })
        #expect(mmsis.count == 1)
        #expect(events.contains { $0.nmea["sentence"] as? String == "ZDA" && $0.gnss["time"] != nil })
    }
}
