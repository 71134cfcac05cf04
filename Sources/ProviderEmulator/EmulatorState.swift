import AssayCore

/// Behaviour (defaults plus per-route overrides), request counts, the random source, and the
/// requests currently held by `hang`, shared by every connection.
final class EmulatorState: Sendable {
    struct Counts: Sendable, Equatable {
        var requests = 0
        var ok = 0
        var errors = 0
        var rateLimited = 0
        var malformed = 0
        var hung = 0
        var rejected = 0

        var json: JSONValue {
            [
                "requests": .number(Double(requests)), "ok": .number(Double(ok)), "errors": .number(Double(errors)),
                "rateLimited": .number(Double(rateLimited)), "malformed": .number(Double(malformed)),
                "hung": .number(Double(hung)), "rejected": .number(Double(rejected)),
            ]
        }
    }

    enum Outcome: Sendable {
        case ok, error, rateLimited, malformed, hung, rejected
    }

    private struct State {
        var defaults: EmulatorBehaviour
        var overrides: [EmulatorRoute: EmulatorBehaviour] = [:]
        var counts: [EmulatorRoute: Counts] = [:]
        var random: SplitMix64
        var nextID = 1
        var held: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    let initial: EmulatorBehaviour
    private let state: Guarded<State>

    init(defaults: EmulatorBehaviour, seed: UInt64) {
        initial = defaults
        state = Guarded(State(defaults: defaults, random: SplitMix64(seed: seed)))
    }

    func behaviour(for route: EmulatorRoute) -> EmulatorBehaviour {
        state.withLock { $0.overrides[route] ?? $0.defaults }
    }

    /// Patches the defaults (`route == nil`, which also drops overrides) or one route's behaviour.
    /// Held requests are released when their route stops hanging.
    func update(route: EmulatorRoute?, with json: JSONValue) throws(FieldError) -> EmulatorBehaviour {
        let result = try state.withLock { s throws(FieldError) -> EmulatorBehaviour in
            if let route {
                let patched = try (s.overrides[route] ?? s.defaults).patched(with: json)
                s.overrides[route] = patched
                return patched
            }
            s.defaults = try s.defaults.patched(with: json)
            s.overrides = [:]
            return s.defaults
        }
        if !result.hang { releaseHeld() }
        return result
    }

    /// Back to the command-line behaviour; releases held requests.
    func reset() {
        state.withLock {
            $0.defaults = initial
            $0.overrides = [:]
        }
        releaseHeld()
    }

    var behaviourJSON: JSONValue {
        state.withLock { s in
            var routes = JSONObject()
            for route in EmulatorRoute.allCases { if let b = s.overrides[route] { routes[route.rawValue] = b.json } }
            return ["default": s.defaults.json, "routes": .object(routes)]
        }
    }

    /// Counts a request and returns its number (used in response ids).
    func begin(_ route: EmulatorRoute) -> Int {
        state.withLock { s in
            s.counts[route, default: Counts()].requests += 1
            defer { s.nextID += 1 }
            return s.nextID
        }
    }

    func record(_ route: EmulatorRoute, _ outcome: Outcome) {
        state.withLock { s in
            switch outcome {
            case .ok: s.counts[route, default: Counts()].ok += 1
            case .error: s.counts[route, default: Counts()].errors += 1
            case .rateLimited: s.counts[route, default: Counts()].rateLimited += 1
            case .malformed: s.counts[route, default: Counts()].malformed += 1
            case .hung: s.counts[route, default: Counts()].hung += 1
            case .rejected: s.counts[route, default: Counts()].rejected += 1
            }
        }
    }

    func counts(_ route: EmulatorRoute) -> Counts { state.withLock { $0.counts[route] ?? Counts() } }

    func resetCounts() { state.withLock { $0.counts = [:] } }

    var statsJSON: JSONValue {
        state.withLock { s in
            var routes = JSONObject()
            var total = 0
            for route in EmulatorRoute.allCases {
                let c = s.counts[route] ?? Counts()
                routes[route.rawValue] = c.json
                total += c.requests
            }
            return ["total": .number(Double(total)), "routes": .object(routes)]
        }
    }

    /// A uniform draw in 0..<1.
    func draw() -> Double { state.withLock { $0.random.unit() } }

    /// A uniform whole number in 0...upper.
    func draw(upTo upper: Int) -> Int {
        guard upper > 0 else { return 0 }
        return state.withLock { Int($0.random.next() % UInt64(upper + 1)) }
    }

    /// Suspends until the route stops hanging, the behaviour is reset, or the task is cancelled.
    func hold(id: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    s.held[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.held.removeValue(forKey: id) }?.resume()
        }
    }

    /// Requests currently held by `hang`.
    var heldCount: Int { state.withLock { $0.held.count } }

    func releaseHeld() {
        let held = state.withLock { s in
            defer { s.held = [:] }
            return Array(s.held.values)
        }
        for c in held { c.resume() }
    }
}
