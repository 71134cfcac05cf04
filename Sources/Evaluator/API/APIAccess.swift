import AssayAuth
import AssayHTTP
import AssayKube
import Suites

/// Who may use the evaluator's API routes, and as what: every `/v1/*` route passes the
/// ``AccessGuard`` (`/healthz`, `/readyz` and `/metrics` stay open). With `--auth kubernetes` the
/// routes are authorized as Kubernetes verbs in the evaluator's namespace: `create` on
/// `evaluations` (evaluating, and listing providers), `get` on `evaluationsuites/results` (a
/// run's aggregates and results).
struct APIAccess: Sendable {
    /// The suite a worker-mode evaluator runs: it serves that suite's runs only, so one namespace's
    /// evaluators never hand out another's results from the shared Redis.
    struct Suite: Sendable {
        var name: String
        var uid: String
    }

    let gate: AccessGuard
    /// Where SubjectAccessReviews are asked: the suite's namespace in worker mode, else the
    /// evaluator's own.
    let namespace: String
    let suite: Suite?

    /// No authentication (loopback only, or tests of other things).
    static let open = APIAccess(gate: AccessGuard(authenticator: nil), namespace: KubeConnection.defaultNamespace)

    init(gate: AccessGuard, namespace: String, suite: Suite? = nil) {
        self.gate = gate
        self.namespace = namespace
        self.suite = suite
    }

    /// An evaluation route (or the provider listing).
    func evaluations(_ handler: @escaping Router.Handler) -> Router.Handler {
        gate.protect(.evaluations(namespace: namespace), handler)
    }

    /// A run route: `get evaluationsuites/results` (of this worker's suite); another suite's run
    /// is a 404 here.
    func runs(_ handler: @escaping Router.Handler) -> Router.Handler {
        let namespace = namespace
        let suite = suite
        return gate.protect(
            { _, parameters in
                guard let suite else { return .authorize(.results(namespace: namespace)) }
                guard let id = parameters["id"].flatMap(RunID.init), id.resourceUID == suite.uid else {
                    return .answer(
                        .problem(
                            status: 404,
                            detail:
                                "no run \(parameters["id"] ?? "") here: this evaluator serves suite \(namespace)/\(suite.name)'s runs"
                        ))
                }
                return .authorize(.results(namespace: namespace, suite: suite.name))
            }, handler)
    }
}
