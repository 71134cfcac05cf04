import AssayCore

/// Counts the API requests the emulator serves, by verb and resource, for `GET /emulator/requests`:
/// benchmarks and tests read how many calls a controller makes (and whether it writes while nothing
/// changes). Every connection thread records into it, so the counts sit behind one lock.
final class RequestCounter: Sendable {
    /// The verbs the real API server's request metrics use. A GET on a collection is `list` (or `watch`
    /// with `watch=true`), on a named object `get`; a DELETE on a collection is `deletecollection`.
    static let verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
    static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]
    /// The resource key of requests that name no resource: discovery, `/version`, OpenAPI, health
    /// checks and paths that resolve to nothing.
    static let nonResource = "nonResource"
    static let unknownAgent = "unknown"

    /// The agent name of a `User-Agent` header.
    static func agent(_ header: String?) -> String {
        guard let header, let name = header.split(separator: "/").first?.split(separator: " ").first, !name.isEmpty
        else { return unknownAgent }
        return String(name)
    }

    /// What one request is counted as.
    struct Label: Sendable, Hashable {
        var verb: String
        /// `deployments.apps`, `services`, `evaluationsuites.eval.assay.dev/status`, or ``nonResource``.
        var resource: String
        /// The client: its `User-Agent` up to the first `/` (kubectl sends `kubectl/v1.32...`), or
        /// `unknown`; the API server's audit log groups by the same header.
        var agent = RequestCounter.unknownAgent

        /// A request that has not (yet) resolved to a resource.
        init(method: String) {
            verb = RequestCounter.verb(method: method, named: true, watch: false)
            resource = RequestCounter.nonResource
        }

        init(verb: String, resource: String) {
            self.verb = verb
            self.resource = resource
        }
    }

    /// The API server's verb for an HTTP method on a named object or on a collection.
    static func verb(method: String, named: Bool, watch: Bool) -> String {
        switch method {
        case "GET", "HEAD": named ? "get" : (watch ? "watch" : "list")
        case "POST": "create"
        case "PUT": "update"
        case "PATCH": "patch"
        case "DELETE": named ? "delete" : "deletecollection"
        default: method.lowercased()
        }
    }

    private let counts = Guarded<[Label: Int]>([:])
    /// Requests refused with 429 by the in-flight limit, by agent: not served, so not in `counts`.
    private let refusals = Guarded<[String: Int]>([:])

    func record(_ label: Label) {
        counts.withLock { $0[label, default: 0] += 1 }
    }

    func recordRefusal(agent: String) {
        refusals.withLock { $0[agent, default: 0] += 1 }
    }

    func reset() {
        counts.withLock { $0.removeAll() }
        refusals.withLock { $0.removeAll() }
    }

    /// The counts now: `{"total", "writes", "byVerb": {verb: n}, "byResource": {resource: {verb: n}},
    /// "byAgent": {...}, "tooManyRequests": {"total", "byAgent": {agent: n}}}`. `byVerb` lists every
    /// verb (zeros included); `byResource` only what was requested; 429s are counted apart.
    func snapshot() -> JSONValue {
        let current = counts.withLock { $0 }
        let refused = refusals.withLock { $0 }
        var total = 0
        var writes = 0
        var byVerb: [String: Int] = [:]
        var byResource: [String: [String: Int]] = [:]
        var byAgent: [String: [String: [String: Int]]] = [:]
        for (label, count) in current {
            byAgent[label.agent, default: [:]][label.resource, default: [:]][label.verb, default: 0] += count
            total += count
            if Self.writeVerbs.contains(label.verb) { writes += count }
            byVerb[label.verb, default: 0] += count
            byResource[label.resource, default: [:]][label.verb, default: 0] += count
        }
        func object(_ counts: [String: Int], keys: [String]) -> JSONValue {
            .object(JSONObject(keys.map { ($0, .number(Double(counts[$0] ?? 0))) }))
        }
        let verbKeys = Self.verbs + byVerb.keys.filter { !Self.verbs.contains($0) }.sorted()
        return .object(
            JSONObject([
                ("total", .number(Double(total))),
                ("writes", .number(Double(writes))),
                ("byVerb", object(byVerb, keys: verbKeys)),
                (
                    "byResource",
                    .object(
                        JSONObject(
                            byResource.keys.sorted().map { resource in
                                let verbs = byResource[resource]!
                                return (resource, object(verbs, keys: verbs.keys.sorted()))
                            }))
                ),
                (
                    "byAgent",
                    .object(
                        JSONObject(
                            byAgent.keys.sorted().map { agent in
                                let resources = byAgent[agent]!
                                return (
                                    agent,
                                    .object(
                                        JSONObject(
                                            resources.keys.sorted().map { resource in
                                                let verbs = resources[resource]!
                                                return (resource, object(verbs, keys: verbs.keys.sorted()))
                                            }))
                                )
                            }))
                ),
                (
                    "tooManyRequests",
                    [
                        "total": .number(Double(refused.values.reduce(0, +))),
                        "byAgent": object(refused, keys: refused.keys.sorted()),
                    ]
                ),
            ]))
    }
}
