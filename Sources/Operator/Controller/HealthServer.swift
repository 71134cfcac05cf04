import AssayAuth
import AssayCore
import AssayHTTP
import AssayRedis
import Suites

/// The operator's health port: `/healthz` (the process answers), `/readyz` (caches synced, or a
/// standby waiting for the Lease), `/metrics`, and every run's aggregates and results read from
/// Redis (`/v1/runs/{id}`, `/v1/runs/{id}/results`), which stay readable after a suite's
/// evaluators scaled to zero.
///
/// The run routes serve only callers who may `get evaluationsuites/results` of the run's suite in
/// the suite's namespace: the bearer token is checked with a TokenReview and the permission with a
/// SubjectAccessReview, so one namespace cannot read another's results.
struct HealthServer: Sendable {
    let registry: MetricsRegistry
    let redis: RedisClient
    let access: AccessGuard
    let suites: SuiteDirectory
    let ready: @Sendable () -> Bool

    static func configuration(host: String, port: Int) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.host = host
        configuration.port = port
        // Probes, scrapes and result pages: one loop is plenty.
        configuration.eventLoopCount = 1
        // Nothing posted here carries a body.
        configuration.maxBodyBytes = 4096
        return configuration
    }

    var router: Router {
        var router = Router()
        router.add("GET", "/healthz") { _, _ in .text("ok\n") }
        router.add("GET", "/readyz") { [ready] _, _ in
            ready() ? .text("ok\n") : .text("caches not synced\n", status: 503)
        }
        router.add("GET", "/metrics") { [registry] _, _ in
            HTTPResponse(status: 200, headers: ["Content-Type": PrometheusText.contentType], body: registry.render())
        }
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
        return router
    }
}
