import AssayCore
import Scoring

/// The body of `POST /v1/evaluate` (and of each item of a batch), decoded and validated: every
/// criterion compiled, every problem collected with its path. Carries either the `output` to
/// score or a `target` that generates it.
struct EvaluateRequest: Sendable {
    var output: String?
    var target: GenerationTarget?
    var input: String?
    var reference: String?
    var scorecard: Scorecard
    /// The `llmJudge` criteria, whose judges are asked before scoring.
    var judges: [LLMJudgeCriterion] = []

    static let fields: Set<String> = ["output", "target", "input", "reference", "criteria"]

    /// Decodes `json` found at `path` ("" for a whole body, "items[3]" in a batch), appending
    /// every problem to `errors`; returns nil when there was any.
    static func decode(
        _ json: JSONValue, at path: String, cache: CriterionCache, hasDefaultJudge: Bool = false,
        errors: inout [FieldError]
    ) -> EvaluateRequest? {
        guard let fields = JSONFields.collecting(json, at: path, allowed: Self.fields, errors: &errors) else {
            return nil
        }
        let before = errors.count
        var output: String?
        var input: String?
        var reference: String?
        var target: GenerationTarget?
        do { output = try fields.string("output") } catch { errors.append(error) }
        do { input = try fields.string("input") } catch { errors.append(error) }
        do { reference = try fields.string("reference") } catch { errors.append(error) }
        switch (fields.has("output"), fields.value("target")) {
        case (true, .some):
            errors.append(
                FieldError(
                    path: fields.path("target"),
                    message: "give either output (to score it) or target (to generate it), not both"))
        case (false, nil):
            errors.append(
                FieldError(
                    path: fields.path("output"),
                    message: "is required unless target is given (output to score, or target to generate it)"))
        case (false, .some(let json)):
            target = GenerationTarget.decode(
                json, at: fields.path("target"), origin: cache.providers, errors: &errors)
            if let target, target.usesInput, input == nil, !fields.has("input") {
                errors.append(
                    FieldError(path: fields.path("input"), message: "is required by target.prompt ({{input}})"))
            }
            if let target, target.usesReference, reference == nil, !fields.has("reference") {
                errors.append(
                    FieldError(path: fields.path("reference"), message: "is required by target.prompt ({{reference}})"))
            }
        case (true, nil):
            break
        }

        var criteria: [Criterion] = []
        var judges: [LLMJudgeCriterion] = []
        do {
            let items = try fields.required("criteria", fields.array)
            if items.isEmpty {
                errors.append(FieldError(path: fields.path("criteria"), message: "must list at least one criterion"))
            } else if items.count > Scorecard.maxCriteria {
                errors.append(
                    FieldError(
                        path: fields.path("criteria"),
                        message: "has \(items.count) criteria; at most \(Scorecard.maxCriteria) are allowed per request"
                    ))
            } else {
                for (index, item) in items.enumerated() {
                    let itemPath = FieldError.join(fields.path("criteria"), index)
                    do {
                        let criterion = try cache.criterion(item, at: itemPath)
                        if criterion.needsReference && reference == nil && !fields.has("reference") {
                            errors.append(
                                FieldError(
                                    path: fields.path("reference"),
                                    message: "is required by \(itemPath) (\(criterion.type.rawValue))"))
                        }
                        switch criterion.kind {
                        case .llmJudge(let judge):
                            if judge.judge == nil && !hasDefaultJudge {
                                errors.append(
                                    FieldError(
                                        path: FieldError.join(itemPath, "judge"),
                                        message:
                                            "is required: this evaluator has no default judge (--judge-providers)"))
                            }
                            judges.append(judge)
                        case .latency, .cost:
                            if !fields.has("target") {
                                errors.append(
                                    FieldError(
                                        path: itemPath,
                                        message:
                                            "\(criterion.type.rawValue) needs a target: only an output the evaluator generated has a latency and a token count"
                                    ))
                            }
                        default:
                            break
                        }
                        criteria.append(criterion)
                    } catch {
                        errors.append(error)
                    }
                }
            }
        } catch {
            errors.append(error)
        }
        guard errors.count == before, output != nil || target != nil else { return nil }
        return EvaluateRequest(
            output: output, target: target, input: input, reference: reference,
            scorecard: Scorecard(criteria: criteria), judges: judges)
    }
}
