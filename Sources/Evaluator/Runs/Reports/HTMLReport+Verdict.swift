import Scoring
import Suites

/// The HTML report's verdict sections: newly failing cases against the baseline first, then the
/// paired comparisons and the most frequent error reasons.
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

    /// An inline SVG bar for a pass rate with the threshold marked and the interval as an error bar.
    static func bar(_ rate: Double, threshold: Double, interval: (any ConfidenceInterval)?) -> String {
        let width = Int((rate * 120).rounded())
        let mark = Int((threshold * 120).rounded())
        var svg =
            "<svg width=\"122\" height=\"12\" class=\"rate\">"
            + "<rect x=\"0\" y=\"1\" width=\"120\" height=\"10\" class=\"track\"/>"
            + "<rect x=\"0\" y=\"1\" width=\"\(width)\" height=\"10\" class=\"\(rate >= threshold ? "barpass" : "barfail")\"/>"
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
