import Foundation
import Testing

@testable import AssayCore

@Suite("Logger")
struct LoggerTests {
    final class Captured: Sendable {
        let lines = Guarded<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    @Test("each entry is one JSON line with level, logger, message and escaped fields")
    func entriesAreJSONLines() throws {
        let captured = Captured()
        let logger = Logger(label: "test") { line in captured.lines.withLock { $0.append(line) } }
        logger.info("said \"hi\"\nthen left", ["path": "a\\b", "n": "1"])
        let line = try #require(captured.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let entry = try JSONParser.parse(String(line.dropLast()))
        #expect(entry["level"] == "info")
        #expect(entry["logger"] == "test")
        #expect(entry["msg"] == "said \"hi\"\nthen left")
        #expect(entry["path"] == "a\\b")
        #expect(entry["time"]?.stringValue?.hasSuffix("Z") == true)
    }

    @Test("entries below the minimum level are dropped without building the message")
    func levelsFilter() {
        let captured = Captured()
        let logger = Logger(label: "test", minimumLevel: .warning) { line in
            captured.lines.withLock { $0.append(line) }
        }
        logger.debug(
            { () -> String in
                Issue.record("the message of a dropped entry was built")
                return "never"
            }())
        logger.info("dropped")
        logger.error("kept")
        #expect(captured.all.count == 1)
        #expect(captured.all.first?.contains("\"kept\"") == true)
        #expect(Logger.Level(name: "WARNING") == .warning)
        #expect(Logger.Level(name: "loud") == nil)
    }

    @Test("the timestamp is RFC 3339 UTC with milliseconds, as Foundation's ISO 8601 style writes it")
    func timestamp() throws {
        let before = Date()
        let text = Logger.timestamp()
        let after = Date()
        #expect(text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(text)")
        let parsed = try #require(try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        #expect(parsed >= before.addingTimeInterval(-0.001) && parsed <= after)
    }
}
