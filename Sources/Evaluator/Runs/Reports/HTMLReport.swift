import Scoring
import Suites

/// A run as one self-contained HTML page: inline CSS and SVG, no scripts and no external
/// references. It holds an overview (each target's pass rate against the threshold and a
/// PASS/FAIL badge), a bar chart of each criterion's pass rate per target, and a side-by-side
/// table of the targets' verdicts for the first `maxCases` cases. Pass rates carry their intervals
/// (as error bars); with repeats, each target's pass^N and flaky cases follow the overview; the
/// baseline's newly failing cases, the comparisons and the top error reasons come before the
/// charts (`HTMLReport+Verdict`).
enum HTMLReport {
    /// Cases shown in the side-by-side table; the page says when more were left out.
    static let maxCases = 500

    static func html(
        _ aggregates: RunAggregates, cases: [CaseResult], analysis: RunAnalysis, maxCases: Int = maxCases
    ) -> String {
        let info = aggregates.info
        let verdict = analysis.verdict
        var page: [String] = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\">",
            "<title>\(escape("Assay run \(info.id) - \(info.suiteName)"))</title>",
            "<style>\(style)</style>",
            "</head>",
            "<body>",
            "<h1>\(escape(info.suiteName)) <span class=\"badge \(verdict.passed ? "pass" : "fail")\" id=\"verdict\">"
                + "\(verdict.rawValue)</span></h1>",
            "<p class=\"meta\">Run \(escape(info.id.rawValue)) &middot; \(escape(aggregates.phase.rawValue)) &middot; "
                + "\(aggregates.recorded)/\(aggregates.total) cases &middot; \(aggregates.passed) passed by every target "
                + "&middot; threshold \(ReportEscaping.percent(info.passThreshold))</p>",
        ]
        page += overview(aggregates, analysis: analysis)
        page += repeatsSection(analysis)
        page += verdictSections(analysis)
        page += criteria(aggregates, analysis: analysis)
        page += targets(aggregates, cases: cases, analysis: analysis, maxCases: maxCases)
        page += ["</body>", "</html>"]
        return page.joined(separator: "\n") + "\n"
    }

    private static func overview(_ aggregates: RunAggregates, analysis: RunAnalysis) -> [String] {
        var lines = [
            "<section id=\"overview\">",
            "<h2>Overview</h2>",
            "<table>",
            "<tr><th>Target</th><th>Pass rate</th><th>Threshold</th><th>Passed</th><th>Failed</th><th>Errors</th>"
                + "<th>p50 ms</th><th>p95 ms</th><th>Tokens in</th><th>Tokens out</th><th>Mean score</th><th>Verdict</th></tr>",
        ]
        for (target, statistics) in zip(aggregates.targets, analysis.targets) {
            let verdict = statistics.verdict
            let bar = bar(
                target.passRate, threshold: aggregates.info.passThreshold, interval: statistics.passRateInterval,
                passed: verdict.passed)
            lines.append(
                "<tr><td>\(escape(target.name))</td><td>\(bar)"
                    + " \(escape(VerdictText.rate(target.passRate, statistics.passRateInterval)))</td>"
                    + "<td>\(ReportEscaping.percent(aggregates.info.passThreshold))</td>"
                    + "<td>\(target.passed)</td><td>\(target.failed)</td><td>\(target.errors)</td>"
                    + "<td>\(milliseconds(target.latencyP50Ms))</td><td>\(milliseconds(target.latencyP95Ms))</td>"
                    + "<td>\(target.inputTokens)</td><td>\(target.outputTokens)</td>"
                    + "<td>\(VerdictText.score(statistics.meanScore, statistics.meanScoreInterval))</td>"
                    + "<td><span class=\"badge \(verdict.passed ? "pass" : "fail")\">\(verdict.rawValue)</span></td></tr>"
            )
        }
        lines += ["</table>", "</section>"]
        return lines
    }

    /// One horizontal SVG bar chart per criterion: a bar per target.
    private static func criteria(_ aggregates: RunAggregates, analysis: RunAnalysis) -> [String] {
        var lines = ["<section id=\"criteria\">", "<h2>Criteria</h2>"]
        let targets = aggregates.targets
        for (index, name) in aggregates.info.criteria.enumerated() {
            let rowHeight = 22
            let height = max(1, targets.count) * rowHeight + 4
            lines.append("<figure class=\"chart\">")
            lines.append("<figcaption>\(escape(name))</figcaption>")
            lines.append(
                "<svg width=\"520\" height=\"\(height)\" role=\"img\" "
                    + "aria-label=\"\(escape("\(name) pass rate per target"))\">")
            for (row, target) in targets.enumerated() {
                let criterion = index < target.criteria.count ? target.criteria[index] : nil
                let rate = criterion?.passRate ?? 0
                let y = row * rowHeight + 2
                let width = Int((rate * 300).rounded())
                lines.append(
                    "<text x=\"0\" y=\"\(y + 15)\" class=\"label\">\(escape(truncated(target.name, 20)))</text>"
                        + "<rect x=\"150\" y=\"\(y)\" width=\"300\" height=\"18\" class=\"track\"/>"
                        + "<rect x=\"150\" y=\"\(y)\" width=\"\(width)\" height=\"18\" "
                        + "class=\"\(rate >= aggregates.info.passThreshold ? "barpass" : "barfail")\"/>"
                        + "<text x=\"458\" y=\"\(y + 15)\" class=\"label\">\(ReportEscaping.percent(rate))</text>")
            }
            lines.append("</svg>")
            let means = zip(targets, analysis.targets).map { target, statistics in
                let mean = index < target.criteria.count ? target.criteria[index].meanScore : 0
                let interval = index < statistics.criteria.count ? statistics.criteria[index].meanScoreInterval : nil
                return "\(escape(target.name)): mean score \(VerdictText.score(mean, interval))"
            }
            lines.append("<p class=\"meta\">\(means.joined(separator: " &middot; "))</p>")
            lines.append("</figure>")
        }
        lines.append("</section>")
        return lines
    }

    /// The side-by-side table; with a baseline, the cases that newly fail come first, marked.
    private static func targets(
        _ aggregates: RunAggregates, cases: [CaseResult], analysis: RunAnalysis, maxCases: Int
    ) -> [String] {
        let newlyFailing = Set(analysis.baseline?.targets.flatMap(\.newlyFailing) ?? [])
        let ordered =
            cases.filter { newlyFailing.contains($0.caseID) } + cases.filter { !newlyFailing.contains($0.caseID) }
        let names = aggregates.info.targets
        var lines = [
            "<section id=\"targets\">",
            "<h2>Cases by target</h2>",
            "<table>",
            "<tr><th>Case</th>" + names.map { "<th>\(escape($0))</th>" }.joined() + "</tr>",
        ]
        let repeated = cases.contains { $0.repeat > 1 }
        for result in ordered.prefix(maxCases) {
            let mark =
                newlyFailing.contains(result.caseID) ? " <span class=\"badge fail newly\">NEWLY FAILING</span>" : ""
            var row = "<tr><td class=\"case\">\(escape(result.label(inRunWithRepeats: repeated)))\(mark)</td>"
            for name in names {
                guard let outcome = result.targets.first(where: { $0.target == name }) else {
                    row += "<td>-</td>"
                    continue
                }
                let verdict: String
                let detail: String
                if let error = outcome.error {
                    verdict = "<span class=\"badge error\">ERROR</span>"
                    detail = error
                } else if outcome.passed {
                    verdict = "<span class=\"badge pass\">PASS</span>"
                    detail = ""
                } else {
                    verdict = "<span class=\"badge fail\">FAIL</span>"
                    detail = outcome.criteria.filter { !$0.passed }.map { "\($0.name): \($0.reason)" }
                        .joined(separator: "; ")
                }
                row +=
                    "<td>\(verdict) <span class=\"score\">\(format3(outcome.score))</span>"
                    + "<div class=\"output\">\(escape(truncated(outcome.output, 300)))</div>"
                    + (detail.isEmpty ? "" : "<div class=\"why\">\(escape(truncated(detail, 500)))</div>") + "</td>"
            }
            lines.append(row + "</tr>")
        }
        lines.append("</table>")
        if cases.count > maxCases {
            lines.append(
                "<p class=\"note\" id=\"truncated\">Showing the first \(maxCases) of \(cases.count) cases.</p>")
        }
        lines.append("</section>")
        return lines
    }

    private static let style = """
        body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
        table{border-collapse:collapse;margin:1em 0}\
        th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}\
        .badge{display:inline-block;padding:1px 8px;border-radius:4px;color:#fff;font-size:.85em;font-weight:bold}\
        .pass{background:#2e7d32}.fail{background:#c62828}.error{background:#6a1b9a}\
        .meta,.note{color:#555}.output{font-family:monospace;white-space:pre-wrap;max-width:40em}\
        .why{color:#c62828;font-size:.9em}.score{color:#555;font-size:.85em}\
        .track{fill:#eee}.barpass{fill:#2e7d32}.barfail{fill:#c62828}.threshold{stroke:#000;stroke-width:2}\
        .errorbar{stroke:#111;stroke-width:1.5}\
        .label{font-size:12px;fill:#222}.chart{margin:1em 0}
        """

    static func escape(_ text: String) -> String { ReportEscaping.markup(text) }

    private static func truncated(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + "\u{2026}" : text
    }

    private static func milliseconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths) % 10)"
    }

    private static func format3(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(abs(thousandths) % 1000)
        let sign = thousandths < 0 && thousandths / 1000 == 0 ? "-" : ""
        return "\(sign)\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
