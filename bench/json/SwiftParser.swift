// The Swift parser's side of bench/json/run.sh: compiled by swiftc -O together with the parser's
// own sources (Sources/AssayCore/JSON), so it measures exactly the code the evaluator runs.
// Usage: swift-parser SECONDS FILE...; prints one line per file: name, bytes, MB per CPU second with
// each string's UTF-8 validated by the standard library (the parser before simdjson's validator), and
// as the evaluator parses a body (`JSONParser.parse`: the whole input validated once by simdjson).
import Foundation

@main
struct SwiftParserBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        let seconds = Double(arguments[1]) ?? 2
        for path in arguments.dropFirst(2) {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            var strings = 0
            _ = try JSONParser.parse(bytes)  // warm-up
            var rates: [String] = []
            for simdValidation in [false, true] {
                let start = cpuSeconds()
                var rounds = 0
                var elapsed = 0.0
                repeat {
                    let value = try bytes.withUnsafeBytes { raw in
                        simdValidation
                            ? try JSONParser.parse(raw)
                            : try JSONParser.parse(raw, limits: .default, knownValidUTF8: false)
                    }
                    if case .object(let object) = value { strings &+= object.count }
                    rounds += 1
                    elapsed = cpuSeconds() - start
                } while elapsed < seconds
                let megabytes = Double(bytes.count) * Double(rounds) / 1_000_000
                rates.append(String(format: "%.0f", megabytes / elapsed))
            }
            let name = (path as NSString).lastPathComponent
            print("\(name) \(bytes.count) \(rates.joined(separator: " "))\(strings > 0 ? "" : " empty")")
        }
    }

    /// Seconds of CPU this thread has used: on a shared machine, wall time would measure the others.
    static func cpuSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
