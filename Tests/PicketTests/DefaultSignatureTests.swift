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
func ais(_ f: [String: FieldValue]) -> [String: FieldValue] { merged(aisBase, f) }
func gnss(_ f: [String: FieldValue]) -> [String: FieldValue] { merged(gnssBase, f) }

let defaultSignatureCases: [SignatureCase] = [
    // Maritime
    SignatureCase(id: "1b7f0a52-3e64-4c1e-9a0d-5f2e6c7b8a01", kind: .ais,
                  fires: ais(["ais.implied_speed_kn": .double(71), "ais.jump_nm": .double(12)]),
                  nearMiss: ais(["ais.implied_speed_kn": .double(49), "ais.jump_nm": .double(12)])),
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
                  fires: ais(["ais.gap_s": .double(30000)]), nearMiss: ais(["ais.gap_s": .double(20000)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b03", kind: .ais,
                  fires: ais(["ais.gap_s": .double(2400), "ais.zone": .string("cable:Estlink 2")]),
                  nearMiss: ais(["ais.gap_s": .double(2400), "ais.zone": .string("fairway:Helsinki")])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b04", kind: .ais,
                  fires: ais(["ais.zone": .string("pipeline:Balticconnector"), "ais.sog": .double(1.4), "ais.zone_dwell_s": .double(2700)]),
                  nearMiss: ais(["ais.zone": .string("pipeline:Balticconnector"), "ais.sog": .double(11), "ais.zone_dwell_s": .double(2700)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b05", kind: .ais,
                  fires: ais(["ais.nav_status": .int(1), "ais.sog": .double(5)]), nearMiss: ais(["ais.nav_status": .int(1), "ais.sog": .double(0.3)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b06", kind: .ais,
                  fires: ais(["ais.msg_type": .int(21), "ais.virtual_aid": .bool(true)]),
                  nearMiss: ais(["ais.msg_type": .int(21), "ais.virtual_aid": .bool(false)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b07", kind: .ais,
                  fires: ais(["ais.msg_type": .int(4), "ais.mmsi": .int(230111222)]), nearMiss: ais(["ais.msg_type": .int(4), "ais.mmsi": .int(2300999)])),
    SignatureCase(id: "2c8a1b63-4f75-4d2f-8b1e-6a3f7d8c9b08", kind: .ais,
                  fires: ais(["ais.nav_status": .int(1), "ais.zone": .string("cable:C-Lion1"), "ais.zone_dwell_s": .double(900)]),
                  nearMiss: ais(["ais.nav_status": .int(1), "ais.zone": .string("anchorage:Porvoo"), "ais.zone_dwell_s": .double(900)])),
    // Space
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c01", kind: .gnss,
                  fires: gnss(["gnss.cn0_drop_db": .double(18), "gnss.sats_strong": .int(1), "gnss.group_complete": .bool(true)]),
                  nearMiss: gnss(["gnss.cn0_drop_db": .double(6), "gnss.sats_strong": .int(1), "gnss.group_complete": .bool(true)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c02", kind: .gnss,
                  fires: gnss(["gnss.sats_strong": .int(2), "gnss.sats_tracked": .int(9), "gnss.group_complete": .bool(true)]),
                  nearMiss: gnss(["gnss.sats_strong": .int(3), "gnss.sats_tracked": .int(9), "gnss.group_complete": .bool(true)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c03", kind: .gnss,
                  fires: gnss(["gnss.fix_lost_s": .double(90)]), nearMiss: gnss(["gnss.fix_lost_s": .double(30)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c04", kind: .gnss,
                  fires: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(15)]),
                  nearMiss: gnss(["gnss.fix_lost_s": .double(400), "gnss.cn0_mean": .double(38)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c05", kind: .gnss,
                  fires: gnss(["gnss.cn0_std": .double(0.5), "gnss.sats_tracked": .int(10), "gnss.cn0_mean": .double(50), "gnss.group_complete": .bool(true)]),
                  nearMiss: gnss(["gnss.cn0_std": .double(4.2), "gnss.sats_tracked": .int(10), "gnss.cn0_mean": .double(42), "gnss.group_complete": .bool(true)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c06", kind: .gnss,
                  fires: gnss(["gnss.jump_m": .double(9000)]), nearMiss: gnss(["gnss.jump_m": .double(90)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c07", kind: .gnss,
                  fires: gnss(["gnss.time_jump_s": .double(-37)]), nearMiss: gnss(["gnss.time_jump_s": .double(0.4)])),
    SignatureCase(id: "3d9b2c74-5086-4e3a-9c2f-7b4a8e9d0c08", kind: .gnss,
                  fires: gnss(["gnss.alt_m": .double(412)]), nearMiss: gnss(["gnss.alt_m": .double(21)])),
    SignatureCase(id: "5d2c7f31-8a4b-4e09-b6d2-3c1e0f9a8b04", kind: .syslog,
                  fires: ["syslog.app": .string("chronyd"), "syslog.msg": .string("System clock wrong by 37.2 seconds, adjustment started")],
                  nearMiss: ["syslog.app": .string("chronyd"), "syslog.msg": .string("Selected source 192.0.2.1")]),
    // Cyber
    SignatureCase(id: "0c5b8e47-2d9a-4b6f-a1e3-9f8d7c6b5a03", kind: .packet, fires: [:], nearMiss: [:],
                  payload: "GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n",
                  nearMissPayload: "GET / HTTP/1.1\r\nAuthorization: Bearer eyJ0eXAi\r\n\r\n"),
]

@Suite(.serialized) struct DefaultSignatureTests {
    static let compiled: CompiledSet = {
        let result = SignatureSet.load(paths: [Paths.repo.appendingPathComponent("Signatures").path])
        return try! CompiledSet(set: result.set!, cacheFolder: nil)
    }()

    func findings(_ kind: EventKind, _ fields: [String: FieldValue], payload: String) throws -> [String] {
        let matcher = try Matcher(Self.compiled)
        var sink = CollectingSink()
        _ = matcher.process(TestEvent(kind: kind, fields: fields, payloadBytes: Array(payload.utf8)), input: "test", sink: &sink)
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
    ]

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
