// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Assay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "assay-evaluator", targets: ["Evaluator"]),
        .executable(name: "assay-provider-emulator", targets: ["ProviderEmulator"]),
        .executable(name: "assay-kube-emulator", targets: ["KubeEmulator"]),
        .executable(name: "assay-operator", targets: ["Operator"]),
        .library(name: "Common", targets: ["Common"]),
    ],
    targets: [
        // C shims: epoll, eventfd, accept4 and socket helpers that Glibc's module does not export.
        .target(name: "CSystem", path: "Sources/CSystem"),
        // libcurl (Debian libcurl4-openssl-dev) with non-variadic setopt/getinfo wrappers.
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // PCRE2 (Debian libpcre2-dev): regex with match and depth limits and a JIT.
        .systemLibrary(
            name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        // hiredis (Debian libhiredis-dev): the Redis protocol; we call redisCommandArgv (not variadic).
        .systemLibrary(
            name: "CHiredis", path: "Sources/CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        // libyaml (Debian libyaml-dev): suite files and kubeconfigs.
        .systemLibrary(
            name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(
            name: "Common",
            dependencies: ["CSystem", "CPCRE2", "CHiredis", "CYAML", "CCurl"],
            path: "Sources/Common",
            swiftSettings: strict,
            linkerSettings: [.linkedLibrary("m")]
        ),
        // Criteria: decoding with field paths, and scoring (pure; the LLM judge's calls are the
        // evaluator's). The evaluator scores with it; the operator validates suites with it.
        .target(name: "Scoring", dependencies: ["Common"], path: "Sources/Scoring", swiftSettings: strict),
        .executableTarget(
            name: "Evaluator",
            dependencies: ["Common", "Scoring"],
            path: "Sources/Evaluator",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Operator",
            dependencies: ["Common", "Scoring"],
            path: "Sources/Operator",
            swiftSettings: strict
        ),
        // Dev and test servers: LLM provider wire formats, and the Kubernetes API.
        .executableTarget(
            name: "ProviderEmulator", dependencies: ["Common"], path: "Sources/ProviderEmulator",
            swiftSettings: strict),
        .executableTarget(
            name: "KubeEmulator", dependencies: ["Common"], path: "Sources/KubeEmulator", exclude: ["README.md"],
            swiftSettings: strict),
        // libFuzzer harnesses for the HTTP, JSON, JSON Schema and suite parsers (built by bin/fuzz).
        .executableTarget(
            name: "Fuzz",
            dependencies: ["Common", "Scoring"],
            path: "Sources/Fuzz",
            swiftSettings: strict
        ),
        .testTarget(
            name: "CommonTests", dependencies: ["Common", "TestSupport"], path: "Tests/CommonTests",
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "EvaluatorTests", dependencies: ["Evaluator", "Scoring", "Common", "TestSupport"],
            path: "Tests/EvaluatorTests", exclude: ["Fixtures"], swiftSettings: strict),
        // Processes and emulators the end-to-end tests share: built executables, redis-server,
        // the emulators, the operator, and a local kubelet that runs Deployments as processes.
        .target(name: "TestSupport", dependencies: ["Common"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "OperatorTests", dependencies: ["Operator", "Common", "TestSupport"], path: "Tests/OperatorTests",
            swiftSettings: strict),
        // Scoring's pure parts (statistics) against reference implementations in the test venv.
        .testTarget(
            name: "ScoringTests", dependencies: ["Scoring", "Common", "TestSupport"], path: "Tests/ScoringTests",
            swiftSettings: strict),
        .testTarget(
            name: "EmulatorTests", dependencies: ["KubeEmulator", "ProviderEmulator", "Common"],
            path: "Tests/EmulatorTests", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
