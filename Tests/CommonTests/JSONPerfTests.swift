import Foundation
import Testing

@testable import Common

/// Prints throughput; asserts nothing about time, which depends on the machine and build.
/// Ratios are only meaningful in a release build (`swift test -c release`): a debug build
/// leaves our parser unoptimized while Foundation is always optimized.
@Suite("JSONPerf")
struct JSONPerfTests {
    /// Repetitions per parser; the best time is reported to filter out scheduling noise.
    static let repetitions = 15

    static func bestSeconds(_ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds)
        }
        return best
    }

    @Test("prints parse throughput on a 1 MB escape-heavy body against Foundation")
    func parseThroughput() throws {
        let body = JSONTestDocuments.requestBody()
        let data = Data(body)
        let megabytes = Double(body.count) / 1e6
        var parsed: JSONValue = nil
        let ours = try Self.bestSeconds { parsed = try JSONParser.parse(body) }
        let serialization = try Self.bestSeconds { _ = try JSONSerialization.jsonObject(with: data) }
        let decoder = try Self.bestSeconds {
            _ = try JSONDecoder().decode(JSONTestDocuments.RequestBody.self, from: data)
        }
        var written: [UInt8] = []
        let writer = Self.bestSeconds { written = JSONWriter.bytes(parsed) }
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

    @Test("prints schema validation throughput on a 10,000-object array")
    func validationThroughput() throws {
        let schema = try JSONSchema(
            compiling: try JSONParser.parse(
                ##"""
                {"type": "array", "items": {"$ref": "#/$defs/finding"}, "$defs": {"finding": {
                  "type": "object", "required": ["id", "severity", "message"], "additionalProperties": false,
                  "properties": {
                    "id": {"type": "string", "pattern": "^[A-Z]+-[0-9]+$"},
                    "severity": {"enum": ["low", "medium", "high"]},
                    "score": {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.01},
                    "message": {"type": "string", "minLength": 1, "maxLength": 500},
                    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}}}}}
                """##))
        let finding: JSONValue = [
            "id": "CVE-1234", "severity": "high", "score": 0.75, "message": "caf\u{e9} is not escaped properly",
            "tags": ["a", "b", "c"],
        ]
        let instance = JSONValue.array(Array(repeating: finding, count: 10_000))
        var valid = false
        let seconds = Self.bestSeconds { valid = schema.isValid(instance) }
        #expect(valid)
        print("JSONPerf: JSONSchema.isValid on 10,000 objects: \((seconds * 1e6).rounded() / 1e3) ms")
    }
}
