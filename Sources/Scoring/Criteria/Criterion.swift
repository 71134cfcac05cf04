import AssayCore
import Providers

/// One check of a model's output, decoded and compiled from a request's `criteria[i]`.
///
/// ```json
/// {"type": "regex", "name": "has a date", "weight": 2, "pattern": "\\d{4}-\\d{2}-\\d{2}"}
/// ```
///
/// Every criterion has `type`, optional `name` (default: the type) and optional `weight`
/// (default 1, from 0 to 1,000,000); `threshold` is accepted where a score is measured (similarity).
/// The remaining members depend on the type; unknown members are errors, so a typo cannot
/// silently disable a check.
package struct Criterion: Sendable {
    /// Each criterion counts once in the overall score unless weighted otherwise.
    package static let defaultWeight = 1.0
    /// Weights are relative; a million to one is beyond any useful ratio, and the bound keeps the
    /// weighted sums finite.
    package static let maxWeight = 1_000_000.0

    package var name: String
    package var type: CriterionType
    package var weight: Double
    package var kind: CriterionKind

    /// Members every criterion may have, whatever its type.
    package static let commonFields: Set<String> = ["type", "name", "weight"]

    /// Decodes and compiles `json`, the criterion at `path` (e.g. `criteria[2]`). Regexes come
    /// from `regexes`, so that repeated patterns are compiled once; an `llmJudge`'s `judge` is read
    /// as `providers` allows.
    package static func decode(
        _ json: JSONValue, at path: String, regexes: RegexCache? = nil, providers: ProviderOrigin = .localFile
    ) throws(FieldError) -> Criterion {
        let fields = try JSONFields(json, at: path)
        let typeName = try fields.required("type", fields.string)
        guard let type = CriterionType(rawValue: typeName) else {
            throw FieldError(
                path: fields.path("type"),
                message:
                    "unknown criterion type \(Quoting.quote(typeName)); expected one of: \(CriterionType.validNames)")
        }
        let name = try fields.string("name") ?? type.rawValue
        guard !name.isEmpty else { throw FieldError(path: fields.path("name"), message: "must not be empty") }
        let weight = try fields.number("weight") ?? defaultWeight
        guard weight >= 0, weight <= maxWeight else {
            throw FieldError(
                path: fields.path("weight"), message: "must be between 0 and \(Int(maxWeight)), got \(weight)")
        }
        let kind = try CriterionKind.decode(type, fields, regexes: regexes, providers: providers)
        return Criterion(name: name, type: type, weight: weight, kind: kind)
    }

    /// Whether the criterion compares against the request's `reference`, which must then be
    /// present.
    package var needsReference: Bool { kind.needsReference }

    /// Scores the context's output. Once the request is cancelled (its client left, its deadline
    /// passed), criteria are no longer evaluated and fail with the reason.
    ///
    /// Every criterion's work is bounded: by the size of its inputs for the linear ones, by a
    /// ``WorkBudget`` (checked where the work happens, and reading the request's cancellation)
    /// for `jsonSchema`, `similarity`, `containsAll` and `containsAny`, by ``RegexLimits`` for patterns. A criterion added later
    /// whose work can grow faster than its input takes a budget the same way.
    package func evaluate(_ context: EvaluationContext) -> CriterionResult {
        if let reason = context.cancellation?.reason {
            return CriterionResult(name: name, type: type, passed: false, score: 0, reason: "not evaluated: \(reason)")
        }
        return result(kind.evaluate(context))
    }

    /// The result with the work of `regex`, `isJSON` and `jsonSchema` (their matches and
    /// validation) taken from `budget`, a small one that bounds a whole request scored on an event
    /// loop; the other criteria's work is linear in their inputs. `nil`, deciding nothing, once the
    /// budget has run out, or for criteria that need more than a budget (`similarity`, `llmJudge`):
    /// the caller scores the request again with ``evaluate(_:)``.
    package func evaluate(_ context: EvaluationContext, budget: inout WorkBudget) -> CriterionResult? {
        guard !budget.isExhausted else { return nil }
        let verdict: Verdict?
        switch kind {
        case .regex(let criterion): verdict = criterion.evaluate(context.output, budget: &budget)
        case .isJSON(let criterion), .jsonSchema(let criterion):
            verdict = criterion.evaluate(context.outputDocument, budget: &budget)
        case .similarity, .llmJudge: verdict = nil
        default: return evaluate(context)
        }
        return verdict.map(result)
    }

    private func result(_ verdict: Verdict) -> CriterionResult {
        CriterionResult(name: name, type: type, passed: verdict.passed, score: verdict.score, reason: verdict.reason)
    }
}

/// The compiled, type-specific part of a ``Criterion``.
package enum CriterionKind: Sendable {
    case text(TextCriterion)
    case textList(TextListCriterion)
    case regex(RegexCriterion)
    case isJSON(JSONCriterion)
    case jsonSchema(JSONCriterion)
    case numeric(NumericCriterion)
    case length(LengthCriterion)
    case similarity(SimilarityCriterion)
    case llmJudge(LLMJudgeCriterion)
    case latency(LatencyCriterion)
    case cost(CostCriterion)

    package static func decode(
        _ type: CriterionType, _ fields: JSONFields, regexes: RegexCache?, providers: ProviderOrigin = .localFile
    ) throws(FieldError) -> CriterionKind {
        switch type {
        case .equals, .contains, .notContains, .startsWith, .endsWith:
            return .text(try TextCriterion(type, fields))
        case .containsAll, .containsAny:
            return .textList(try TextListCriterion(type, fields))
        case .regex:
            return .regex(try RegexCriterion(fields, regexes: regexes))
        case .isJSON:
            return .isJSON(try JSONCriterion(fields, schemaRequired: false))
        case .jsonSchema:
            return .jsonSchema(try JSONCriterion(fields, schemaRequired: true))
        case .numeric:
            return .numeric(try NumericCriterion(fields))
        case .length:
            return .length(try LengthCriterion(fields))
        case .similarity:
            return .similarity(try SimilarityCriterion(fields))
        case .llmJudge:
            return .llmJudge(try LLMJudgeCriterion(fields, providers: providers))
        case .latency:
            return .latency(try LatencyCriterion(fields))
        case .cost:
            return .cost(try CostCriterion(fields))
        }
    }

    package var needsReference: Bool {
        if case .similarity = self { return true }
        return false
    }

    package func evaluate(_ context: EvaluationContext) -> Verdict {
        switch self {
        case .text(let criterion): criterion.evaluate(context.output)
        case .textList(let criterion): criterion.evaluate(context.output, cancellation: context.cancellation)
        case .regex(let criterion): criterion.evaluate(context.output)
        case .isJSON(let criterion), .jsonSchema(let criterion):
            criterion.evaluate(context.outputDocument, cancellation: context.cancellation)
        case .numeric(let criterion): criterion.evaluate(context.output)
        case .length(let criterion): criterion.evaluate(context.output)
        case .similarity(let criterion):
            criterion.evaluate(context.output, reference: context.reference, cancellation: context.cancellation)
        case .llmJudge(let criterion): criterion.evaluate(context)
        case .latency(let criterion): criterion.evaluate(context.generation)
        case .cost(let criterion): criterion.evaluate(context.generation)
        }
    }
}
