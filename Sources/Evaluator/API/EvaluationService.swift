import AssayCore
import AssayHTTP
import Gateway
import Providers
import Scoring

/// Runs evaluation requests: parses the body, decodes and compiles criteria (through a cache),
/// generates the output through a provider chain when the request gives a `target`, scores, and
/// renders the answer or a problem+json naming every bad field.
struct EvaluationService: Sendable {
    /// Most items one batch may carry. A batch of 1,000 items with 1 KB outputs is about 1 MB,
    /// well inside the 8 MiB body limit, and finishes in milliseconds.
    static let defaultMaxBatchItems = 1000
    /// How long generating one output may take in all, retries and fallbacks included: six calls
    /// at the default 5 s provider timeout. (Our choice.)
    static let defaultGenerationTimeout = Duration.seconds(30)

    let cache: CriterionCache
    let maxBatchItems: Int
    /// Where `target` requests get their output; `nil` only if no HTTP client could be made.
    let pool: ProviderPool?
    let generationTimeout: Duration
    /// The judge chain of `llmJudge` criteria that name none (`--judge-providers`).
    let defaultJudge: [ProviderConfig]?
    private let outcomes: EvaluationMetrics

    /// - Parameters:
    ///   - providers: the configured providers requests name (`--providers-file`), and whether
    ///     inline definitions are accepted (`--allow-inline-providers`).
    ///   - pool: the process's provider pool; by default one without Redis (rate limits per
    ///     process) on a new HTTP client, with its metrics in `registry`.
    init(
        registry: MetricsRegistry, providers: ProviderCatalog = ProviderCatalog(), allowInlineProviders: Bool = false,
        maxBatchItems: Int = defaultMaxBatchItems, pool: ProviderPool? = nil,
        generationTimeout: Duration = defaultGenerationTimeout, defaultJudge: [ProviderConfig]? = nil
    ) {
        self.defaultJudge = defaultJudge
        self.cache = CriterionCache(providers: .request(providers, allowInline: allowInlineProviders))
        self.maxBatchItems = maxBatchItems
        self.outcomes = EvaluationMetrics(registry: registry)
        self.generationTimeout = generationTimeout
        if let pool {
            self.pool = pool
        } else if let transport = try? CurlHTTPClient() {
            self.pool = ProviderPool(transport: transport, redis: nil, metrics: ProviderMetrics(registry: registry))
        } else {
            self.pool = nil
        }
        // Listed by GET /v1/providers from the start, before any request uses them.
        for config in providers.providers + (defaultJudge ?? []) { _ = self.pool?.endpoint(for: config) }
    }

    func evaluate(_ request: HTTPRequest) async -> HTTPResponse {
        do {
            let json = try parseBody(request)
            var errors: [FieldError] = []
            guard
                let evaluation = EvaluateRequest.decode(
                    json, at: "", cache: cache, hasDefaultJudge: defaultJudge != nil, errors: &errors)
            else {
                return APIProblem.invalidRequest(errors).response
            }
            return .json(try await run(evaluation))
        } catch {
            return error.response
        }
    }

    func evaluateBatch(_ request: HTTPRequest) async -> HTTPResponse {
        do throws(APIProblem) {
            let json = try parseBody(request)
            let fields = try decodingProblem { () throws(FieldError) in
                let fields = try JSONFields(json, at: "")
                try fields.rejectUnknown(allowed: ["items"])
                return fields
            }
            let items = try decodingProblem { () throws(FieldError) in try fields.required("items", fields.array) }
            guard items.count <= maxBatchItems else {
                throw APIProblem.invalidRequest([
                    FieldError(
                        path: "items",
                        message: "has \(items.count) items; at most \(maxBatchItems) are allowed (--max-batch-items)")
                ])
            }
            var errors: [FieldError] = []
            var decoded: [EvaluateRequest] = []
            decoded.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                if let evaluation = EvaluateRequest.decode(
                    item, at: FieldError.join("items", index), cache: cache, hasDefaultJudge: defaultJudge != nil,
                    errors: &errors)
                {
                    decoded.append(evaluation)
                }
            }
            guard errors.isEmpty else { throw APIProblem.invalidRequest(errors) }

            // An item whose generation fails answers with its problem and counts as failed.
            let answers = await withTaskGroup(of: (Int, JSONValue, Bool).self) { group in
                for (index, evaluation) in decoded.enumerated() {
                    group.addTask {
                        do throws(APIProblem) {
                            let answer = try await run(evaluation)
                            return (index, answer, answer["passed"] == true)
                        } catch {
                            return (index, error.json, false)
                        }
                    }
                }
                var ordered = [(JSONValue, Bool)?](repeating: nil, count: decoded.count)
                for await (index, answer, passed) in group { ordered[index] = (answer, passed) }
                return ordered.compactMap { $0 }
            }
            let passed = answers.count { $0.1 }
            return .json([
                "results": .array(answers.map { $0.0 }),
                "passed": .number(Double(passed)),
                "failed": .number(Double(answers.count - passed)),
            ])
        } catch {
            return error.response
        }
    }

    /// `GET /v1/providers`: the configured providers, then any other this process has used (inline
    /// definitions, a suite's in worker mode), with breaker state, recent failure rate and
    /// rate-limit status; never a key, a key source or an address.
    func providers() -> HTTPResponse {
        let endpoints = pool?.all ?? []
        return .json([
            "rateLimitsShared": .bool(pool?.sharesRateLimits ?? false),
            "providers": .array(endpoints.map(ProviderStatus.json)),
        ])
    }

    /// Generates the output if the request has a target, asks the judges of `llmJudge` criteria,
    /// then scores: the answer's JSON.
    private func run(_ evaluation: EvaluateRequest) async throws(APIProblem) -> JSONValue {
        let deadline = ContinuousClock.now + generationTimeout
        guard let target = evaluation.target else {
            let context = EvaluationContext(
                output: evaluation.output ?? "", input: evaluation.input, reference: evaluation.reference)
            return await score(evaluation, context, deadline: deadline).json
        }
        guard let pool else {
            throw APIProblem(
                status: 503, type: "urn:assay:problem:generation-unavailable", title: "Generation unavailable",
                detail: "this evaluator could not start its HTTP client; send output instead of target")
        }
        let chat = target.chatRequest(input: evaluation.input, reference: evaluation.reference)
        switch await pool.chain(target.providers).generate(chat, deadline: deadline) {
        case .failure(let failure):
            throw APIProblem.generationFailed(failure)
        case .success(let generation):
            var context = EvaluationContext(
                output: generation.output, input: evaluation.input, reference: evaluation.reference)
            context.generation = GenerationFacts(generation)
            // The judges get their own time budget: generation may have used most of the first.
            guard case .object(var answer) = await score(evaluation, context, deadline: .now + generationTimeout).json
            else { return .null }
            answer["generation"] = generation.json
            return .object(answer)
        }
    }

    private func score(_ evaluation: EvaluateRequest, _ context: EvaluationContext, deadline: ContinuousClock.Instant)
        async -> EvaluationOutcome
    {
        var context = context
        if !evaluation.judges.isEmpty {
            context.judgements = await JudgePass.run(
                evaluation.judges, context: context, pool: pool, defaultJudge: defaultJudge, deadline: deadline)
        }
        let outcome = evaluation.scorecard.evaluate(context)
        outcomes.record(outcome)
        return outcome
    }

    private func parseBody(_ request: HTTPRequest) throws(APIProblem) -> JSONValue {
        if let contentType = request.headers["Content-Type"]?.lowercased(),
            !contentType.hasPrefix("application/json"), !contentType.hasSuffix("+json")
        {
            throw APIProblem.unsupportedMediaType(contentType)
        }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw APIProblem.invalidJSON(error)
        }
    }

    private func decodingProblem<T>(_ body: () throws(FieldError) -> T) throws(APIProblem) -> T {
        do { return try body() } catch { throw APIProblem.invalidRequest([error]) }
    }
}

/// `assay_evaluations_total{type,outcome}`: one count per criterion scored. The children for
/// every type and outcome are made once, so the hot path is one atomic add per criterion.
struct EvaluationMetrics: Sendable {
    private let children: [CriterionType: (pass: Counter, fail: Counter)]

    init(registry: MetricsRegistry) {
        let family = registry.counter(
            "assay_evaluations_total", help: "Criteria evaluated, by criterion type and outcome (pass or fail).",
            labels: ["type", "outcome"])
        var children: [CriterionType: (pass: Counter, fail: Counter)] = [:]
        for type in CriterionType.allCases {
            children[type] = (family.labels(type.rawValue, "pass"), family.labels(type.rawValue, "fail"))
        }
        self.children = children
    }

    func record(_ outcome: EvaluationOutcome) {
        for result in outcome.results {
            guard let counters = children[result.type] else { continue }
            (result.passed ? counters.pass : counters.fail).inc()
        }
    }
}
