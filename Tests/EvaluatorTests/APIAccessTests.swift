import AssayAuth
import AssayCore
import AssayHTTP
import Suites
import Testing

@testable import Evaluator

/// What the evaluator's routes are authorized as, and which runs a worker-mode evaluator serves.
@Suite("APIAccess: the evaluator's routes as Kubernetes permissions")
struct APIAccessTests {
    /// Accepts any token as `caller` and records what it was asked to authorize.
    final class Recorder: Authenticator, Authorizer {
        let asked = Guarded<[ResourceAttributes]>([])

        func authenticate(token: String) async -> AuthenticationResult {
            .authenticated(UserInfo(username: "caller"))
        }

        func authorize(_ user: UserInfo, _ attributes: ResourceAttributes) async -> AuthorizationDecision {
            asked.withLock { $0.append(attributes) }
            return .allowed
        }
    }

    static func get(_ handler: Router.Handler, id: String) async -> HTTPResponse {
        await handler(
            HTTPRequest(method: "GET", target: "/v1/runs/\(id)", headers: ["Authorization": "Bearer t"]),
            RouteParameters([("id", id)]))
    }

    @Test("a worker serves its own suite's runs, authorized as get evaluationsuites/results of that suite")
    func workerRuns() async {
        let recorder = Recorder()
        let access = APIAccess(
            gate: AccessGuard(authenticator: recorder, authorizer: recorder), namespace: "team-a",
            suite: .init(name: "capitals", uid: "0c1d-uid"))
        let runs = access.runs { _, _ in .json(["served": true]) }
        #expect(await Self.get(runs, id: "0c1d-uid-g3").status == 200)
        for other in ["other-uid-g1", "capitals-0123456789abcdef", "0c1d-uid"] {
            let response = await Self.get(runs, id: other)
            #expect(response.status == 404, "\(other)")
            #expect(String(decoding: response.body, as: UTF8.self).contains("team-a/capitals"))
        }
        let evaluate = access.evaluations { _, _ in .json(["ok": true]) }
        _ = await evaluate(
            HTTPRequest(method: "POST", target: "/v1/evaluate", headers: ["Authorization": "Bearer t"]),
            RouteParameters())
        #expect(
            recorder.asked.withLock { $0 } == [
                .results(namespace: "team-a", suite: "capitals"), .evaluations(namespace: "team-a"),
            ])
    }

    @Test("outside worker mode any run is authorized against the evaluator's namespace")
    func anyRun() async {
        let recorder = Recorder()
        let access = APIAccess(gate: AccessGuard(authenticator: recorder, authorizer: recorder), namespace: "ns")
        #expect(await Self.get(access.runs { _, _ in .json([:]) }, id: "local-run-0123").status == 200)
        #expect(recorder.asked.withLock { $0 } == [.results(namespace: "ns")])
    }

    @Test("a run id is a suite's when it ends in -g<generation>")
    func resourceUID() {
        #expect(RunID.resource(uid: "a-b-c", generation: 12).resourceUID == "a-b-c")
        #expect(RunID.content(name: "s-g1", documents: ["x"]).resourceUID == nil)
        #expect(RunID("plain")?.resourceUID == nil)
    }
}
