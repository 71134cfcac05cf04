import AssayAuth
import AssayHTTP
import AssayRedis
import Suites

/// Every run's aggregates and results read from Redis (`/v1/runs/{id}`, `/v1/runs/{id}/results`),
/// served on the operator's port so they stay readable after a suite's evaluators scaled to zero;
/// `status.resultsURL` points here.
///
/// Only callers who may `get evaluationsuites/results` of the run's suite in the suite's namespace
/// are served: the bearer token is checked with a TokenReview and the permission with a
/// SubjectAccessReview, so one namespace cannot read another's results.
struct RunResultsRoutes: Sendable {
    let redis: RedisClient
    let access: AccessGuard
    /// Maps a run id's uid to its suite.
    let suites: SuiteDirectory

    func mount(on router: inout Router) {
        let suites = suites
        RunsRoutes(redis: redis).mount(on: &router) { [access] handler in
            access.protect(
                { _, parameters in
                    guard let id = parameters["id"].flatMap(RunID.init), let suite = await suites.suite(of: id) else {
                        return .answer(
                            .problem(
                                status: 404,
                                detail: "no run \(parameters["id"] ?? ""): no EvaluationSuite has this run's uid"))
                    }
                    return .authorize(.results(namespace: suite.namespace, suite: suite.name))
                }, handler)
        }
    }
}
