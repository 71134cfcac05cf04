import AssayCore
import AssayHTTP

/// The operator's port: `/healthz` (the process answers), `/readyz` (caches synced, or a standby
/// waiting for the Lease) and `/metrics`, with the run results (``RunResultsRoutes``) mounted
/// beside them.
struct HealthServer: Sendable {
    let registry: MetricsRegistry
    let results: RunResultsRoutes
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
        results.mount(on: &router)
        return router
    }
}
