import AssayCore
import Dispatch
import Foundation
import TestSupport
import Testing

/// Hostile requests against a real evaluator process: none may hold a core, the memory, the
/// health checks or shutdown hostage (issue 2/6's findings, each one a test).
@Suite("Bounded work: hostile requests against an evaluator", .serialized)
struct BoundedWorkTests {
    /// A 2.9 KB jsonSchema criterion whose `$defs` each hold `allOf` of two `$ref`s to the next
    /// level: 2^depth paths to the last one.
    static func fanOutBody(depth: Int, output: String = "{}") -> String {
        var defs: [String] = []
        for level in 0..<depth {
            defs.append(
                ##""l\##(level)": {"allOf": [{"$ref": "#/$defs/l\##(level + 1)"}, {"$ref": "#/$defs/l\##(level + 1)"}]}"##
            )
        }
        defs.append(#""l\#(depth)": {"type": "object"}"#)
        let schema = ##"{"$ref": "#/$defs/l0", "$defs": {\##(defs.joined(separator: ", "))}}"##
        let quoted = String(decoding: JSONWriter.bytes(.string(output)), as: UTF8.self)
        return #"{"output": \#(quoted), "criteria": [{"type": "jsonSchema", "schema": \#(schema)}]}"#
    }

    /// A batch whose every item runs a catastrophic regex to its work limit (tens of milliseconds
    /// each): about a minute of CPU in one small request.
    static let hostileBatch: [UInt8] = {
        let item =
            #"{"output": "\#(String(repeating: "a", count: 30))!", "criteria": [{"type": "regex", "pattern": "(a+)+$"}]}"#
        return Array(#"{"items": [\#(Array(repeating: item, count: 1000).joined(separator: ", "))]}"#.utf8)
    }()

    /// Sends the hostile batch on a connection of its own and waits until the evaluator is busy with it:
    /// a quarter second of CPU spent since the send (counted, not sampled as a share, so a loaded
    /// machine that gives the evaluator less than a core still gets there).
    static func sendHostileBatch(to server: ChildProcess, port: Int) async throws -> RawHTTPClient {
        let client = try RawHTTPClient(port: port, receiveTimeout: .seconds(30))
        let head = "POST /v1/evaluate/batch HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        let before = ProcessUsage.cpuSeconds(server.pid) ?? 0
        client.send(Array((head + "Content-Length: \(hostileBatch.count)\r\n\r\n").utf8) + hostileBatch)
        try await eventually("the evaluator to work on the batch", within: .seconds(20)) {
            (ProcessUsage.cpuSeconds(server.pid) ?? 0) - before > 0.25
        }
        return client
    }

    @Test("a jsonSchema fan-out of 2^40 paths is answered within a second, and /healthz keeps answering")
    func fanOutAnsweredQuickly() async throws {
        let (server, port) = try await ServeCommandTests.startServer()
        defer { server.signal(SIGKILL) }
        let url = "http://127.0.0.1:\(port)"
        for (output, passes) in [("{}", true), ("[1]", false)] {
            let start = ContinuousClock.now
            let answer = try await LocalHTTP.send(
                "POST", url + "/v1/evaluate", body: Self.fanOutBody(depth: 40, output: output))
            #expect(ContinuousClock.now - start < .seconds(1))
            #expect(answer.status == 200)
            let json = try JSONParser.parse(Array(answer.body.utf8))
            #expect(json["passed"] == .bool(passes), "\(answer.body)")
            let health = ContinuousClock.now
            #expect(try await LocalHTTP.get(url + "/healthz").status == 200)
            #expect(ContinuousClock.now - health < .milliseconds(500))
        }
    }

    @Test("four concurrent bleu requests with 3.5 MB texts are refused at once, within bounded memory")
    func largeBleuBounded() async throws {
        let (server, port) = try await ServeCommandTests.startServer()
        defer { server.signal(SIGKILL) }
        let text = (0..<500_000).map { "w\($0 % 50_000)" }.joined(separator: " ")
        let body =
            #"{"output": "\#(text)", "reference": "\#(text)", "criteria": [{"type": "similarity", "method": "bleu"}]}"#
        let start = ContinuousClock.now
        let answers = try await withThrowingTaskGroup(of: LocalHTTP.Response.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await LocalHTTP.send(
                        "POST", "http://127.0.0.1:\(port)/v1/evaluate", body: body, timeout: .seconds(60))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - start
        for answer in answers {
            #expect(answer.status == 200)
            #expect(answer.body.contains("work limit"), "\(answer.body.prefix(300))")
            #expect(answer.body.contains(#""passed":false"#))
        }
        #expect(elapsed < .seconds(10), "\(elapsed)")
        let peak = try #require(ProcessUsage.memoryMiB(server.pid, "VmHWM"))
        #expect(peak < 300, "peak RSS \(peak) MiB")
    }

    @Test("a client that disconnects mid-request has its work cancelled: the CPU is idle again within a second")
    func disconnectCancelsWork() async throws {
        let (server, port) = try await ServeCommandTests.startServer(["--scoring-threads", "1"])
        defer { server.signal(SIGKILL) }
        let client = try await Self.sendHostileBatch(to: server, port: port)
        client.close()
        try await Task.sleep(for: .seconds(1))
        let share = try #require(try await ProcessUsage.cpuShare(server.pid, over: .seconds(1)))
        #expect(share < 0.2, "the evaluator still used \(share) of a core after the client left")
        #expect(try await LocalHTTP.get("http://127.0.0.1:\(port)/healthz").status == 200)
    }

    @Test("SIGTERM with a hostile request in flight exits within the grace period, answering it 503")
    func sigtermBoundedByGrace() async throws {
        let (server, port) = try await ServeCommandTests.startServer(["--shutdown-grace-seconds", "1"])
        defer { server.signal(SIGKILL) }
        let client = try await Self.sendHostileBatch(to: server, port: port)
        let start = ContinuousClock.now
        server.signal(SIGTERM)
        #expect(try await server.waitForExit(timeout: .seconds(10)) == .exited(0))
        #expect(ContinuousClock.now - start < .seconds(3), "exit took \(ContinuousClock.now - start)")
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(response.text.contains("shut down"))
    }

    @Test(
        "while two hostile batches keep every scoring thread busy, /healthz answers within 100 ms and a small evaluation within a second"
    )
    func healthAndSmallRequestsUnderLoad() async throws {
        let (server, port) = try await ServeCommandTests.startServer([
            "--event-loops", "2", "--scoring-threads", "2",
        ])
        defer { server.signal(SIGKILL) }
        let first = try await Self.sendHostileBatch(to: server, port: port)
        let second = try await Self.sendHostileBatch(to: server, port: port)
        var health: [Duration] = []
        for _ in 0..<20 {
            let start = ContinuousClock.now
            #expect(try await LocalHTTP.get("http://127.0.0.1:\(port)/healthz").status == 200)
            health.append(ContinuousClock.now - start)
        }
        health.sort()
        #expect(health[health.count / 2] < .milliseconds(100), "\(health)")
        #expect(health.last! < .seconds(1), "\(health)")
        var small: [Duration] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let answer = try await LocalHTTP.send(
                "POST", "http://127.0.0.1:\(port)/v1/evaluate",
                body: #"{"output": "a", "criteria": [{"type": "contains", "value": "a"}]}"#)
            #expect(answer.status == 200)
            small.append(ContinuousClock.now - start)
        }
        small.sort()
        #expect(small[small.count / 2] < .seconds(1), "small evaluations took \(small)")
        first.close()
        second.close()
    }

    /// The costliest 2 KiB body of linear criteria for the event loop, had it been scored there:
    /// a case-insensitive containsAll of 320 values against an output holding the Kelvin sign
    /// (which lowercases into ASCII, so the output is lowercased: once per value, before).
    static let smallHostileBody: String = {
        let values = Array(repeating: #""b""#, count: 320).joined(separator: ",")
        let output = "\u{212A}" + String(repeating: "a", count: 600)
        let criterion = #"{"type": "containsAll", "caseSensitive": false, "values": [\#(values)]}"#
        return #"{"output": "\#(output)", "criteria": [\#(criterion)]}"#
    }()

    @Test("small bodies of many searches sent on eight connections leave /healthz answering within 100 ms")
    func smallHostileBodiesLeaveHealthAnswering() async throws {
        try #require(Self.smallHostileBody.utf8.count <= 2048)
        let (server, port) = try await ServeCommandTests.startServer([
            "--event-loops", "2", "--scoring-threads", "2",
        ])
        defer { server.signal(SIGKILL) }
        let stop = Guarded(false)
        let senders = DispatchGroup()
        let answered = Guarded(0)
        for _ in 0..<8 {
            DispatchQueue.global().async(group: senders) {
                guard let client = try? RawHTTPClient(port: port) else { return }
                while !stop.withLock({ $0 }) {
                    guard (try? client.post("/v1/evaluate", json: Self.smallHostileBody))?.status == 200 else { return }
                    answered.withLock { $0 += 1 }
                }
            }
        }
        try await eventually("the senders to be answered", within: .seconds(20)) { answered.withLock { $0 } >= 16 }
        var health: [Duration] = []
        for _ in 0..<20 {
            let start = ContinuousClock.now
            #expect(try await LocalHTTP.get("http://127.0.0.1:\(port)/healthz").status == 200)
            health.append(ContinuousClock.now - start)
        }
        stop.withLock { $0 = true }
        await withCheckedContinuation { done in senders.notify(queue: .global()) { done.resume() } }
        health.sort()
        #expect(health[health.count / 2] < .milliseconds(100), "\(health)")
        #expect(health.last! < .seconds(1), "\(health)")
    }

    @Test(
        "a containsAll of 400,000 values against a 1 MB output stops at its work limit, naming it, and the CPU is idle after"
    )
    func longValueListBounded() async throws {
        let (server, port) = try await ServeCommandTests.startServer()
        defer { server.signal(SIGKILL) }
        let values = Array(repeating: #""b""#, count: 400_000).joined(separator: ",")
        let output = String(repeating: "a", count: 1_000_000)
        let body = #"{"output": "\#(output)", "criteria": [{"type": "containsAll", "values": [\#(values)]}]}"#
        let start = ContinuousClock.now
        let answer = try await LocalHTTP.send(
            "POST", "http://127.0.0.1:\(port)/v1/evaluate", body: body, timeout: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(10), "\(ContinuousClock.now - start)")
        #expect(answer.status == 200)
        #expect(answer.body.contains("work limit"), "\(answer.body.prefix(300))")
        let share = try #require(try await ProcessUsage.cpuShare(server.pid, over: .seconds(1)))
        #expect(share < 0.2, "the evaluator still used \(share) of a core after answering")
    }

    @Test("a new request finding the scoring queue full is shed at once with 503 and Retry-After")
    func fullQueueSheds() async throws {
        let (server, port) = try await ServeCommandTests.startServer([
            "--scoring-threads", "1", "--scoring-queue", "1",
        ])
        defer { server.signal(SIGKILL) }
        // One batch scores while the other waits its turn: the queue stays full but for the moments
        // between two slices, when a new request may be let in (and is then served between them).
        let first = try await Self.sendHostileBatch(to: server, port: port)
        let second = try await Self.sendHostileBatch(to: server, port: port)
        var shed: [RawHTTPClient.Response] = []
        for _ in 0..<5 {
            let client = try RawHTTPClient(port: port)
            let start = ContinuousClock.now
            let answer = try client.post(
                "/v1/evaluate", json: #"{"output": "a", "criteria": [{"type": "contains", "value": "a"}]}"#)
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(answer.status == 503 || answer.status == 200)
            if answer.status == 503 { shed.append(answer) }
        }
        let answer = try #require(shed.first, "no request was shed")
        #expect(answer.header("Content-Type") == "application/problem+json")
        #expect(Int(answer.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(answer.text.contains("urn:assay:problem:overloaded"))
        first.close()
        second.close()
    }

    @Test("a request past its deadline gets 504 problem+json naming the deadline, and its work stops")
    func deadlineAnswers504() async throws {
        let (server, port) = try await ServeCommandTests.startServer([
            "--request-timeout-seconds", "1", "--scoring-threads", "1",
        ])
        defer { server.signal(SIGKILL) }
        let client = try await Self.sendHostileBatch(to: server, port: port)
        let response = try client.readResponse()
        #expect(response.status == 504)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.text.contains("deadline"))
        try await Task.sleep(for: .milliseconds(500))
        let share = try #require(try await ProcessUsage.cpuShare(server.pid, over: .seconds(1)))
        #expect(share < 0.2, "the evaluator still used \(share) of a core after the deadline")
    }
}
