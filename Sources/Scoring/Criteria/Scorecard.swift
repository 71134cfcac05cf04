import AssayCore

/// A request's list of criteria, decoded and compiled, ready to evaluate outputs.
package struct Scorecard: Sendable {
    /// Criteria one request may carry. Each is evaluated over the whole output (up to 1 MB), so
    /// this bounds a request's work; suites in practice use a handful.
    package static let maxCriteria = 64

    package let criteria: [Criterion]

    package init(criteria: [Criterion]) {
        self.criteria = criteria
    }

    /// Decodes `json`, the request's `criteria` member at `path`: a non-empty array of criteria.
    /// With a `cache`, criteria seen before are reused instead of compiled again.
    package static func decode(_ json: JSONValue, at path: String = "criteria", cache: CriterionCache? = nil)
        throws(FieldError) -> Scorecard
    {
        guard case .array(let items) = json else {
            throw FieldError(path: path, message: "must be an array of criteria, got \(json.typeName)")
        }
        guard !items.isEmpty else { throw FieldError(path: path, message: "must contain at least one criterion") }
        guard items.count <= maxCriteria else {
            throw FieldError(path: path, message: "has \(items.count) criteria; at most \(maxCriteria) are allowed")
        }
        var criteria: [Criterion] = []
        criteria.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let itemPath = FieldError.join(path, index)
            if let cache {
                criteria.append(try cache.criterion(item, at: itemPath))
            } else {
                criteria.append(try Criterion.decode(item, at: itemPath))
            }
        }
        return Scorecard(criteria: criteria)
    }

    /// The `llmJudge` criteria, whose judges are asked before scoring.
    package var judges: [LLMJudgeCriterion] {
        criteria.compactMap { criterion in
            if case .llmJudge(let judge) = criterion.kind { judge } else { nil }
        }
    }

    /// Whether any criterion compares with the request's `reference`.
    package var needsReference: Bool { criteria.contains { $0.needsReference } }

    package func evaluate(_ context: EvaluationContext) -> EvaluationOutcome {
        EvaluationOutcome(results: criteria.map { $0.evaluate(context) }, weights: criteria.map(\.weight))
    }
}

/// The verdict on one output: every criterion's result and their combination.
///
/// `passed` is true when every criterion passed, whatever its weight (a weight of 0 makes a
/// criterion a gate that does not move the score). `score` is the weighted mean of the
/// criteria's scores; when all weights are 0 it is the plain mean, so that the score still
/// reflects the results instead of being undefined.
package struct EvaluationOutcome: Sendable, Equatable {
    package var passed: Bool
    package var score: Double
    package var results: [CriterionResult]

    package init(results: [CriterionResult], weights: [Double]) {
        precondition(results.count == weights.count, "one weight per result")
        self.results = results
        passed = results.allSatisfy(\.passed)
        let totalWeight = weights.reduce(0, +)
        if results.isEmpty {
            score = 0
        } else if totalWeight > 0 {
            score = zip(results, weights).reduce(0) { $0 + $1.0.score * $1.1 } / totalWeight
        } else {
            score = results.reduce(0) { $0 + $1.score } / Double(results.count)
        }
    }

    /// `{"passed", "score", "results": [...]}`.
    package var json: JSONValue {
        .object(
            JSONObject([
                ("passed", .bool(passed)),
                ("score", .number(score)),
                ("results", .array(results.map(\.json))),
            ]))
    }

    /// ``json`` written straight into `out`, the same bytes `JSONWriter` makes of it without the
    /// dictionaries in between: the answer of every evaluation request.
    package func write(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"passed":"#.utf8)
        out.append(contentsOf: passed ? "true".utf8 : "false".utf8)
        out.append(contentsOf: #","score":"#.utf8)
        JSONWriter.writeNumber(score, into: &out)
        out.append(contentsOf: #","results":["#.utf8)
        for (index, result) in results.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            result.write(into: &out)
        }
        out.append(contentsOf: "]}".utf8)
    }
}
