import Scoring

/// The one wording of intervals, comparisons and baselines, shared by the table, HTML and JUnit
/// reports and the resource's status: "87.0% [79.1, 92.3]", "large vs small: +12.0 pp [4.1, 19.9],
/// p = 0.003".
package enum VerdictText {
    /// A fraction as a percentage with one decimal: "87.0%".
    package static func percent(_ fraction: Double) -> String { "\(decimal(fraction * 100, places: 1))%" }

    /// A rate with its interval: "87.0% [79.1, 92.3]" (or just the rate without one).
    package static func rate(_ fraction: Double, _ interval: (any ConfidenceInterval)?) -> String {
        guard let interval else { return percent(fraction) }
        return
            "\(percent(fraction)) [\(decimal(interval.low * 100, places: 1)), \(decimal(interval.high * 100, places: 1))]"
    }

    /// A mean score with its interval: "0.812 [0.750, 0.874]".
    package static func score(_ value: Double?, _ interval: MeanInterval?) -> String {
        guard let value else { return "-" }
        guard let interval else { return decimal(value, places: 3) }
        return
            "\(decimal(value, places: 3)) [\(decimal(interval.low, places: 3)), \(decimal(interval.high, places: 3))]"
    }

    /// A difference of rates in percentage points with its interval: "+12.0 pp [4.1, 19.9]".
    package static func points(_ difference: Double, _ interval: any ConfidenceInterval) -> String {
        let sign = difference > 0 ? "+" : ""
        return
            "\(sign)\(decimal(difference * 100, places: 1)) pp [\(decimal(interval.low * 100, places: 1)), \(decimal(interval.high * 100, places: 1))]"
    }

    /// "p = 0.003", or "p < 0.001".
    package static func pValue(_ p: Double) -> String {
        p < 0.001 ? "p < 0.001" : "p = \(decimal(p, places: 3))"
    }

    /// "large vs small: +12.0 pp [4.1, 19.9], p = 0.003".
    package static func comparison(_ comparison: RunAnalysis.Comparison) -> String {
        let result = comparison.result
        return
            "\(comparison.a) vs \(comparison.b): \(points(result.difference, result.interval)), \(pValue(result.pValue))"
    }

    /// How a comparison was tested, for a report's heading: "McNemar exact", or with repeats
    /// "paired over cases".
    package static func test(_ test: PairedComparison.Test) -> String {
        switch test {
        case .mcnemarExact: "McNemar exact"
        case .pairedCluster: "paired over cases"
        }
    }

    /// "small: 90.0% -> 70.0%, -20.0 pp [-35.2, -4.9], one-sided p = 0.016, regressed".
    package static func baseline(_ target: BaselineVerdict.Target) -> String {
        "\(target.name): \(percent(target.baselinePassRate)) -> \(percent(target.passRate)), "
            + "\(points(target.difference, target.interval)), one-sided \(pValue(target.pValue)), "
            + (target.regressed ? "regressed" : "no regression")
    }

    /// "pass^3 80.0% (8 of 10 cases), mean per-case pass fraction 90.0%, 2 flaky".
    package static func repeats(_ statistics: RepeatStatistics) -> String {
        "pass^\(statistics.repeats) \(percent(statistics.passAll)) (\(statistics.passedAll) of \(statistics.cases) cases), "
            + "mean per-case pass fraction \(percent(statistics.meanPassFraction)), \(statistics.flakyCount) flaky"
    }

    /// "Budget: 1200 tokens of 1000, cost 0.0021 of 0.01; exceeded (BudgetExceeded) after 40 of 300 cases".
    package static func budget(_ budget: BudgetSpec, _ aggregates: RunAggregates) -> String {
        var parts: [String] = []
        if let maxTokens = budget.maxTokens { parts.append("\(aggregates.spentTokens) tokens of \(maxTokens)") }
        if let maxCost = budget.maxCost {
            parts.append("cost \(decimal(aggregates.spentCost, places: 4)) of \(decimal(maxCost, places: 4))")
        }
        let state =
            aggregates.budgetExceeded
            ? "exceeded (BudgetExceeded) after \(aggregates.recorded) of \(aggregates.total) cases"
            : "within the budget"
        return "Budget: " + parts.joined(separator: ", ") + "; " + state
    }

    /// "3000 × no API key: ..." lines' text: "3000× reason".
    package static func errorReason(_ reason: RunAnalysis.ErrorReason) -> String { "\(reason.count)× \(reason.reason)" }

    /// `value` rounded to `places` decimals, without exponent notation.
    package static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = abs(scaled) / Int(scale)
        let fraction = String(abs(scaled) % Int(scale))
        let sign = scaled < 0 ? "-" : ""
        guard places > 0 else { return "\(sign)\(whole)" }
        return "\(sign)\(whole).\(String(repeating: "0", count: places - fraction.count))\(fraction)"
    }
}
