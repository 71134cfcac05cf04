import AssayCore
import Testing

@testable import AssayHTTP
@testable import Evaluator
@testable import Scoring
@testable import Suites

@Suite("GET /v1/runs")
struct RunsRoutesTests {
    static func router() async throws -> Router {
        let queue = LocalWorkQueue()
        let plan = RunPlan(
            id: RunID("run-1")!, suiteName: "s", cases: (0..<5).map { SuiteCase(id: "c\($0)", output: "x") },
            targets: ["t"], criteria: ["contains"], passThreshold: 1)
        try await queue.prepare(plan)
        for claimed in try await queue.claim(max: 3) {
            let result = CaseResult(
                caseID: claimed.suiteCase.id,
                targets: [TargetResult(target: "t", output: "x", passed: true, score: 1, criteria: [])], consumer: "c")
            _ = try await queue.record(result, for: claimed)
        }
        var router = Router()
        let empty = LocalWorkQueue()
        RunsRoutes { id in id.rawValue == "run-1" ? queue : empty }.mount(on: &router)
        return router
    }

    static func get(_ target: String) async throws -> (Int, JSONValue) {
        let router = try await router()
        let response = await router.respond(to: HTTPRequest(method: "GET", target: target))
        return (response.status, try JSONParser.parse(response.body))
    }

    @Test("the run's aggregates show live progress")
    func aggregates() async throws {
        let (status, json) = try await Self.get("/v1/runs/run-1")
        #expect(status == 200)
        #expect(json["recorded"] == 3 && json["total"] == 5 && json["phase"] == "Running")
    }

    @Test(
        "results page with offset and limit",
        arguments: [("", ["c0", "c1", "c2"]), ("?offset=1&limit=1", ["c1"]), ("?offset=5", [])])
    func pages(query: String, ids: [String]) async throws {
        let (status, json) = try await Self.get("/v1/runs/run-1/results" + query)
        #expect(status == 200)
        #expect(json["results"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids)
        #expect(json["total"] == 3)
    }

    @Test(
        "bad paging and unknown runs are problems naming what is wrong",
        arguments: [
            ("/v1/runs/run-1/results?limit=0", 400, "limit must be"),
            ("/v1/runs/run-1/results?offset=-1", 400, "offset must be"),
            ("/v1/runs/other", 404, "no run other"),
            ("/v1/runs/bad%20id", 404, "run ids are"),
        ])
    func problems(target: String, status: Int, detail: String) async throws {
        let (code, json) = try await Self.get(target)
        #expect(code == status)
        #expect(json["detail"]?.stringValue?.contains(detail) == true, "\(json)")
    }
}
