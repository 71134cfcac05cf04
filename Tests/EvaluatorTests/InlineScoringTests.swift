import AssayCore
import AssayHTTP
import Dispatch
import TestSupport
import Testing

@testable import Evaluator

/// `regex` and `jsonSchema` in small bodies, scored on the thread that received them under one
/// small budget (``InlineScoring/budgetSteps``), and handed to the executor when it runs out.
@Suite("Inline scoring on a budget")
struct InlineScoringTests {
    /// The body of `bench/http.sh --sizes 1k` in miniature: contains, regex, and a schema with a `pattern`.
    static let benchmarkLike = #"""
        {"output": "{\"title\": \"Report\", \"sections\": [{\"heading\": \"Overview\", \"body\": \"Fine.\"}], \"conclusion\": \"Conclusion: verified 2026\"}",
         "criteria": [{"type": "contains", "value": "Conclusion: verified 2026"},
          {"type": "regex", "pattern": "[Cc]onclusion: [a-z]+ [0-9]{4}"},
          {"type": "jsonSchema", "schema": {"type": "object", "required": ["title", "sections", "conclusion"],
           "additionalProperties": false, "properties": {"title": {"type": "string", "minLength": 1},
           "sections": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["heading", "body"]}},
           "conclusion": {"type": "string", "pattern": "^Conclusion: "}}}}]}
        """#

    static let hostileSubject = String(repeating: "a", count: 1_200) + "!"

    /// Small bodies whose patterns need far more than the inline budget, and what the ordinary
    /// limits answer for them.
    static let hostile: [(body: String, type: String, reason: String)] = [
        (
            #"{"output": "\#(hostileSubject)", "criteria": [{"type": "regex", "pattern": "(a+)+$"}]}"#, "regex",
            "could not be evaluated: the regular expression needed more backtracking"
        ),
        (
            #"{"output": "[\"\#(hostileSubject)\"]", "criteria": [{"type": "contains", "value": "a"}, "#
                + #"{"type": "jsonSchema", "schema": {"items": {"pattern": "(a+)+$"}}}]}"#, "jsonSchema",
            #"could not be checked against \"(a+)+$\""#
        ),
    ]

    /// A service whose one scoring thread is busy until ``release()``: what waits for it shows in
    /// `executor.queued`, what is scored inline does not.
    struct BusyService {
        let executor = BoundedExecutor(configuration: .init(threads: 1, maxQueued: 8))
        let registry = MetricsRegistry()
        let service: EvaluationService
        private let semaphore = DispatchSemaphore(value: 0)
        private let blocker: Task<Void, any Error>

        init() async {
            service = EvaluationService(registry: registry, executor: executor)
            blocker = await executor.occupyThread(until: semaphore)
        }

        func release() async throws {
            semaphore.signal()
            try await blocker.value
        }
    }

    static func request(_ body: String) -> HTTPRequest {
        EvaluationLimitsTests.request(body: Array(body.utf8))
    }

    @Test(
        "the benchmark's body (contains, regex, a schema with a pattern) is scored where it arrived while every scoring thread is busy"
    )
    func benchmarkBodyIsScoredInline() async throws {
        let busy = await BusyService()
        defer { busy.executor.stop() }
        let (executor, service) = (busy.executor, busy.service)
        // In a task, so that a request that wrongly waits for the scoring thread fails the test
        // instead of hanging it.
        let answer = Task { await service.evaluate(Self.request(Self.benchmarkLike)) }
        try await eventually("the request is scored inline or handed over") {
            service.outcomes.inlineScored.value + service.outcomes.inlineHandedOver.value >= 1
        }
        #expect(service.outcomes.inlineScored.value == 1)
        #expect(service.outcomes.inlineHandedOver.value == 0)
        #expect(executor.queued == 0)
        try await busy.release()
        let response = await answer.value
        #expect(response.status == 200)
        let json = try JSONParser.parse(response.body)
        #expect(json["passed"] == true, "\(String(decoding: response.body, as: UTF8.self))")
    }

    @Test(
        "a small body with a hostile pattern is handed to the executor, scored there from scratch with the ordinary limits, and counted once",
        arguments: hostile)
    func hostilePatternsAreHandedOver(body: String, type: String, reason: String) async throws {
        let busy = await BusyService()
        defer { busy.executor.stop() }
        let (executor, service, registry) = (busy.executor, busy.service, busy.registry)
        let answer = Task { await service.evaluate(Self.request(body)) }
        try await eventually("the request waits for the scoring thread") { executor.queued == 1 }
        #expect(service.outcomes.inlineHandedOver.value == 1)
        #expect(service.outcomes.inlineScored.value == 0)
        try await busy.release()
        let response = await answer.value
        #expect(response.status == 200)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(try JSONParser.parse(response.body)["passed"] == false)
        #expect(text.contains(reason), "\(text)")
        let metrics = String(decoding: registry.render(), as: UTF8.self)
        #expect(metrics.contains(#"assay_evaluations_total{type="\#(type)",outcome="fail"} 1"#), "\(metrics)")
    }
}
