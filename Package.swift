// swift-tools-version:6.0
import PackageDescription

// Flags for release builds: whole-module optimisation is SwiftPM's default in release;
// we add nothing exotic so that `swift build -c release` on a fresh machine matches CI.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Assay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "assay-evaluator", targets: ["Evaluator"]),
        .library(name: "Common", targets: ["Common"]),
    ],
    targets: [
        // C shims: epoll, eventfd, accept4 and socket helpers that Glibc's module does not export.
        .target(name: "CSystem", path: "Sources/CSystem"),
        // PCRE2 (Debian libpcre2-dev): regex with match and depth limits and a JIT.
        .systemLibrary(
            name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]),
        .target(
            name: "Common",
            dependencies: ["CSystem"],
            path: "Sources/Common",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Evaluator",
            dependencies: ["Common", "CPCRE2"],
            path: "Sources/Evaluator",
            swiftSettings: strict
        ),
        // libFuzzer driver for the HTTP/1.1 request parser (built by bin/fuzz, see docs/FUZZING.md).
        .executableTarget(
            name: "HTTPFuzz",
            dependencies: ["Common"],
            path: "Sources/HTTPFuzz",
            swiftSettings: strict
        ),
        .testTarget(
            name: "CommonTests", dependencies: ["Common"], path: "Tests/CommonTests",
            swiftSettings: strict),
        .testTarget(
            name: "EvaluatorTests", dependencies: ["Evaluator", "Common"],
            path: "Tests/EvaluatorTests", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
