import AssayCore
import Scoring
import Suites

/// The local runner's reports of a run: a table, JSON (the aggregates and every case), JUnit XML
/// and a self-contained HTML page (the last two in `Reports/`).
enum RunReport {
    /// The formats `--output` accepts.
    enum Format: String, CaseIterable, Sendable {
        case table, json, junit, html

    }

    /// The report of `aggregates` in `format`, with the intervals, comparisons and baseline of `analysis`.
    static func render(_ format: Format, _ aggregates: RunAggregates, cases: [CaseResult], analysis: RunAnalysis)
        -> String
    {
        switch format {
        case .table: table(aggregates, analysis: analysis)
        case .json: JSONWriter.string(json(aggregates, cases: cases, analysis: analysis)) + "\n"
        case .junit: JUnitReport.xml(aggregates, cases: cases, analysis: analysis)
        case .html: HTMLReport.html(aggregates, cases: cases, analysis: analysis)
        }
    }

    /// The aggregates' JSON with the analysis merged in and a `cases` member holding every case result.
    static func json(_ aggregates: RunAggregates, cases: [CaseResult], analysis: RunAnalysis) -> JSONValue {
        let merged = analysis.json(merging: aggregates.json)
        guard case .object(var object) = merged else { return merged }
        object["cases"] = .array(cases.map(\.json))
        return .object(object)
    }

    /// One line for standard output when the report went to a file.
    static func summary(_ aggregates: RunAggregates, analysis: RunAnalysis, wrote path: String, format: Format)
        -> String
    {
        let targets = analysis.targets.map { "\($0.name) \(VerdictText.rate($0.passRate, $0.passRateInterval))" }
            .joined(separator: ", ")
        let regressed = analysis.baseline?.regressed == true ? " (regressed against the baseline)" : ""
        return
            "\(analysis.verdict.rawValue)\(regressed) suite \(aggregates.info.suiteName) run \(aggregates.info.id) \(aggregates.phase.rawValue): "
            + "\(aggregates.recorded)/\(aggregates.total) cases, \(targets) (threshold "
            + "\(percent(aggregates.info.passThreshold))); \(format.rawValue) report written to \(path)\n"
    }

    static func table(_ aggregates: RunAggregates, analysis: RunAnalysis) -> String {
        var lines: [String] = []
        lines.append(
            "Suite \(aggregates.info.suiteName)  run \(aggregates.info.id)  \(aggregates.phase.rawValue)  "
                + "\(aggregates.recorded)/\(aggregates.total) cases"
                + (aggregates.info.repeats > 1 ? " (\(aggregates.info.repeats) repeats each)" : "")
                + "  threshold \(percent(aggregates.info.passThreshold))"
                + (analysis.gate.on == .lowerBound ? " (on the interval's lower bound)" : "")
        )
        var rows = [
            [
                "TARGET", "PASS RATE [\(level(analysis.level)) CI]", "MEAN SCORE", "PASSED", "FAILED", "ERRORS",
                "P50 MS",
                "P95 MS", "TOKENS IN", "TOKENS OUT", "VERDICT",
            ]
        ]
        for (target, statistics) in zip(aggregates.targets, analysis.targets) {
            rows.append([
                target.name, VerdictText.rate(target.passRate, statistics.passRateInterval),
                VerdictText.score(statistics.meanScore, statistics.meanScoreInterval), String(target.passed),
                String(target.failed), String(target.errors), milliseconds(target.latencyP50Ms),
                milliseconds(target.latencyP95Ms), String(target.inputTokens), String(target.outputTokens),
                statistics.verdict.rawValue,
            ])
        }
        lines += align(rows)
        for (target, statistics) in zip(aggregates.targets, analysis.targets) {
            lines.append("")
            lines.append("\(target.name) criteria:")
            var criteria = [["  CRITERION", "PASS RATE", "MEAN SCORE"]]
            for (criterion, interval) in zip(target.criteria, statistics.criteria) {
                criteria.append([
                    "  " + criterion.name, VerdictText.rate(criterion.passRate, interval.passRateInterval),
                    VerdictText.score(criterion.meanScore, interval.meanScoreInterval),
                ])
            }
            lines += align(criteria)
            if let repeats = statistics.repeats {
                lines.append("  " + VerdictText.repeats(repeats))
                if !repeats.flakyCaseIDs.isEmpty {
                    let more = repeats.flakyCount > repeats.flakyCaseIDs.count ? ", ..." : ""
                    lines.append("  flaky: " + repeats.flakyCaseIDs.joined(separator: ", ") + more)
                }
            }
            if !target.failingCaseIDs.isEmpty {
                let more = target.failed > target.failingCaseIDs.count ? ", ..." : ""
                lines.append("  failing: " + target.failingCaseIDs.joined(separator: ", ") + more)
            }
            if !statistics.errorReasons.isEmpty {
                lines.append("  top error reasons:")
                lines += statistics.errorReasons.map { "    " + VerdictText.errorReason($0) }
            }
        }
        if !analysis.comparisons.isEmpty {
            lines.append("")
            let test = analysis.comparisons.first.map { VerdictText.test($0.result.test) } ?? ""
            lines.append("Comparisons (paired, \(level(analysis.level)) CI, \(test)):")
            lines += analysis.comparisons.map { "  " + VerdictText.comparison($0) + ", n = \($0.result.cases)" }
        }
        if let baseline = analysis.baseline {
            lines.append("")
            lines.append(
                "Baseline: \(baseline.regressed ? "REGRESSED" : "no regression") (alpha \(analysis.gate.alpha), "
                    + "max drop \(percent(analysis.gate.maxRegression)))")
            for target in baseline.targets {
                lines.append("  " + VerdictText.baseline(target) + ", n = \(target.cases)")
                if !target.newlyFailing.isEmpty {
                    lines.append("    newly failing: " + target.newlyFailing.joined(separator: ", "))
                }
                if !target.newlyPassing.isEmpty {
                    lines.append("    newly passing: " + target.newlyPassing.joined(separator: ", "))
                }
            }
        }
        if let budget = aggregates.info.budget {
            lines.append("")
            lines.append(VerdictText.budget(budget, aggregates))
        }
        lines.append("")
        var reasons = analysis.targets.filter { !$0.verdict.passed }.map { "\($0.name) below the threshold" }
        reasons += (analysis.baseline?.targets ?? []).filter(\.regressed).map { "\($0.name) regressed" }
        if aggregates.budgetExceeded { reasons.append("BudgetExceeded") }
        if !aggregates.isComplete { reasons.append("incomplete") }
        let why = analysis.verdict.passed || reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"
        lines.append("Verdict: \(analysis.verdict.rawValue)\(why)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// "95%".
    private static func level(_ level: Double) -> String { VerdictText.decimal(level * 100, places: 0) + "%" }

    private static func align(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }.joined()
        }
    }

    private static func percent(_ fraction: Double) -> String { VerdictText.percent(fraction) }

    private static func milliseconds(_ value: Double?) -> String { value.map(format1) ?? "-" }

    private static func format1(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)"
    }
}
