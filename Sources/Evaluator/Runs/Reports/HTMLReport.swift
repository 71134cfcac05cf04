import Scoring
import Suites

/// A run as one self-contained HTML page: inline CSS and SVG, no scripts and no external
/// references. It holds an overview (each target's pass rate against the threshold and a
/// PASS/FAIL badge), a bar chart of each criterion's pass rate per target, and a side-by-side
/// table of the targets' verdicts for the first `maxCases` cases.
enum HTMLReport {
    /// Cases shown in the side-by-side table; the page says when more were left out.
    static let maxCases = 500

    static func html(_ aggregates: RunAggregates, cases: [CaseResult], maxCases: Int = maxCases) -> String {
        let info = aggregates.info
        let verdict = aggregates.verdict
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
        page += overview(aggregates)
        page += criteria(aggregates)
        page += targets(aggregates, cases: cases, maxCases: maxCases)
        page += ["</body>", "</html>"]
        return page.joined(separator: "\n") + "\n"
    }

    private static func overview(_ aggregates: RunAggregates) -> [String] {
        var lines = [
            "<section id=\"overview\">",
            "<h2>Overview</h2>",
            "<table>",
            "<tr><th>Target</th><th>Pass rate</th><th>Threshold</th><th>Passed</th><th>Failed</th><th>Errors</th>"
                + "<th>p50 ms</th><th>p95 ms</th><th>Tokens in</th><th>Tokens out</th><th>Verdict</th></tr>",
        ]
        for target in aggregates.targets {
            let verdict = RunVerdict(target: target, passThreshold: aggregates.info.passThreshold)
            lines.append(
                "<tr><td>\(escape(target.name))</td><td>\(bar(target.passRate, threshold: aggregates.info.passThreshold))"
                    + " \(ReportEscaping.percent(target.passRate))</td>"
                    + "<td>\(ReportEscaping.percent(aggregates.info.passThreshold))</td>"
                    + "<td>\(target.passed)</td><td>\(target.failed)</td><td>\(target.errors)</td>"
                    + "<td>\(milliseconds(target.latencyP50Ms))</td><td>\(milliseconds(target.latencyP95Ms))</td>"
                    + "<td>\(target.inputTokens)</td><td>\(target.outputTokens)</td>"
                    + "<td><span class=\"badge \(verdict.passed ? "pass" : "fail")\">\(verdict.rawValue)</span></td></tr>"
            )
        }
        lines += ["</table>", "</section>"]
        return lines
    }

    /// One horizontal SVG bar chart per criterion: a bar per target.
    private static func criteria(_ aggregates: RunAggregates) -> [String] {
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
            let means = targets.map { target in
                let mean = index < target.criteria.count ? target.criteria[index].meanScore : 0
                return "\(escape(target.name)): mean score \(format3(mean))"
            }
            lines.append("<p class=\"meta\">\(means.joined(separator: " &middot; "))</p>")
            lines.append("</figure>")
        }
        lines.append("</section>")
        return lines
    }

    private static func targets(_ aggregates: RunAggregates, cases: [CaseResult], maxCases: Int) -> [String] {
        let names = aggregates.info.targets
        var lines = [
            "<section id=\"targets\">",
            "<h2>Cases by target</h2>",
            "<table>",
            "<tr><th>Case</th>" + names.map { "<th>\(escape($0))</th>" }.joined() + "</tr>",
        ]
        for result in cases.prefix(maxCases) {
            var row = "<tr><td class=\"case\">\(escape(result.caseID))</td>"
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

    /// An inline SVG bar for a pass rate with the threshold marked.
    private static func bar(_ rate: Double, threshold: Double) -> String {
        let width = Int((rate * 120).rounded())
        let mark = Int((threshold * 120).rounded())
        return "<svg width=\"122\" height=\"12\" class=\"rate\">"
            + "<rect x=\"0\" y=\"1\" width=\"120\" height=\"10\" class=\"track\"/>"
            + "<rect x=\"0\" y=\"1\" width=\"\(width)\" height=\"10\" class=\"\(rate >= threshold ? "barpass" : "barfail")\"/>"
            + "<line x1=\"\(mark)\" y1=\"0\" x2=\"\(mark)\" y2=\"12\" class=\"threshold\"/></svg>"
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
        .label{font-size:12px;fill:#222}.chart{margin:1em 0}
        """

    private static func escape(_ text: String) -> String { ReportEscaping.markup(text) }

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
