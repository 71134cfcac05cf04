import AssayCore
import Scoring

/// One request's scoring, criterion by criterion, in slices of executor time: each slice is a job
/// on the ``BoundedExecutor`` and the next one queues behind whatever arrived meanwhile, so a
/// request with seconds of scoring (a batch of heavy items) shares the scoring threads with
/// requests that need microseconds instead of holding them. A criterion is never split; its own
/// work is bounded by its limits.
struct ScoringRun: Sendable {
    /// Executor time one job of a run takes before it makes way for the next job in the queue:
    /// the hop between jobs costs microseconds, so slices this long cost nothing, and a small
    /// request behind a heavy one waits about this long (plus the criterion in progress).
    static let slice = Duration.milliseconds(10)

    private struct Item: Sendable {
        var scorecard: Scorecard
        var context: EvaluationContext
        var results: [CriterionResult] = []
    }

    private var items: [Item]
    /// The first item with criteria left to score.
    private var next = 0

    init(_ evaluations: [(Scorecard, EvaluationContext)]) {
        items = evaluations.map { Item(scorecard: $0.0, context: $0.1) }
        skipFinished()
    }

    var isFinished: Bool { next == items.count }

    /// Scores criteria, in order, until every one is scored or `deadline` has passed.
    mutating func advance(until deadline: ContinuousClock.Instant) {
        while next < items.count {
            let criteria = items[next].scorecard.criteria
            let criterion = criteria[items[next].results.count]
            items[next].results.append(criterion.evaluate(items[next].context))
            skipFinished()
            if ContinuousClock.now >= deadline { return }
        }
    }

    /// Scores every criterion at once, their budgeted work taken from `budget`
    /// (``Criterion/evaluate(_:budget:)``): `false`, with the run left unscored, once the budget
    /// runs out, so that the run is scored from scratch with ``advance(until:)`` and its verdict is
    /// the one the ordinary limits give.
    mutating func score(within budget: inout WorkBudget) -> Bool {
        while next < items.count {
            let done = items[next].results.count
            guard let result = items[next].scorecard.criteria[done].evaluate(items[next].context, budget: &budget)
            else {
                // Nothing decided is kept: the run starts again from its first criterion.
                for index in items.indices { items[index].results.removeAll() }
                next = 0
                skipFinished()
                return false
            }
            items[next].results.append(result)
            skipFinished()
        }
        return true
    }

    /// Each evaluation's outcome, in the order given; complete once ``isFinished``.
    var outcomes: [EvaluationOutcome] {
        items.map { item in
            EvaluationOutcome(
                results: item.results,
                weights: item.scorecard.criteria.prefix(item.results.count).map(\.weight))
        }
    }

    private mutating func skipFinished() {
        while next < items.count, items[next].results.count == items[next].scorecard.criteria.count {
            next += 1
        }
    }
}
