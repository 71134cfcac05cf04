import AssayCore
import AssayHTTP
import Scoring
import Suites

/// The evaluator's HTTP surface: the evaluation API (authenticated, see ``APIAccess``) plus
/// health, readiness and metrics (open: probes and Prometheus carry no credentials).
struct EvaluatorApp: Sendable {
    let router: Router
    let readiness: Readiness

    /// A registry with the standard `process_*` metrics, the way every evaluator starts.
    static func makeRegistry() -> MetricsRegistry {
        let registry = MetricsRegistry()
        registry.addCollector(ProcessMetrics())
        return registry
    }

    /// - Parameters:
    ///   - runs: the suite-run endpoints (`GET /v1/runs/{id}`, `.../results`), mounted when the
    ///     evaluator has Redis, where runs live.
    ///   - access: who may call the `/v1/*` routes (``APIAccess``).
    init(service: EvaluationService, registry: MetricsRegistry, runs: RunsRoutes? = nil, access: APIAccess = .open) {
        let readiness = Readiness()
        var router = Router()
        router.add("POST", "/v1/evaluate", access.evaluations { request, _ in await service.evaluate(request) })
        router.add(
            "POST", "/v1/evaluate/batch", access.evaluations { request, _ in await service.evaluateBatch(request) })
        router.add("GET", "/v1/providers", access.evaluations { _, _ in service.providers() })
        router.add("GET", Pod.livenessPath) { _, _ in .json(["status": "ok"]) }
        router.add("GET", Pod.readinessPath) { _, _ in
            readiness.isReady ? .json(["status": "ready"]) : .json(["status": "draining"], status: 503)
        }
        router.add("GET", Pod.metricsPath) { _, _ in
            HTTPResponse(status: 200, headers: ["Content-Type": PrometheusText.contentType], body: registry.render())
        }
        runs?.mount(on: &router, through: access.runs)
        self.router = router
        self.readiness = readiness
    }
}

/// Ready once the server has started and until it begins draining (SIGTERM): Kubernetes then
/// stops sending new traffic while in-flight requests finish.
final class Readiness: Sendable {
    private let server = Guarded<HTTPServer?>(nil)

    func attach(_ server: HTTPServer) { self.server.withLock { $0 = server } }

    var isReady: Bool {
        server.withLock { server in
            guard let server else { return false }
            return !server.isDraining
        }
    }
}
