import Common

/// The local runner's human-readable summary of a run.
enum RunReport {
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
