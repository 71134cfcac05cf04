import AssayCore
import Scoring
import Suites

/// The body of `POST /v1/evaluate` (and of each item of a batch), decoded and validated: every
/// criterion compiled, every problem collected with its path. Carries either the `output` to
/// score or a `target` that generates it.
struct EvaluateRequest: Sendable {
    var output: String?
    var target: TargetSpec?
    var input: String?
    var reference: String?
    var scorecard: Scorecard

    static let fields: Set<String> = ["output", "target", "input", "reference", "criteria"]

    /// Decodes `json` found at `path` ("" for a whole body, "items[3]" in a batch), appending
    /// every problem to `errors`; returns nil when there was any. `criteriaSource`, the bytes of
    /// the `criteria` list as the body spelt them, lets the cache find the whole list at once.
    static func decode(
        _ json: JSONValue, at path: String, cache: CriterionCache, hasDefaultJudge: Bool = false,
        criteriaSource: ArraySlice<UInt8>? = nil, errors: inout [FieldError]
    ) -> EvaluateRequest? {
        guard let fields = JSONFields.collecting(json, at: path, allowed: Self.fields, errors: &errors) else {
            return nil
        }
        let before = errors.count
        var output: String?
        var input: String?
        var reference: String?
        var target: TargetSpec?
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
            target = TargetSpec.decode(
                json, at: fields.path("target"), named: false, providers: cache.providers, errors: &errors)
            let placeholders = target?.placeholders ?? []
            if placeholders.contains("input"), input == nil, !fields.has("input") {
                errors.append(
                    FieldError(path: fields.path("input"), message: "is required by target.prompt ({{input}})"))
            }
            if placeholders.contains("reference"), reference == nil, !fields.has("reference") {
                errors.append(
                    FieldError(path: fields.path("reference"), message: "is required by target.prompt ({{reference}})"))
            }
        case (true, nil):
            break
        }

        var criteria: [Criterion] = []
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
                for (index, criterion) in decodeCriteria(items, fields, cache, criteriaSource, &errors) {
                    // Built only for an error: most requests have none.
                    var itemPath: String { FieldError.join(fields.path("criteria"), index) }
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
                                    message: "is required: this evaluator has no default judge (--judge-providers)"))
                        }
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
                }
            }
        } catch {
            errors.append(error)
        }
        guard errors.count == before, output != nil || target != nil else { return nil }
        return EvaluateRequest(
            output: output, target: target, input: input, reference: reference,
            scorecard: Scorecard(criteria: criteria))
    }

    /// The criteria of `items` that decode, by index: the list cached for `source` when there is
    /// one, else each item decoded (through the per-criterion cache), each problem appended to
    /// `errors`, and a list without problems cached for `source`.
    private static func decodeCriteria(
        _ items: [JSONValue], _ fields: JSONFields, _ cache: CriterionCache, _ source: ArraySlice<UInt8>?,
        _ errors: inout [FieldError]
    ) -> [(Int, Criterion)] {
        if let source, let known = cache.criteria(source: source) { return Array(known.enumerated()) }
        var decoded: [(Int, Criterion)] = []
        decoded.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                decoded.append((index, try cache.criterion(item, at: FieldError.join(fields.path("criteria"), index))))
            } catch {
                errors.append(error)
            }
        }
        if let source, decoded.count == items.count { cache.remember(decoded.map { $0.1 }, source: source) }
        return decoded
    }
}
