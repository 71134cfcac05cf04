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
        // simdjson (Debian libsimdjson-dev) behind a C function: SIMD UTF-8 validation for the JSON parser.
        .target(name: "CSimdJSON", path: "Sources/CSimdJSON", linkerSettings: [.linkedLibrary("simdjson")]),
        // Ground floor: JSON, YAML, CSV, metrics, logging, options, signals, time; no sockets.
        .target(
            name: "AssayCore", dependencies: ["CSystem", "CYAML", "CSimdJSON"], path: "Sources/AssayCore",
            swiftSettings: strict, linkerSettings: [.linkedLibrary("m")]),
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
        // Suites and their runs: the spec (one definition for files and the CRD), datasets, run ids,
        // the work queue (in process or on a Redis stream), results, aggregates, progress, routes,
        // and the verdict (intervals, comparisons, baselines) from Scoring's statistics.
        .target(
            name: "Suites",
            dependencies: ["AssayCore", "AssayHTTP", "AssayRedis", "AssayResilience", "Providers", "Scoring"],
            path: "Sources/Suites", swiftSettings: strict),
        // Scoring: criteria decoded with field paths, JSON Schema, bounded regexes, similarity
        // metrics, statistics. Pure: no sockets, no Redis (the LLM judges' calls are the evaluator's).
        .target(
            name: "Scoring", dependencies: ["AssayCore", "Providers", "CPCRE2"], path: "Sources/Scoring",
            swiftSettings: strict),
        // The case pipeline both the evaluation API and the suite worker run: output or target,
        // then the judges, then the scorecard.
        .target(
            name: "Evaluation", dependencies: ["AssayCore", "Providers", "Gateway", "Scoring", "Suites"],
            path: "Sources/Evaluation", swiftSettings: strict),
        .executableTarget(
            name: "Evaluator",
            dependencies: [
                "AssayCore", "AssayHTTP", "AssayRedis", "AssayKube", "AssayAuth", "AssayResilience", "Providers",
                "Gateway", "Scoring", "Suites", "Evaluation",
            ],
            path: "Sources/Evaluator",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Operator",
            dependencies: [
                "AssayCore", "AssayHTTP", "AssayRedis", "AssayKube", "AssayAuth", "AssayResilience", "Providers",
                "Scoring", "Suites",
            ],
            path: "Sources/Operator",
            swiftSettings: strict
        ),
        // Dev and test servers: LLM provider wire formats, and the Kubernetes API.
        .executableTarget(
            name: "ProviderEmulator", dependencies: ["AssayCore", "AssayHTTP"], path: "Sources/ProviderEmulator",
            swiftSettings: strict),
        .executableTarget(
            name: "KubeEmulator", dependencies: ["AssayCore", "AssayHTTP", "AssayKube"], path: "Sources/KubeEmulator",
            exclude: ["README.md"],
            swiftSettings: strict),
        // libFuzzer harnesses for the HTTP, JSON, JSON Schema and suite parsers (built by bin/fuzz).
        .executableTarget(
            name: "Fuzz",
            dependencies: ["AssayCore", "AssayHTTP", "Scoring", "Suites"],
            path: "Sources/Fuzz",
            swiftSettings: strict
        ),
        // One test target per library target, each depending on what its tests touch.
        .testTarget(
            name: "AssayCoreTests", dependencies: ["AssayCore", "TestSupport"], path: "Tests/AssayCoreTests",
            swiftSettings: strict),
        .testTarget(
            name: "AssayHTTPTests", dependencies: ["AssayHTTP", "AssayCore", "TestSupport"],
            path: "Tests/AssayHTTPTests",
            swiftSettings: strict),
        .testTarget(
            name: "AssayRedisTests", dependencies: ["AssayRedis", "AssayCore", "TestSupport"],
            path: "Tests/AssayRedisTests", swiftSettings: strict),
        .testTarget(
            name: "AssayKubeTests", dependencies: ["AssayKube", "AssayHTTP", "AssayCore", "TestSupport"],
            path: "Tests/AssayKubeTests", exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "AssayAuthTests", dependencies: ["AssayAuth", "AssayHTTP", "AssayCore", "TestSupport"],
            path: "Tests/AssayAuthTests", swiftSettings: strict),
        .testTarget(
            name: "AssayResilienceTests", dependencies: ["AssayResilience", "AssayRedis", "AssayCore", "TestSupport"],
            path: "Tests/AssayResilienceTests", swiftSettings: strict),
        .testTarget(
            name: "ProvidersTests", dependencies: ["Providers", "AssayCore", "TestSupport"],
            path: "Tests/ProvidersTests",
            swiftSettings: strict),
        .testTarget(
            name: "GatewayTests", dependencies: ["Gateway", "Providers", "AssayHTTP", "AssayCore", "TestSupport"],
            path: "Tests/GatewayTests", exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "SuitesTests",
            dependencies: ["Suites", "AssayRedis", "AssayResilience", "Providers", "AssayCore", "TestSupport"],
            path: "Tests/SuitesTests", swiftSettings: strict),
        .testTarget(
            name: "EvaluationTests",
            dependencies: ["Evaluation", "Gateway", "Providers", "Scoring", "Suites", "AssayCore", "TestSupport"],
            path: "Tests/EvaluationTests", swiftSettings: strict),
        .testTarget(
            name: "EvaluatorTests",
            dependencies: [
                "Evaluator", "AssayCore", "AssayHTTP", "AssayRedis", "AssayKube", "AssayResilience", "Providers",
                "Gateway", "Scoring", "Suites", "Evaluation", "TestSupport",
            ],
            path: "Tests/EvaluatorTests", exclude: ["Fixtures"], swiftSettings: strict),
        // Processes and emulators the end-to-end tests share: built executables, redis-server,
        // the emulators, the operator, a local kubelet that runs Deployments as processes, and a
        // suite run shared through Redis.
        .target(
            name: "TestSupport",
            dependencies: ["AssayCore", "AssayHTTP", "AssayRedis", "AssayKube", "Providers", "Suites"],
            path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "OperatorTests",
            dependencies: ["Operator", "AssayCore", "AssayHTTP", "AssayRedis", "AssayKube", "Suites", "TestSupport"],
            path: "Tests/OperatorTests",
            swiftSettings: strict),
        // The operator-to-evaluator contract, checked from both sides: the Deployment the operator
        // builds against the options the evaluator reads.
        .testTarget(
            name: "ContractTests",
            dependencies: ["Operator", "Evaluator", "Suites", "Providers", "AssayCore"],
            path: "Tests/ContractTests", swiftSettings: strict),
        // Scoring's pure parts (statistics) against reference implementations in the test venv.
        .testTarget(
            name: "ScoringTests", dependencies: ["Scoring", "AssayCore", "Providers", "TestSupport"],
            path: "Tests/ScoringTests", exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "EmulatorTests",
            dependencies: [
                "KubeEmulator", "ProviderEmulator", "AssayCore", "AssayHTTP", "Providers", "Gateway", "TestSupport",
            ],
            path: "Tests/EmulatorTests", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
