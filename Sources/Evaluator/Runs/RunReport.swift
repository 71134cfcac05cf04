import AssayCore
import Scoring
import Suites

/// The local runner's reports of a run: a table, JSON (the aggregates and every case), JUnit XML
/// and a self-contained HTML page (the last two in `Reports/`).
enum RunReport {
    /// The formats `--output` accepts.
    enum Format: String, CaseIterable, Sendable {
        case table, json, junit, html

        /// Whether the report lists every case (read from the queue page by page).
        var needsCases: Bool { self != .table }
    }

    /// The report of `aggregates` in `format`; `cases` is used by every format but the table.
    static func render(_ format: Format, _ aggregates: RunAggregates, cases: [CaseResult]) -> String {
        switch format {
        case .table: table(aggregates)
        case .json: JSONWriter.string(json(aggregates, cases: cases)) + "\n"
        case .junit: JUnitReport.xml(aggregates, cases: cases)
        case .html: HTMLReport.html(aggregates, cases: cases)
        }
    }

    /// The aggregates' JSON with a `cases` member holding every case result.
    static func json(_ aggregates: RunAggregates, cases: [CaseResult]) -> JSONValue {
        guard case .object(var object) = aggregates.json else { return aggregates.json }
        object["cases"] = .array(cases.map(\.json))
        return .object(object)
    }

    /// Every recorded case result, read `pageSize` at a time in recording order.
    static func allResults(from queue: any WorkQueue, pageSize: Int = 500) async throws -> [CaseResult] {
        var results: [CaseResult] = []
        while true {
            let page = try await queue.results(offset: results.count, limit: pageSize)
            results += page
            if page.count < pageSize { return results }
        }
    }

    /// One line for standard output when the report went to a file.
    static func summary(_ aggregates: RunAggregates, wrote path: String, format: Format) -> String {
        let targets = aggregates.targets.map { "\($0.name) \(percent($0.passRate))" }.joined(separator: ", ")
        return
            "\(aggregates.verdict.rawValue) suite \(aggregates.info.suiteName) run \(aggregates.info.id) \(aggregates.phase.rawValue): "
            + "\(aggregates.recorded)/\(aggregates.total) cases, \(targets) (threshold "
            + "\(percent(aggregates.info.passThreshold))); \(format.rawValue) report written to \(path)\n"
    }

    static func table(_ aggregates: RunAggregates) -> String {
        var lines: [String] = []
        lines.append(
            "Suite \(aggregates.info.suiteName)  run \(aggregates.info.id)  \(aggregates.phase.rawValue)  "
                + "\(aggregates.recorded)/\(aggregates.total) cases  threshold \(percent(aggregates.info.passThreshold))"
        )
        var rows = [
            ["TARGET", "PASS RATE", "PASSED", "FAILED", "ERRORS", "P50 MS", "P95 MS", "TOKENS IN", "TOKENS OUT"]
        ]
        for target in aggregates.targets {
            rows.append([
                target.name, percent(target.passRate), String(target.passed), String(target.failed),
                String(target.errors), milliseconds(target.latencyP50Ms), milliseconds(target.latencyP95Ms),
                String(target.inputTokens), String(target.outputTokens),
            ])
        }
        lines += align(rows)
        for target in aggregates.targets {
            lines.append("")
            lines.append("\(target.name) criteria:")
            var criteria = [["  CRITERION", "PASS RATE", "MEAN SCORE"]]
            for criterion in target.criteria {
                criteria.append([
                    "  " + criterion.name, percent(criterion.passRate), String(format3(criterion.meanScore)),
                ])
            }
            lines += align(criteria)
            if !target.failingCaseIDs.isEmpty {
                let more = target.failed > target.failingCaseIDs.count ? ", ..." : ""
                lines.append("  failing: " + target.failingCaseIDs.joined(separator: ", ") + more)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func align(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }.joined()
        }
    }

    private static func percent(_ fraction: Double) -> String { "\(format1(fraction * 100))%" }

    private static func milliseconds(_ value: Double?) -> String { value.map(format1) ?? "-" }

    private static func format1(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)"
    }

    private static func format3(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(abs(thousandths) % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
