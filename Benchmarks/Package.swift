// swift-tools-version: 6.1
import PackageDescription

// Benchmarks for Picket (ordo-one/benchmark), kept out of the main package so that `swift build`
// and `swift test` at the repository root never build them. Run from this folder:
//     swift package benchmark
// Each target under Benchmarks/<Name> is one suite; BenchSupport makes their inputs.
// ordo-one/benchmark resolves here only with the MallocInterposer trait (SWIFT-NOTES.md).
let package = Package(
    name: "PicketBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "Picket", path: "../"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Sources/BenchSupport"
        ),
    ]
)

let picket: [Target.Dependency] = [
    .product(name: "PicketCore", package: "Picket"),
    .product(name: "PicketIngest", package: "Picket"),
    .product(name: "PicketNet", package: "Picket"),
    .product(name: "PicketLogs", package: "Picket"),
    .product(name: "PicketSignatures", package: "Picket"),
    .product(name: "PicketScan", package: "Picket"),
]

for name in ["Decoding", "Matching", "Pipeline"] {
    package.targets.append(
        .executableTarget(
            name: name,
            dependencies: [.product(name: "Benchmark", package: "benchmark"), "BenchSupport"] + picket,
            path: "Benchmarks/\(name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
