import Synchronization
import Testing

@testable import Common

@Suite("Logger")
struct LoggerTests {
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])
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
}
