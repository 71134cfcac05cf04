import AssayCore

/// An earlier run's JSON report (`assay-evaluator run --output json`), read as a baseline: each
/// target's pass/fail and score per case id, tallied over the case's repeats when it has several.
package struct BaselineReport: Sendable {
    /// A case's results in the baseline, over every repeat it ran.
    package typealias Outcome = CaseTally

    /// Target name → case id → outcome.
    package var targets: [String: [String: Outcome]]

    package init(targets: [String: [String: Outcome]]) { self.targets = targets }

    /// Reads the `cases` of a JSON report; errors name the member (`cases[3].targets[0].passed`).
    package static func decode(_ json: JSONValue) throws(FieldError) -> BaselineReport {
        let report = try JSONFields(json, at: "")
        guard let cases = try report.array("cases") else {
            throw FieldError(
                path: "cases",
                message: "is required: the baseline must be a JSON report of an earlier run (--output json)")
        }
        var results: [CaseResult] = []
        for (index, item) in cases.enumerated() {
            do {
                results.append(try CaseResult.decode(item))
            } catch {
                throw FieldError(
                    path: FieldError.join(FieldError.join("cases", index), error.path), message: error.message)
            }
        }
        return BaselineReport(results: results)
    }

    /// The baseline of an earlier run's results (another suite's run in a cluster).
    package init(results: [CaseResult]) {
        var targets: [String: [String: Outcome]] = [:]
        for result in results {
            for target in result.targets {
                if targets[target.target]?[result.caseID] != nil {
                    targets[target.target]?[result.caseID]?.add(passed: target.passed, score: target.score)
                } else {
                    targets[target.target, default: [:]][result.caseID] = Outcome(
                        caseID: result.caseID, passed: target.passed, score: target.score)
                }
            }
        }
        self.targets = targets
    }
}
