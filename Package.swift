// swift-tools-version: 6.1
import PackageDescription

// Targets follow the data flow (DESIGN.md section 1):
//   PicketCore (vocabulary) ← PicketIngest (sources, framing) ← PicketNet (L2–L4)
//   ← PicketLogs (syslog, JSON lines, text), PicketNMEA (NMEA 0183, AIS, GNSS, tracking)
//   ← PicketSignatures (load, compile, evaluate; on PicketMatch, the multi-pattern and regex
//   matchers) ← PicketReport (incidents, exporters) ← PicketScan (the pipeline) ← picket (CLI).
// Upstream stages never import downstream ones.
/// Release builds skip the runtime exclusivity checks: the profile showed them at 28-50% of the
/// per-packet cost (mutable state in the scanner's classes); debug builds and tests keep them.
/// Not in PicketSignatures: there, with Swift 6.3.1, the flag twice led to miscompiled code in the
/// matcher (heap corruption at start-up; fine with the checks on and in debug). `scripts/release-check`
/// (in CI) compares release and debug results on the whole corpus.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Picket",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "picket", targets: ["picket"]),
        .library(name: "PicketScan", targets: ["PicketScan"]),
        // The stages on their own, for Benchmarks/ (a separate package that measures each stage).
        .library(name: "PicketCore", targets: ["PicketCore"]),
        .library(name: "PicketIngest", targets: ["PicketIngest"]),
        .library(name: "PicketNet", targets: ["PicketNet"]),
        .library(name: "PicketLogs", targets: ["PicketLogs"]),
        .library(name: "PicketMatch", targets: ["PicketMatch"]),
        .library(name: "PicketSignatures", targets: ["PicketSignatures"]),
        // And for Fuzz/ (libFuzzer targets, one per decoder).
        .library(name: "PicketNMEA", targets: ["PicketNMEA"]),
        .library(name: "PicketReport", targets: ["PicketReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"]), .brew(["libpcap"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CHyperscan", pkgConfig: "libhs", providers: [.apt(["libhyperscan-dev"]), .brew(["vectorscan"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]),
        .target(name: "PicketCore", swiftSettings: fast),
        .target(name: "PicketIngest", dependencies: ["PicketCore", "CZlib"], swiftSettings: fast),
        .target(name: "PicketNet", dependencies: ["PicketCore", "CPcap"], swiftSettings: fast),
        .target(name: "PicketLogs", dependencies: ["PicketCore"], swiftSettings: fast),
        .target(name: "PicketNMEA", dependencies: ["PicketCore"], swiftSettings: fast),
        .target(name: "PicketMatch", dependencies: ["CHyperscan", "CPCRE2"], swiftSettings: fast),
        // YAML: libyaml, as the Yams package builds it (its CYaml module), read event by event
        // (PicketSignatures/YAMLDocuments.swift).
        .target(name: "PicketSignatures", dependencies: ["PicketCore", "PicketMatch", .product(name: "Yams", package: "Yams")]),
        .target(name: "PicketReport", dependencies: ["PicketCore"]),
        .target(name: "PicketScan", dependencies: ["PicketCore", "PicketIngest", "PicketNet", "PicketLogs", "PicketNMEA", "PicketSignatures", "PicketReport"], swiftSettings: fast),
        .executableTarget(
            name: "picket",
            dependencies: ["PicketScan", "PicketNMEA", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "PicketTests",
            dependencies: ["PicketCore", "PicketIngest", "PicketNet", "PicketLogs", "PicketNMEA", "PicketMatch", "PicketSignatures", "PicketReport", "PicketScan", "picket"]
        ),
    ]
)
