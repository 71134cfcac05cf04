import AssayCore
import Foundation
import TestSupport
import Testing

/// Prints throughput; asserts nothing about time, which depends on the machine and build.
/// Ratios are only meaningful in a release build (`swift test -c release`): a debug build
/// leaves our parser unoptimized while Foundation is always optimized.
@Suite("JSONPerf")
struct JSONPerfTests {
    /// Repetitions per parser; the best time is reported to filter out scheduling noise.
    static let repetitions = 15

    @Test("prints parse throughput on a 1 MB escape-heavy body against Foundation")
    func parseThroughput() throws {
        let body = JSONTestDocuments.requestBody()
        let data = Data(body)
        let megabytes = Double(body.count) / 1e6
        var parsed: JSONValue = nil
        let ours = try bestSeconds(repetitions: Self.repetitions) { parsed = try JSONParser.parse(body) }
        let serialization = try bestSeconds(repetitions: Self.repetitions) {
            _ = try JSONSerialization.jsonObject(with: data)
        }
        let decoder = try bestSeconds(repetitions: Self.repetitions) {
            _ = try JSONDecoder().decode(JSONTestDocuments.RequestBody.self, from: data)
        }
        var written: [UInt8] = []
        let writer = bestSeconds(repetitions: Self.repetitions) { written = JSONWriter.bytes(parsed) }
        #expect(!written.isEmpty)
        #if DEBUG
            let build = "debug build"
        #else
            let build = "release build"
        #endif
        func line(_ name: String, _ seconds: Double) -> String {
            let rate = megabytes / seconds
            return "  \(name): \(Int(rate.rounded())) MB/s (\((seconds * 1e6).rounded() / 1e3) ms)"
        }
        print(
            """
            JSONPerf (\(build), \(body.count) bytes, best of \(Self.repetitions)):
            \(line("JSONParser", ours))
            \(line("JSONSerialization", serialization))
            \(line("JSONDecoder", decoder))
            \(line("JSONWriter", writer))
              JSONParser is \((serialization / ours * 10).rounded() / 10)x JSONSerialization, \
            \((decoder / ours * 10).rounded() / 10)x JSONDecoder
            """)
    }
}
