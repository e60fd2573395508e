// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Picket, one per decoder, kept out of the main package so that
// `swift build` and `swift test` at the repository root never build them. Build and run with
// `Fuzz/run [seconds-per-target]` (it passes -sanitize=fuzzer,address); each target is an
// executable whose top-level code hands control to libFuzzer (FuzzSupport.runFuzzer).
let package = Package(
    name: "PicketFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Picket", path: "../"),
    ],
    targets: [
        .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CFuzzDriver",
                .product(name: "PicketCore", package: "Picket"),
                .product(name: "PicketNet", package: "Picket"),
                .product(name: "PicketNMEA", package: "Picket"),
                .product(name: "PicketLogs", package: "Picket"),
                .product(name: "PicketIngest", package: "Picket"),
            ],
            path: "Sources/FuzzSupport"
        ),
    ],
    swiftLanguageModes: [.v5]
)

/// Each fuzz target and the stages it needs.
let targets: [(String, [String])] = [
    ("FuzzPcap", ["PicketIngest"]),
    ("FuzzPcapng", ["PicketIngest"]),
    ("FuzzGzip", ["PicketIngest"]),
    ("FuzzPacket", ["PicketNet"]),
    ("FuzzDefrag", ["PicketNet"]),
    ("FuzzTCP", ["PicketNet"]),
    ("FuzzDNS", ["PicketNet"]),
    ("FuzzHTTP", ["PicketNet"]),
    ("FuzzTLS", ["PicketNet"]),
    ("FuzzNMEA", ["PicketNMEA"]),
    ("FuzzGNSS", ["PicketNMEA"]),
    ("FuzzSyslog", ["PicketLogs", "PicketIngest"]),
    ("FuzzJSONLines", ["PicketLogs", "PicketIngest"]),
    ("FuzzNative", ["PicketSignatures"]),
    ("FuzzSuricata", ["PicketSignatures", "PicketScan"]),
    ("FuzzScan", ["PicketScan", "PicketSignatures", "PicketReport", "PicketLogs"]),
]

for (name, stages) in targets {
    package.targets.append(
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "PicketCore", package: "Picket")]
                + stages.map { .product(name: $0, package: "Picket") },
            path: "Targets/\(name)"
        )
    )
}
