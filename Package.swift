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
        // Ground floor: JSON, YAML, CSV, metrics, logging, options, signals, time; no sockets.
        .target(
            name: "AssayCore", dependencies: ["CSystem", "CYAML"], path: "Sources/AssayCore", swiftSettings: strict,
            linkerSettings: [.linkedLibrary("m")]),
        // Transport: the HTTP/1.1 server on epoll, and the HTTP client on libcurl.
        .target(
            name: "AssayHTTP", dependencies: ["AssayCore", "CSystem", "CCurl"], path: "Sources/AssayHTTP",
            swiftSettings: strict),
        // Redis: hiredis connections, a pool, scripts run with EVALSHA.
        .target(
            name: "AssayRedis", dependencies: ["AssayCore", "CHiredis"], path: "Sources/AssayRedis",
            swiftSettings: strict),
        // The Kubernetes client: kubeconfig and in-cluster config, REST client, Watcher, caches.
        .target(
            name: "AssayKube", dependencies: ["AssayCore", "AssayHTTP", "CCurl"], path: "Sources/AssayKube",
            swiftSettings: strict),
        // Who may call an API: bearer tokens from a file or a TokenReview, SubjectAccessReview.
        .target(
            name: "AssayAuth", dependencies: ["AssayCore", "AssayHTTP", "AssayKube"], path: "Sources/AssayAuth",
            swiftSettings: strict),
        // Rate limiting (GCRA, in process or in Redis), circuit breaking, retries.
        .target(
            name: "AssayResilience", dependencies: ["AssayCore", "AssayRedis"], path: "Sources/AssayResilience",
            swiftSettings: strict),
        // Providers as configured: configs, the providers file, who may say what, chat messages. No sockets.
        .target(name: "Providers", dependencies: ["AssayCore"], path: "Sources/Providers", swiftSettings: strict),
        // Calling providers: wire formats, one client per provider with its breaker and rate limit,
        // the fallback chain.
        .target(
            name: "Gateway", dependencies: ["AssayCore", "AssayHTTP", "AssayRedis", "AssayResilience", "Providers"],
            path: "Sources/Gateway", swiftSettings: strict),
        .target(
            name: "Common",
            dependencies: [
                "Providers", "Gateway",
                "AssayResilience",
                "AssayCore", "AssayHTTP", "AssayRedis", "AssayKube", "AssayAuth", "CSystem", "CPCRE2", "CHiredis",
                "CYAML", "CCurl",
            ],
            path: "Sources/Common",
            swiftSettings: strict,
            linkerSettings: [.linkedLibrary("m")]
        ),
        // Criteria: decoding with field paths, and scoring (pure; the LLM judge's calls are the
        // evaluator's). The evaluator scores with it; the operator validates suites with it.
        .target(
            name: "Scoring", dependencies: ["AssayCore", "Providers", "CPCRE2"], path: "Sources/Scoring",
            swiftSettings: strict),
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
        // libFuzzer driver for the HTTP/1.1 request parser (built by bin/fuzz).
        .executableTarget(
            name: "HTTPFuzz",
            dependencies: ["Common"],
            path: "Sources/HTTPFuzz",
            swiftSettings: strict
        ),
        .testTarget(
            name: "CommonTests",
            dependencies: [
                "Common", "AssayCore", "AssayHTTP", "AssayRedis", "AssayKube", "AssayAuth", "AssayResilience",
                "TestSupport",
            ],
            path: "Tests/CommonTests",
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
            name: "ScoringTests", dependencies: ["Scoring", "AssayCore", "Providers", "TestSupport"],
            path: "Tests/ScoringTests", exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "EmulatorTests", dependencies: ["KubeEmulator", "ProviderEmulator", "Common"],
            path: "Tests/EmulatorTests", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
