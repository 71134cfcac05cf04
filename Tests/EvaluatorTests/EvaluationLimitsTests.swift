import AssayCore
import AssayHTTP
import Dispatch
import TestSupport
import Testing

@testable import Evaluator

/// The evaluation service's answers when its executor is full or stopped, or its request was
/// cancelled, and the serve flags that bound connections, time and CPU.
@Suite("Evaluation limits")
struct EvaluationLimitsTests {
    static let body = Array(#"{"output": "a", "criteria": [{"type": "contains", "value": "a"}]}"#.utf8)
    static let batch = Array(#"{"items": [{"output": "a", "criteria": [{"type": "contains", "value": "a"}]}]}"#.utf8)

    static func request(
        _ path: String = "/v1/evaluate", body: [UInt8] = body, cancelled reason: WorkCancellation.Reason? = nil
    )
        -> HTTPRequest
    {
        var request = HTTPRequest(
            method: "POST", target: path, headers: ["Content-Type": "application/json"], body: body)
        let cancellation = WorkCancellation(deadline: .now + .seconds(60))
        if let reason { cancellation.cancel(reason) }
        request.cancellation = cancellation
        return request
    }

    static func problem(_ response: HTTPResponse) throws -> JSONValue {
        #expect(response.headers["Content-Type"] == "application/problem+json")
        return try JSONParser.parse(response.body)
    }

    @Test("a full executor sheds a new request with 503 overloaded and a Retry-After")
    func fullExecutorSheds() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 1, maxQueued: 0))
        defer { executor.stop() }
        let service = EvaluationService(registry: MetricsRegistry(), executor: executor)
        let release = DispatchSemaphore(value: 0)
        let blocker = await executor.occupyThread(until: release)
        let shed = await service.evaluate(Self.request())
        #expect(shed.status == 503)
        #expect(Int(shed.headers["Retry-After"] ?? "") ?? 0 >= 1)
        #expect(try Self.problem(shed)["type"] == "urn:assay:problem:overloaded")
        let shedBatch = await service.evaluateBatch(Self.request("/v1/evaluate/batch", body: Self.batch))
        #expect(shedBatch.status == 503)
        release.signal()
        try await blocker.value
        #expect(await service.evaluate(Self.request()).status == 200)
    }

    @Test(
        "a small request with linear criteria is scored where it arrived while every scoring thread is busy; similarity, large bodies and many searches wait for the executor"
    )
    func inlineScoring() async throws {
        let busy = await InlineScoringTests.BusyService()
        defer { busy.executor.stop() }
        let (executor, service) = (busy.executor, busy.service)
        let small = await service.evaluate(Self.request())
        #expect(small.status == 200)
        #expect(try JSONParser.parse(small.body)["passed"] == true)
        #expect(executor.queued == 0)
        let large = String(repeating: "a", count: InlineScoring.maxBodyBytes)
        let waiting = [
            #"{"output": "a", "reference": "a", "criteria": [{"type": "similarity", "method": "tokenF1"}]}"#,
            // Escaped past the pre-parse word scan: the check on the parsed body still sends it on.
            #"{"output": "a", "reference": "a", "criteria": [{"type": "simil\u0061rity", "method": "tokenF1"}]}"#,
            #"{"output": "\#(large)", "criteria": [{"type": "contains", "value": "a"}]}"#,
            // Small, but more passes over the output than InlineScoring.maxSearches allows.
            #"{"output": "a", "criteria": [\#(Array(repeating: #"{"type": "contains", "value": "a"}"#, count: 9).joined(separator: ","))]}"#,
            #"{"output": "a", "criteria": [{"type": "containsAll", "values": [\#(Array(repeating: #""a""#, count: 9).joined(separator: ","))]}]}"#,
        ]
        var answers: [Task<HTTPResponse, Never>] = []
        for (index, body) in waiting.enumerated() {
            answers.append(Task { await service.evaluate(Self.request(body: Array(body.utf8))) })
            try await eventually("request \(index) waits for the scoring thread") { executor.queued == index + 1 }
        }
        try await busy.release()
        for answer in answers { #expect(await answer.value.status == 200) }
    }

    @Test(
        "a request cancelled before its work ran answers 504 for its deadline and 503 for shutdown",
        arguments: [(WorkCancellation.Reason.deadline, 504), (.shutdown, 503), (.clientGone, 503)])
    func cancelledRequests(reason: WorkCancellation.Reason, status: Int) async throws {
        let service = EvaluationService(registry: MetricsRegistry())
        for response in [
            await service.evaluate(Self.request(cancelled: reason)),
            await service.evaluateBatch(Self.request("/v1/evaluate/batch", body: Self.batch, cancelled: reason)),
        ] {
            #expect(response.status == status)
            let type = try Self.problem(response)["type"]
            #expect(type == (status == 504 ? "urn:assay:problem:deadline-exceeded" : "urn:assay:problem:shutting-down"))
        }
    }

    @Test("a stopped executor answers 503")
    func stoppedExecutor() async throws {
        let executor = BoundedExecutor(configuration: .init(threads: 1))
        executor.stop()
        let service = EvaluationService(registry: MetricsRegistry(), executor: executor)
        let response = await service.evaluate(Self.request())
        #expect(response.status == 503)
        #expect(try Self.problem(response)["type"] == "urn:assay:problem:shutting-down")
    }

    @Test("the limit flags set the server and executor, and refuse values out of range naming the flag")
    func limitFlags() throws {
        let values = try ServeCommand.parser().parse(
            [
                "--max-connections", "7", "--request-timeout-seconds", "2.5", "--scoring-threads", "3",
                "--scoring-queue", "0",
            ], environment: [:])
        var configuration = HTTPServerConfiguration()
        let limits = try ServeLimits(values, configuration: &configuration)
        defer { limits.executor.stop() }
        #expect(configuration.maxConnections == 7)
        #expect(configuration.requestTimeout == .milliseconds(2500))
        #expect(limits.executor.configuration.threads == 3)
        #expect(limits.executor.configuration.maxQueued == 0)

        let defaults = try ServeCommand.parser().parse(["--event-loops", "3"], environment: [:])
        var defaulted = HTTPServerConfiguration()
        defaulted.eventLoopCount = 3
        let defaultLimits = try ServeLimits(defaults, configuration: &defaulted)
        defer { defaultLimits.executor.stop() }
        #expect(defaulted.maxConnections == HTTPServerConfiguration.defaultMaxConnections(eventLoops: 3))
        #expect(defaulted.requestTimeout == HTTPServerConfiguration.defaultRequestTimeout)

        for (flag, value) in [
            ("max-connections", "0"), ("request-timeout-seconds", "0"), ("scoring-threads", "0"),
            ("scoring-queue", "-1"),
        ] {
            let bad = try ServeCommand.parser().parse(["--\(flag)", value], environment: [:])
            var ignored = HTTPServerConfiguration()
            #expect {
                _ = try ServeLimits(bad, configuration: &ignored)
            } throws: { error in
                "\(error)".contains(flag)
            }
        }
    }
}
