import Scoring
import Suites

/// The HTML report's verdict sections: newly failing cases against the baseline first, then the
/// paired comparisons and the most frequent error reasons; with repeats, pass^N and flaky cases.
extension HTMLReport {
    static func verdictSections(_ analysis: RunAnalysis) -> [String] {
        var lines: [String] = []
        if let baseline = analysis.baseline {
            lines += [
                "<section id=\"baseline\">",
                "<h2>Against the baseline <span class=\"badge \(baseline.regressed ? "fail" : "pass")\">"
                    + "\(baseline.regressed ? "REGRESSED" : "NO REGRESSION")</span></h2>",
            ]
            for target in baseline.targets where !target.newlyFailing.isEmpty {
                lines.append(
                    "<p class=\"newly-failing\"><b>\(escape(target.name)) newly failing:</b> "
                        + target.newlyFailing.map(escape).joined(separator: ", ") + "</p>")
            }
            lines.append("<ul>")
            for target in baseline.targets {
                var line = "<li>\(escape(VerdictText.baseline(target)))"
                if !target.newlyPassing.isEmpty {
                    line += "; newly passing: " + target.newlyPassing.map(escape).joined(separator: ", ")
                }
                lines.append(line + "</li>")
            }
            lines += ["</ul>", "</section>"]
        }
        if !analysis.comparisons.isEmpty {
            lines += ["<section id=\"comparisons\">", "<h2>Comparisons</h2>", "<ul>"]
            lines += analysis.comparisons.map {
                "<li>\(escape(VerdictText.comparison($0))) (\($0.result.cases) paired cases, \(VerdictText.test($0.result.test)))</li>"
            }
            lines += ["</ul>", "</section>"]
        }
        let reasons = analysis.targets.filter { !$0.errorReasons.isEmpty }
        if !reasons.isEmpty {
            lines += ["<section id=\"errors\">", "<h2>Top error reasons</h2>", "<ul>"]
            for target in reasons {
                lines += target.errorReasons.map {
                    "<li>\(escape(target.name)): \(escape(VerdictText.errorReason($0)))</li>"
                }
            }
            lines += ["</ul>", "</section>"]
        }
        return lines
    }

    /// With repeats, a line per target: pass^N, the mean per-case pass fraction and the flaky
    /// cases (passed some repeats, not all); nothing without repeats.
    static func repeatsSection(_ analysis: RunAnalysis) -> [String] {
        let repeated = analysis.targets.compactMap { target in target.repeats.map { (target.name, $0) } }
        guard let first = repeated.first?.1 else { return [] }
        var lines = [
            "<section id=\"repeats\">",
            "<h2>Repeats (\(first.repeats) per case)</h2>",
            "<table>",
            "<tr><th>Target</th><th>pass^\(first.repeats)</th><th>Mean per-case pass fraction</th><th>Flaky</th>"
                + "<th>Flaky cases</th></tr>",
        ]
        for (name, statistics) in repeated {
            let more = statistics.flakyCount > statistics.flakyCaseIDs.count ? ", \u{2026}" : ""
            lines.append(
                "<tr class=\"repeats\" data-target=\"\(escape(name))\"><td>\(escape(name))</td>"
                    + "<td class=\"pass-all\">\(VerdictText.percent(statistics.passAll)) "
                    + "(\(statistics.passedAll) of \(statistics.cases) cases)</td>"
                    + "<td>\(VerdictText.percent(statistics.meanPassFraction))</td>"
                    + "<td class=\"flaky-count\">\(statistics.flakyCount)</td>"
                    + "<td class=\"flaky\">\(statistics.flakyCaseIDs.map(escape).joined(separator: ", "))\(more)</td></tr>"
            )
        }
        lines += ["</table>", "</section>"]
        return lines
    }

    /// An inline SVG bar for a pass rate with the threshold marked and the interval as an error bar.
    /// Its colour is the target's verdict, not the point estimate against the threshold: with
    /// `gate.on: lowerBound` a rate above the threshold can still fail.
    static func bar(_ rate: Double, threshold: Double, interval: (any ConfidenceInterval)?, passed: Bool) -> String {
        let width = Int((rate * 120).rounded())
        let mark = Int((threshold * 120).rounded())
        var svg =
            "<svg width=\"122\" height=\"12\" class=\"rate\">"
            + "<rect x=\"0\" y=\"1\" width=\"120\" height=\"10\" class=\"track\"/>"
            + "<rect x=\"0\" y=\"1\" width=\"\(width)\" height=\"10\" class=\"\(passed ? "barpass" : "barfail")\"/>"
            + "<line x1=\"\(mark)\" y1=\"0\" x2=\"\(mark)\" y2=\"12\" class=\"threshold\"/>"
        if let interval {
            let low = Int((interval.low * 120).rounded())
            let high = Int((interval.high * 120).rounded())
            svg +=
                "<line x1=\"\(low)\" y1=\"6\" x2=\"\(high)\" y2=\"6\" class=\"errorbar\"/>"
                + "<line x1=\"\(low)\" y1=\"3\" x2=\"\(low)\" y2=\"9\" class=\"errorbar\"/>"
                + "<line x1=\"\(high)\" y1=\"3\" x2=\"\(high)\" y2=\"9\" class=\"errorbar\"/>"
        }
        return svg + "</svg>"
    }
}
