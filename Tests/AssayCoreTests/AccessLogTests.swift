import Foundation
import Synchronization
import TestSupport
import Testing

@testable import AssayCore

@Suite("Access log")
struct AccessLogTests {
    /// The batches a log handed to its sink, and a way to wait until enough lines arrived.
    final class Batches: Sendable {
        private let batches = Guarded<[[UInt8]]>([])
        var all: [[UInt8]] { batches.withLock { $0 } }
        var lines: [String] {
            all.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) }
        }
        func log(window: Duration = AccessLog.defaultBatchWindow) -> AccessLog {
            AccessLog(label: "assay-evaluator", batchWindow: window) { batch in
                self.batches.withLock { $0.append(Array(batch)) }
            }
        }
    }

    @Test("a line has the logger's fields, the caller's text JSON-escaped, and the duration in milliseconds")
    func fields() throws {
        let batches = Batches()
        let log = batches.log()
        defer { log.close() }
        log.record(
            method: "POST", path: "/v1/evaluate\"\n\u{1}ü", status: 201, user: "system:serviceaccount:ci:runner",
            duration: .microseconds(12_345))
        log.record(method: "GET", path: "/v1/providers", status: 401, user: "-", duration: .nanoseconds(400))
        log.flush()
        let lines = batches.lines
        try #require(lines.count == 2)
        let first = try JSONParser.parse(Array(lines[0].utf8))
        #expect(first["level"] == "info")
        #expect(first["logger"] == "assay-evaluator")
        #expect(first["msg"] == "request")
        #expect(first["method"] == "POST")
        #expect(first["path"] == .string("/v1/evaluate\"\n\u{1}ü"))
        #expect(first["status"] == "201")
        #expect(first["user"] == "system:serviceaccount:ci:runner")
        #expect(first["durationMs"] == "12.345")
        let time = try #require(first["time"]?.stringValue)
        #expect(time.utf8.count == 24 && time.hasSuffix("Z") && time.dropFirst(10).hasPrefix("T"), "\(time)")
        #expect(time.prefix(4) == Logger.timestamp().prefix(4))
        let second = try JSONParser.parse(Array(lines[1].utf8))
        #expect(second["durationMs"] == "0.000" && second["status"] == "401" && second["user"] == "-")
        #expect(
            lines[1].hasSuffix(
                #""level":"info","logger":"assay-evaluator","msg":"request","method":"GET","path":"/v1/providers","status":"401","user":"-","durationMs":"0.000"}"#
            ), "the key order Logger writes")
    }

    @Test("lines reach the sink without a flush, in order, in whole-line writes of at most PIPE_BUF bytes")
    func batching() async throws {
        let batches = Batches()
        let log = batches.log(window: .milliseconds(5))
        defer { log.close() }
        let count = 400  // about 60 KB: several writes, under the size that makes a request write itself
        for index in 0..<count {
            log.record(method: "POST", path: "/v1/evaluate/\(index)", status: 200, user: "alice", duration: .zero)
        }
        try await eventually("the writer thread wrote every line", within: .seconds(10), every: .milliseconds(5)) {
            batches.lines.count >= count
        }
        let lines = batches.lines
        #expect(lines.count == count)
        #expect(lines.enumerated().allSatisfy { $0.element.contains("\"path\":\"/v1/evaluate/\($0.offset)\"") })
        let all = batches.all
        #expect(all.count > 1, "batched into several writes")
        #expect(all.allSatisfy { $0.count <= AccessLog.maxWriteBytes && $0.last == 0x0A })
    }

    @Test("a line longer than one write goes out whole and alone")
    func longLine() throws {
        let batches = Batches()
        let log = batches.log()
        defer { log.close() }
        let long = "/" + String(repeating: "x", count: 3 * AccessLog.maxWriteBytes)
        log.record(method: "GET", path: "/a", status: 200, user: "-", duration: .zero)
        log.record(method: "GET", path: long, status: 404, user: "-", duration: .zero)
        log.record(method: "GET", path: "/b", status: 200, user: "-", duration: .zero)
        log.flush()
        let all = batches.all.map { String(decoding: $0, as: UTF8.self) }
        let alone = try #require(all.first { $0.contains(long) })
        #expect(alone.split(separator: "\n").count == 1 && alone.hasSuffix("\n"))
        #expect(batches.lines.count == 3)
    }
}
