import Common
import Scoring

/// Runs evaluation requests: parses the body, decodes and compiles criteria (through a cache),
/// generates the output through a provider chain when the request gives a `target`, scores, and
/// renders the answer or a problem+json naming every bad field.
///
/// The CPU-bound parts (parsing, decoding, scoring) run on a ``BoundedExecutor``, never on the
/// HTTP event loops: a request's first job is shed with 503 when the executor's queue is full,
/// and every job stops at its budgets' next checkpoint once the request is cancelled.
struct EvaluationService: Sendable {
    /// Most items one batch may carry. A batch of 1,000 items with 1 KB outputs is about 1 MB,
    /// well inside the 8 MiB body limit, and finishes in milliseconds.
    static let defaultMaxBatchItems = 1000
    /// How long generating one output may take in all, retries and fallbacks included: six calls
    /// at the default 5 s provider timeout. (Our choice.)
    static let defaultGenerationTimeout = Duration.seconds(30)
    /// The executor of services that are not given one (tests, tools): one thread per core.
    static let defaultExecutor = BoundedExecutor(configuration: .init(label: "scoring"))

    let cache: CriterionCache
    let maxBatchItems: Int
    /// Where `target` requests get their output; `nil` only if no HTTP client could be made.
    let pool: ProviderPool?
    let generationTimeout: Duration
    /// The judge chain of `llmJudge` criteria that name none (`--judge-providers`).
    let defaultJudge: [ProviderConfig]?
    /// Where parsing, decoding and scoring run.
    let executor: BoundedExecutor
    private let outcomes: EvaluationMetrics

    /// - Parameter pool: the process's provider pool; by default one without Redis (rate limits
    ///   per process) on a new HTTP client, with its metrics in `registry`.
    init(
        registry: MetricsRegistry, maxBatchItems: Int = defaultMaxBatchItems, cache: CriterionCache = CriterionCache(),
        pool: ProviderPool? = nil, generationTimeout: Duration = defaultGenerationTimeout,
        defaultJudge: [ProviderConfig]? = nil, executor: BoundedExecutor = defaultExecutor
    ) {
        self.defaultJudge = defaultJudge
        self.cache = cache
        self.maxBatchItems = maxBatchItems
        self.outcomes = EvaluationMetrics(registry: registry)
        self.generationTimeout = generationTimeout
        self.executor = executor
        if let pool {
            self.pool = pool
        } else if let transport = try? CurlHTTPClient() {
            self.pool = ProviderPool(transport: transport, redis: nil, metrics: ProviderMetrics(registry: registry))
        } else {
            self.pool = nil
        }
        // Listed by GET /v1/providers from the start, before any request needs the judge.
        for config in defaultJudge ?? [] { _ = self.pool?.endpoint(for: config) }
    }

    /// What a request's first job leaves to do.
    private enum Prepared: Sendable {
        /// Scored already (no generation, no judges).
        case answered(JSONValue)
        /// Needs providers (a target or judges) before it can be scored.
        case pending(EvaluateRequest)
    }

    func evaluate(_ request: HTTPRequest) async -> HTTPResponse {
        let cancellation = request.cancellation
        do throws(APIProblem) {
            let prepared = try await work(.new, cancellation) { () throws(APIProblem) -> Prepared in
                let json = try parseBody(request)
                var errors: [FieldError] = []
                guard
                    let evaluation = EvaluateRequest.decode(
                        json, at: "", cache: cache, hasDefaultJudge: defaultJudge != nil, errors: &errors)
                else { throw APIProblem.invalidRequest(errors) }
                return prepare(evaluation, cancellation)
            }
            switch prepared {
            case .answered(let answer): return .json(answer)
            case .pending(let evaluation): return .json(try await run(evaluation, cancellation))
            }
        } catch {
            return error.response
        }
    }

    func evaluateBatch(_ request: HTTPRequest) async -> HTTPResponse {
        let cancellation = request.cancellation
        do throws(APIProblem) {
            let prepared = try await work(.new, cancellation) { () throws(APIProblem) -> [Prepared] in
                try decodeBatch(try parseBody(request)).map { prepare($0, cancellation) }
            }
            // An item whose generation fails answers with its problem and counts as failed.
            let answers = await withTaskGroup(of: (Int, JSONValue, Bool).self) { group in
                var ordered = [(JSONValue, Bool)?](repeating: nil, count: prepared.count)
                for (index, item) in prepared.enumerated() {
                    switch item {
                    case .answered(let answer): ordered[index] = (answer, answer["passed"] == true)
                    case .pending(let evaluation):
                        group.addTask {
                            do throws(APIProblem) {
                                let answer = try await run(evaluation, cancellation)
                                return (index, answer, answer["passed"] == true)
                            } catch {
                                return (index, error.json, false)
                            }
                        }
                    }
                }
                for await (index, answer, passed) in group { ordered[index] = (answer, passed) }
                return ordered.compactMap { $0 }
            }
            if let cancellation, cancellation.isCancelled { throw APIProblem.stopped(cancellation.reason) }
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

    private func decodeBatch(_ json: JSONValue) throws(APIProblem) -> [EvaluateRequest] {
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
        return decoded
    }

    /// `GET /v1/providers`: every provider this process has used, with its breaker state, recent
    /// failure rate and rate-limit status.
    func providers() -> HTTPResponse {
        let endpoints = pool?.all ?? []
        return .json([
            "rateLimitsShared": .bool(pool?.sharesRateLimits ?? false),
            "providers": .array(endpoints.map(ProviderStatus.json)),
        ])
    }

    /// Scores an evaluation at once when it needs no provider; on the executor's thread.
    private func prepare(_ evaluation: EvaluateRequest, _ cancellation: WorkCancellation?) -> Prepared {
        guard evaluation.target == nil, evaluation.judges.isEmpty else { return .pending(evaluation) }
        var context = EvaluationContext(
            output: evaluation.output ?? "", input: evaluation.input, reference: evaluation.reference)
        context.cancellation = cancellation
        return .answered(score(evaluation, context).json)
    }

    /// Generates the output if the request has a target, asks the judges of `llmJudge` criteria,
    /// then scores on the executor: the answer's JSON.
    private func run(_ evaluation: EvaluateRequest, _ cancellation: WorkCancellation?) async throws(APIProblem)
        -> JSONValue
    {
        var context = EvaluationContext(
            output: evaluation.output ?? "", input: evaluation.input, reference: evaluation.reference)
        context.cancellation = cancellation
        var generation: Generation?
        if let target = evaluation.target {
            guard let pool else {
                throw APIProblem(
                    status: 503, type: "urn:assay:problem:generation-unavailable", title: "Generation unavailable",
                    detail: "this evaluator could not start its HTTP client; send output instead of target")
            }
            let chat = target.chatRequest(input: evaluation.input, reference: evaluation.reference)
            switch await pool.chain(target.providers).generate(chat, deadline: deadline(cancellation)) {
            case .failure(let failure):
                if let cancellation, cancellation.isCancelled { throw APIProblem.stopped(cancellation.reason) }
                throw APIProblem.generationFailed(failure)
            case .success(let generated):
                context.output = generated.output
                context.generation = GenerationFacts(generated)
                generation = generated
            }
        }
        if !evaluation.judges.isEmpty {
            // The judges get their own time budget: generation may have used most of the first.
            context.judgements = await JudgePass.run(
                evaluation.judges, context: context, pool: pool, defaultJudge: defaultJudge,
                deadline: deadline(cancellation))
        }
        let scored = context
        let outcome = try await work(.admitted, cancellation) { () throws(APIProblem) in score(evaluation, scored) }
        guard case .object(var answer) = outcome.json else { return .null }
        if let generation { answer["generation"] = generation.json }
        return .object(answer)
    }

    /// A generation's deadline: the generation timeout from now, or the request's deadline if sooner.
    private func deadline(_ cancellation: WorkCancellation?) -> ContinuousClock.Instant {
        let own = ContinuousClock.now + generationTimeout
        guard let requestDeadline = cancellation?.deadline else { return own }
        return min(own, requestDeadline)
    }

    /// Scores synchronously (on an executor thread) and counts the outcome.
    private func score(_ evaluation: EvaluateRequest, _ context: EvaluationContext) -> EvaluationOutcome {
        let outcome = evaluation.scorecard.evaluate(context)
        outcomes.record(outcome)
        return outcome
    }

    /// Runs `body` on the executor; a full queue, a cancelled request, or a stopped executor, and
    /// a request cancelled while `body` ran, become the problem the client is owed.
    private func work<T: Sendable>(
        _ admission: BoundedExecutor.Admission, _ cancellation: WorkCancellation?,
        _ body: @escaping @Sendable () throws(APIProblem) -> T
    ) async throws(APIProblem) -> T {
        let result: Result<T, APIProblem>
        do {
            result = try await executor.run(admission, cancellation: cancellation) { () -> Result<T, APIProblem> in
                do throws(APIProblem) { return .success(try body()) } catch { return .failure(error) }
            }
        } catch .overloaded(let queued, let retryAfter) {
            throw APIProblem.overloaded(
                queued: queued, threads: executor.configuration.threads, retryAfter: retryAfter)
        } catch .cancelled(let reason) {
            throw APIProblem.stopped(reason)
        } catch {
            throw APIProblem.stopped(.shutdown)
        }
        if let cancellation, cancellation.isCancelled { throw APIProblem.stopped(cancellation.reason) }
        return try result.get()
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
