import AssayCore
import AssayHTTP
import AssayRedis

/// `GET /v1/runs/{id}` (live aggregates) and `GET /v1/runs/{id}/results?offset=&limit=` (case
/// results in recording order), served from the runs' Redis data. Mount with ``mount(on:)``.
public struct RunsRoutes: Sendable {
    /// Results per page when the request gives no `limit`. (Our choice.)
    public static let defaultLimit = 100
    /// Largest page: 1,000 results of a few KB each stay well under a few MB. (Our choice.)
    public static let maxLimit = 1000

    /// Builds the queue that reads run `id`'s data (Redis, or a local run's in-process queue).
    public let queue: @Sendable (RunID) -> any WorkQueue

    public init(queue: @escaping @Sendable (RunID) -> any WorkQueue) {
        self.queue = queue
    }

    /// Reads runs from `redis`.
    public init(redis: RedisClient) {
        self.init { id in
            RedisWorkQueue(redis: redis, configuration: .init(run: id, consumer: "api"))
        }
    }

    /// Adds the routes to `router`, each handler passed through `wrap` (an ``AccessGuard``'s
    /// `protect`, which authorizes the read).
    public func mount(on router: inout Router, through wrap: (@escaping Router.Handler) -> Router.Handler = { $0 }) {
        router.add("GET", "/v1/runs/{id}", wrap { request, parameters in await run(request, parameters) })
        router.add("GET", "/v1/runs/{id}/results", wrap { request, parameters in await results(request, parameters) })
    }

    public func run(_ request: HTTPRequest, _ parameters: RouteParameters) async -> HTTPResponse {
        guard let id = parameters["id"].flatMap(RunID.init) else { return Self.badID() }
        do {
            guard let aggregates = try await queue(id).aggregates() else { return Self.notFound(id) }
            return .json(aggregates.json)
        } catch {
            return .problem(status: 503, detail: "cannot read run \(id): \(error)")
        }
    }

    public func results(_ request: HTTPRequest, _ parameters: RouteParameters) async -> HTTPResponse {
        guard let id = parameters["id"].flatMap(RunID.init) else { return Self.badID() }
        let query = Self.query(request.query)
        var page: (offset: Int, limit: Int) = (0, Self.defaultLimit)
        for (name, bounds) in [("offset", 0...Int.max), ("limit", 1...Self.maxLimit)] {
            guard let text = query[name] else { continue }
            guard let value = Int(text), bounds.contains(value) else {
                let expected =
                    name == "offset" ? "a whole number of 0 or more" : "a whole number from 1 to \(Self.maxLimit)"
                return .problem(status: 400, detail: "query parameter \(name) must be \(expected), got \"\(text)\"")
            }
            if name == "offset" { page.offset = value } else { page.limit = value }
        }
        do {
            let queue = queue(id)
            guard let aggregates = try await queue.aggregates() else { return Self.notFound(id) }
            let results = try await queue.results(offset: page.offset, limit: page.limit)
            return .json(
                .object(
                    JSONObject([
                        ("id", .string(id.rawValue)), ("offset", .number(Double(page.offset))),
                        ("limit", .number(Double(page.limit))), ("total", .number(Double(aggregates.recorded))),
                        ("results", .array(results.map(\.json))),
                    ])))
        } catch {
            return .problem(status: 503, detail: "cannot read run \(id): \(error)")
        }
    }

    private static func badID() -> HTTPResponse {
        .problem(status: 404, detail: "run ids are 1 to 128 letters, digits, '.', '_' or '-'")
    }

    private static func notFound(_ id: RunID) -> HTTPResponse {
        .problem(status: 404, detail: "no run \(id): it never started here, or its results expired")
    }

    private static func query(_ text: String?) -> [String: String] {
        var out: [String: String] = [:]
        for pair in (text ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            out[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return out
    }
}
