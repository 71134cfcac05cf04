import Suites

/// Decides a suite's next status, what to do with its children, which events to record and
/// whether to look again soon — a pure function of what the reconciler observed, so every rule
/// is tested as a table without an API server or Redis.
enum StatusPlanner {
    /// The phase's rules; the planner feeds it what the reconciler observed.
    static let phases = SuitePhaseMachine()

    /// Whether the spec can run in the cluster.
    enum Validity: Sendable, Hashable {
        /// Valid, with this many cases.
        case valid(total: Int)
        /// Invalid; the message names the field (`spec.dataset.configMap.key: ...`).
        case invalid(String)
    }

    struct Input: Sendable, Hashable {
        var current: SuiteStatus
        var generation: Int
        /// The run of this generation (`<uid>-g<generation>`).
        var runID: String
        var validity: Validity
        /// The run's progress read from Redis; nil before the run exists there.
        var progress: SuiteProgress?
        /// Whether every target's pass rate meets the suite's `passThreshold` (the gate).
        var meetsThreshold: Bool
        /// The comparisons and error reasons of a complete run, from every case's result.
        var verdict: VerdictStatus? = nil
        /// Where the run's full results are read.
        var resultsURL: String?
        /// Breakers (`target/provider`) already reported open, so each opening is one event.
        var knownOpenBreakers: Set<String>
        /// RFC 3339.
        var now: String
        /// Why this generation's evaluators cannot call their providers (their `Preflight`
        /// condition); nil when they can, or have not said.
        var preflightFailure: String? = nil
        /// How far the run got when its `spec.budget` ran out (the evaluators' record script
        /// marks it in Redis); nil while within the budget.
        var budgetExceeded: String? = nil
    }

    /// The condition reason (and event) of a run whose budget ran out.
    static let budgetExceededReason = "BudgetExceeded"

    /// What should exist besides the resource.
    enum Children: Sendable, Hashable {
        /// Deployment, Service and autoscaler, evaluating the run.
        case run
        /// The run is over: Deployment at zero replicas, autoscaler removed, Service kept.
        case scaledDown
        /// Nothing: the spec is invalid.
        case none
    }

    struct Event: Sendable, Hashable {
        enum Kind: String, Sendable, Hashable {
            case normal = "Normal"
            case warning = "Warning"
        }

        var kind: Kind
        var reason: String
        var message: String
    }

    struct Plan: Sendable, Hashable {
        var status: SuiteStatus
        var children: Children
        var events: [Event]
        /// A previous run still going that the new generation replaces.
        var cancelRun: String?
        /// Look again soon: the run is going on, and Redis does not tell us when it changes.
        var pollAgain: Bool
        /// Breakers open now (for the next ``Input/knownOpenBreakers``).
        var openBreakers: Set<String>
    }

    static func plan(_ input: Input) -> Plan {
        var status = input.current
        var events: [Event] = []
        var cancelRun: String?
        let newGeneration = status.observedGeneration != input.generation
        let wasActive = !status.phase.isFinal && status.phase != .invalid && status.runID != nil

        switch input.validity {
        case .invalid(let message):
            if newGeneration || status.phase != .invalid {
                events.append(Event(kind: .warning, reason: "InvalidSpec", message: message))
            }
            if wasActive, let old = status.runID { cancelRun = old }
            var next = SuiteStatus()
            next.phase = .invalid
            next.observedGeneration = input.generation
            next.conditions = status.conditions
            status = next
            status.conditions = conditions(
                status.conditions, generation: input.generation, now: input.now,
                ready: (.isFalse, "InvalidSpec", message), progressing: (.isFalse, "InvalidSpec", message),
                degraded: (.isTrue, "InvalidSpec", message))
            return Plan(
                status: status, children: .none, events: events, cancelRun: cancelRun, pollAgain: false,
                openBreakers: [])

        case .valid(let total):
            if newGeneration || status.runID != input.runID {
                if wasActive, let old = status.runID, old != input.runID { cancelRun = old }
                // The first run of a new suite posts no Event: its creation, phase and `Progressing`
                // condition already say it started, and the Event would be one more write per suite
                // in a burst of applies (5 instead of 6). A rerun (an edit, a new run) records one,
                // since the status then shows only the latest.
                let rerun = status.runID.map { $0 != input.runID } ?? false
                var next = SuiteStatus()
                next.phase = phases.transition(status.phase, .specChanged).state
                next.observedGeneration = input.generation
                next.run = SuiteProgress(counts: .init(total: total))
                next.startTime = input.now
                next.runID = input.runID
                next.conditions = status.conditions.filter { $0.type != PreflightCondition.type }
                status = next
                if rerun {
                    events.append(
                        Event(
                            kind: .normal, reason: "RunStarted",
                            message: "Run \(input.runID) started: \(total) cases"))
                }
            }
            status.resultsURL = input.resultsURL
        }

        // A run ended before its cases did: no case can run (preflight), or the budget is spent.
        let stop: (reason: String, message: String, event: SuitePhase.Event)? =
            input.preflightFailure.map { (PreflightCondition.failedReason, $0, .preflightFailed) }
            ?? input.budgetExceeded.map { (budgetExceededReason, $0, .budgetExceeded) }
        if let stop, !status.phase.isFinal {
            status.phase = phases.transition(status.phase, stop.event).state
            status.completionTime = input.now
            if var progress = input.progress {
                if progress.breakers.isEmpty { progress.breakers = status.run.breakers }
                status.run = progress
            }
            events.append(Event(kind: .warning, reason: stop.reason, message: "Run \(input.runID): \(stop.message)"))
            // Stop the evaluators now; a spent budget's evaluators stop claiming by themselves and
            // may still record the cases they hold.
            if stop.event == .preflightFailed { cancelRun = input.runID }
        }
        var openBreakers: Set<String> = []
        if !status.phase.isFinal {
            if var progress = input.progress {
                // Breaker states come from the evaluators' own status writes; Redis has none.
                if progress.breakers.isEmpty { progress.breakers = status.run.breakers }
                status.run = progress
            }
            status.phase = phases.transition(status.phase, .childrenReady).state
            if let progress = input.progress {
                status.phase =
                    phases.transition(
                        status.phase,
                        .progressed(
                            completed: progress.counts.completed, total: progress.counts.total,
                            meetsThreshold: input.meetsThreshold)
                    ).state
            }
            if status.phase.isFinal {
                status.completionTime = input.now
                if let verdict = input.verdict { status.verdict = verdict }
                let rate = status.run.passRate.map { " (pass rate \(percent($0)))" } ?? ""
                let summary = "\(status.run.counts.passed) of \(status.run.counts.total) cases passed\(rate)"
                events.append(
                    status.phase == .succeeded
                        ? Event(kind: .normal, reason: "RunSucceeded", message: "Run \(input.runID): \(summary)")
                        : Event(
                            kind: .warning, reason: "RunFailed",
                            message: "Run \(input.runID): \(summary); a target is below passThreshold"))
            } else {
                for breaker in status.run.breakers where breaker.state == .open {
                    let name = "\(breaker.target)/\(breaker.provider)"
                    openBreakers.insert(name)
                    if !input.knownOpenBreakers.contains(name) {
                        events.append(
                            Event(
                                kind: .warning, reason: "CircuitOpened",
                                message:
                                    "Provider \(breaker.provider) of target \(breaker.target): circuit opened; calls go to the next provider in the chain"
                            ))
                    }
                }
            }
        }

        let counts = status.run.counts
        let progressText = "\(counts.completed) of \(counts.total) cases evaluated"
        switch status.phase {
        case .failed where stop != nil:
            let reason = stop?.reason ?? ""
            let failure = stop?.message ?? ""
            status.conditions = conditions(
                status.conditions, generation: input.generation, now: input.now, ready: (.isFalse, reason, failure),
                progressing: (.isFalse, reason, failure), degraded: (.isTrue, reason, failure))
        case .failed
        where status.conditions.contains { $0.type == Conditions.ready && $0.reason == budgetExceededReason }:
            // Stopped by its budget on an earlier reconcile; later ones (which read no aggregates
            // once the run is final) keep the conditions that say so.
            break
        case .succeeded:
            status.conditions = conditions(
                status.conditions, generation: input.generation, now: input.now,
                ready: (.isTrue, "RunSucceeded", "Every target reached passThreshold; \(progressText)"),
                progressing: (.isFalse, "RunComplete", progressText), degraded: (.isFalse, "AsExpected", ""))
        case .failed:
            status.conditions = conditions(
                status.conditions, generation: input.generation, now: input.now,
                ready: (
                    .isFalse, "RunFailed",
                    (status.verdict.baseline?.regressed == true
                        ? "A target regressed against the baseline or is below passThreshold; "
                        : "A target is below passThreshold; ") + progressText
                ),
                progressing: (.isFalse, "RunComplete", progressText), degraded: (.isFalse, "AsExpected", ""))
        default:
            let degraded: (Condition.Status, String, String) =
                openBreakers.isEmpty
                ? (.isFalse, "AsExpected", "")
                : (.isTrue, "CircuitOpen", "Open circuits: " + openBreakers.sorted().joined(separator: ", "))
            status.conditions = conditions(
                status.conditions, generation: input.generation, now: input.now,
                ready: (.isFalse, "RunInProgress", progressText), progressing: (.isTrue, "RunInProgress", progressText),
                degraded: degraded)
        }
        if status.phase.isFinal, let baseline = status.verdict.baseline {
            let value: (Condition.Status, String) =
                switch baseline.regressed {
                case true?: (.isTrue, "Regressed")
                case false?: (.isFalse, "NoRegression")
                case nil: (.unknown, "BaselineUnavailable")
                }
            status.conditions = Conditions.set(
                Condition(
                    type: Conditions.regressed, status: value.0, observedGeneration: input.generation,
                    lastTransitionTime: input.now, reason: value.1, message: String(baseline.message.prefix(32768))),
                in: status.conditions)
        }
        return Plan(
            status: status, children: status.phase.isFinal ? .scaledDown : .run, events: events,
            cancelRun: cancelRun, pollAgain: !status.phase.isFinal, openBreakers: openBreakers)
    }

    private static func conditions(
        _ list: [Condition], generation: Int, now: String, ready: (Condition.Status, String, String),
        progressing: (Condition.Status, String, String), degraded: (Condition.Status, String, String)
    ) -> [Condition] {
        var result = list
        for (type, value) in [
            (Conditions.ready, ready), (Conditions.progressing, progressing), (Conditions.degraded, degraded),
        ] {
            result = Conditions.set(
                Condition(
                    type: type, status: value.0, observedGeneration: generation, lastTransitionTime: now,
                    reason: value.1, message: value.2), in: result)
        }
        return result
    }

    static func percent(_ rate: Double) -> String {
        let tenths = (rate * 1000).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths))%" : "\(tenths)%"
    }
}
