import Scoring
import Suites

/// A run as JUnit XML for CI systems: one `<testsuite>` per target and, in it, one `<testcase>`
/// per case (named by the case id, classed `<suite>.<target>`). A target whose criteria failed
/// gets a `<failure>` naming them with their reasons; one whose output could not be generated
/// gets an `<error>`. Each `<testsuite>` carries `<properties>`: the target's pass rate with its
/// interval, its comparisons with the other targets, its baseline verdict and top error reasons,
/// and with repeats `repeats`, `passAll` (pass^N), `meanPassFraction`, `flaky` and `flakyCases`;
/// every repeat of a flaky case says so in its `<system-out>`.
enum JUnitReport {
    static func xml(_ aggregates: RunAggregates, cases: [CaseResult], analysis: RunAnalysis) -> String {
        let suite = aggregates.info.suiteName
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, milliseconds: 0.0)
        for target in aggregates.info.targets {
            var body: [String] = []
            var counts = (tests: 0, failures: 0, errors: 0, milliseconds: 0.0)
            let flaky = flakyCases(of: target, in: cases)
            let repeated = cases.contains { $0.repeat > 1 }
            for result in cases {
                guard let outcome = result.targets.first(where: { $0.target == target }) else { continue }
                counts.tests += 1
                counts.milliseconds += outcome.latencyMs
                let open =
                    "    <testcase name=\"\(escape(result.label(inRunWithRepeats: repeated)))\" classname=\"\(escape("\(suite).\(target)"))\" "
                    + "time=\"\(ReportEscaping.seconds(milliseconds: outcome.latencyMs))\""
                // A flaky case's every repeat says so, passed or not.
                let mark = flaky[result.caseID].map {
                    "      <system-out>flaky: passed \($0.passed) of \($0.results) repeats</system-out>"
                }
                if let mark, outcome.error == nil, outcome.passed {
                    body += [open + ">", mark, "    </testcase>"]
                } else if let error = outcome.error {
                    counts.errors += 1
                    body.append(open + ">")
                    body.append(
                        "      <error message=\"\(escape(error))\" type=\"GenerationError\">\(escape(error))</error>")
                    if let mark { body.append(mark) }
                    body.append("    </testcase>")
                } else if !outcome.passed {
                    counts.failures += 1
                    let failing = outcome.criteria.filter { !$0.passed }
                    let message =
                        failing.isEmpty
                        ? "score \(outcome.score) below the pass mark"
                        : "failed: " + failing.map(\.name).joined(separator: ", ")
                    let details = failing.map { "\($0.name) (\($0.type)) score \($0.score): \($0.reason)" }
                    body.append(open + ">")
                    body.append(
                        "      <failure message=\"\(escape(message))\" type=\"CriteriaFailed\">"
                            + escape(details.joined(separator: "\n")) + "</failure>")
                    if let mark { body.append(mark) }
                    body.append("    </testcase>")
                } else {
                    body.append(open + "/>")
                }
            }
            suites.append(
                "  <testsuite name=\"\(escape("\(suite).\(target)"))\" tests=\"\(counts.tests)\" "
                    + "failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" skipped=\"0\" "
                    + "time=\"\(ReportEscaping.seconds(milliseconds: counts.milliseconds))\">")
            suites += properties(of: target, analysis)
            suites += body
            suites.append("  </testsuite>")
            totals.tests += counts.tests
            totals.failures += counts.failures
            totals.errors += counts.errors
            totals.milliseconds += counts.milliseconds
        }
        lines.append(
            "<testsuites name=\"\(escape(suite))\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" "
                + "errors=\"\(totals.errors)\" time=\"\(ReportEscaping.seconds(milliseconds: totals.milliseconds))\">")
        lines += suites
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The target's verdict as JUnit properties ("large vs small: +12.0 pp [4.1, 19.9], p = 0.003").
    private static func properties(of target: String, _ analysis: RunAnalysis) -> [String] {
        var properties: [(String, String)] = []
        if let statistics = analysis.targets.first(where: { $0.name == target }) {
            properties.append(("passRate", VerdictText.rate(statistics.passRate, statistics.passRateInterval)))
            properties.append(("verdict", statistics.verdict.rawValue))
            for (rank, reason) in statistics.errorReasons.enumerated() {
                properties.append(("errorReason.\(rank + 1)", VerdictText.errorReason(reason)))
            }
            if let repeats = statistics.repeats {
                properties += [
                    ("repeats", String(repeats.repeats)), ("passAll", VerdictText.percent(repeats.passAll)),
                    ("meanPassFraction", VerdictText.percent(repeats.meanPassFraction)),
                    ("flaky", String(repeats.flakyCount)),
                    ("flakyCases", repeats.flakyCaseIDs.joined(separator: ",")),
                ]
            }
        }
        for comparison in analysis.comparisons where comparison.a == target || comparison.b == target {
            properties.append(("comparison.\(comparison.a).\(comparison.b)", VerdictText.comparison(comparison)))
        }
        if let baseline = analysis.baseline?.targets.first(where: { $0.name == target }) {
            properties.append(("baseline", VerdictText.baseline(baseline)))
        }
        guard !properties.isEmpty else { return [] }
        return ["    <properties>"]
            + properties.map { "      <property name=\"\(escape($0.0))\" value=\"\(escape($0.1))\"/>" }
            + ["    </properties>"]
    }

    /// `target`'s flaky cases (passed some repeats, not all) with their counts, by case id.
    private static func flakyCases(of target: String, in cases: [CaseResult]) -> [String: CaseTally] {
        var flaky: [String: CaseTally] = [:]
        let outcomes = TargetOutcomes(cases: cases, clusters: [:]).results(of: target)
        for tally in RunAnalysis.tallies(outcomes, byCluster: false)
        where tally.passed > 0 && tally.passed < tally.results {
            flaky[tally.caseID] = tally
        }
        return flaky
    }

    private static func escape(_ text: String) -> String { ReportEscaping.markup(text) }
}
