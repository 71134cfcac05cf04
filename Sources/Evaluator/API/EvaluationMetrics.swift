import AssayCore
import Scoring

/// `assay_evaluations_total{type,outcome}`: one count per criterion scored. The children for
/// every type and outcome are made once, so the hot path is one atomic add per criterion.
///
/// `assay_inline_scoring_total{outcome}`: small requests scored on the event loop that received
/// them (`scored`), and those handed to the scoring executor when their inline budget ran out
/// (`handed_over`; see ``InlineScoring``).
struct EvaluationMetrics: Sendable {
    private let children: [CriterionType: (pass: Counter, fail: Counter)]
    let inlineScored: Counter
    let inlineHandedOver: Counter

    init(registry: MetricsRegistry) {
        let family = registry.counter(
            "assay_evaluations_total", help: "Criteria evaluated, by criterion type and outcome (pass or fail).",
            labels: ["type", "outcome"])
        var children: [CriterionType: (pass: Counter, fail: Counter)] = [:]
        for type in CriterionType.allCases {
            children[type] = (family.labels(type.rawValue, "pass"), family.labels(type.rawValue, "fail"))
        }
        self.children = children
        let inline = registry.counter(
            "assay_inline_scoring_total",
            help: "Small evaluation requests scored on the event loop (scored), or handed to the scoring executor "
                + "when their inline work budget ran out (handed_over).",
            labels: ["outcome"])
        inlineScored = inline.labels("scored")
        inlineHandedOver = inline.labels("handed_over")
    }

    func record(_ outcome: EvaluationOutcome) {
        for result in outcome.results {
            guard let counters = children[result.type] else { continue }
            (result.passed ? counters.pass : counters.fail).inc()
        }
    }
}
