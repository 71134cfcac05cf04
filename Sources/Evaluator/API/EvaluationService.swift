import AssayCore
import AssayHTTP
import Evaluation
import Gateway
import Providers
import Scoring
import Suites

/// Runs evaluation requests: parses the body, decodes and compiles criteria (through a cache),
/// generates the output through a provider chain when the request gives a `target`, scores, and
/// renders the answer or a problem+json naming every bad field.
///
/// The CPU-bound parts (parsing, decoding, scoring) run on a ``BoundedExecutor``, not on the
/// HTTP event loops (but for small requests of linear criteria, which cost less than the hop:
/// ``InlineScoring``): a request's first job is shed with 503 when the executor's queue is full,
/// scoring goes in slices (``ScoringRun``) so long requests take turns with short ones, and every
/// job stops at its budgets' next checkpoint once the request is cancelled.
struct EvaluationService: Sendable {
    /// Most items one batch may carry. A batch of 1,000 items with 1 KB outputs is about 1 MB,
    /// well inside the 8 MiB body limit, and finishes in milliseconds.
    static let defaultMaxBatchItems = 1000
    /// Room reserved for an answer: a few criteria's results fit without regrowing the buffer.
    static let answerCapacity = 1024
    /// The executor of services that are not given one (tests, tools): one thread per core.
    static let defaultExecutor = BoundedExecutor(configuration: .init(label: "scoring"))

    let cache: CriterionCache
    let maxBatchItems: Int
    /// Generation, judges and scoring of each evaluation (the pipeline the suite worker runs too).
    let evaluation: CaseEvaluation
    /// Where parsing, decoding and scoring run.
    let executor: BoundedExecutor
    /// Outcomes of every criterion scored, and of inline scoring (internal for tests).
    let outcomes: EvaluationMetrics

    /// Where `target` requests get their output; `nil` only if no HTTP client could be made.
    var pool: ProviderPool? { evaluation.pool }
    /// The judge chain of `llmJudge` criteria that name none (`--judge-providers`).
    var defaultJudge: [ProviderConfig]? { evaluation.defaultJudge }

    /// - Parameters:
    ///   - providers: the configured providers requests name (`--providers-file`), and whether
    ///     inline definitions are accepted (`--allow-inline-providers`).
    ///   - pool: the process's provider pool; by default one without Redis (rate limits per
    ///     process) on a new HTTP client, with its metrics in `registry`.
    init(
        registry: MetricsRegistry, providers: ProviderCatalog = ProviderCatalog(), allowInlineProviders: Bool = false,
        maxBatchItems: Int = defaultMaxBatchItems, pool: ProviderPool? = nil,
        generationTimeout: Duration = CaseEvaluation.defaultGenerationTimeout, defaultJudge: [ProviderConfig]? = nil,
        executor: BoundedExecutor = defaultExecutor
    ) {
        self.cache = CriterionCache(providers: .request(providers, allowInline: allowInlineProviders))
        self.maxBatchItems = maxBatchItems
        self.outcomes = EvaluationMetrics(registry: registry)
        self.executor = executor
        var chosen = pool
        if chosen == nil, let transport = try? CurlHTTPClient() {
            chosen = ProviderPool(transport: transport, redis: nil, metrics: ProviderMetrics(registry: registry))
        }
        evaluation = CaseEvaluation(pool: chosen, defaultJudge: defaultJudge, generationTimeout: generationTimeout)
        // Listed by GET /v1/providers from the start, before any request uses them.
        for config in providers.providers + (defaultJudge ?? []) { _ = chosen?.endpoint(for: config) }
    }

    /// What a request's first job leaves to do: the scoring of the evaluations that need no
    /// provider (started, perhaps finished, in that job) and those that need one (a target or
    /// judges), by their index in the request.
    private struct Prepared: Sendable {
        var scoring: ScoringRun
        var scored: [Int] = []
        var pending: [(Int, EvaluateRequest)] = []
    }

    func evaluate(_ request: HTTPRequest) async -> HTTPResponse {
        let cancellation = request.cancellation
        do throws(APIProblem) {
            let prepared: Prepared
            switch try inline(request, cancellation) {
            case .prepared(let done):
                prepared = done
            case .decoded(let decoded):
                prepared = try await work(.new, cancellation) { () throws(APIProblem) -> Prepared in
                    var prepared = decoded
                    prepared.scoring.advance(until: .now + ScoringRun.slice)
                    return prepared
                }
            case .parsed(let body):
                prepared = try await work(.new, cancellation) { () throws(APIProblem) -> Prepared in
                    try prepareOne(body, cancellation)
                }
            case .notTried:
                prepared = try await work(.new, cancellation) { () throws(APIProblem) -> Prepared in
                    try prepareOne(try parseEvaluateBody(request), cancellation)
                }
            }
            if let (_, evaluation) = prepared.pending.first {
                return .json(try await run(evaluation, cancellation))
            }
            // Scored already (inline, or within the first job's slice): no further suspension point.
            let outcome =
                prepared.scoring.isFinished
                ? recorded(prepared.scoring)[0] : try await finish(prepared.scoring, cancellation)[0]
            var body: [UInt8] = []
            body.reserveCapacity(Self.answerCapacity)
            outcome.write(into: &body)
            return .json(body: body)
        } catch {
            return error.response
        }
    }

    private enum InlineAttempt {
        /// Parsed, decoded and scored here (see ``InlineScoring``).
        case prepared(Prepared)
        /// Decoded here, but its inline budget ran out: scored from scratch on the executor.
        case decoded(Prepared)
        /// Small enough to parse here, but a criterion needs the executor.
        case parsed(ParsedBody)
        case notTried
    }

    /// A small request, prepared on the calling thread (the event loop) when the executor would
    /// admit it, its criteria scored under one ``InlineScoring/budgetSteps`` budget; a full
    /// executor sheds it as before, and a request whose budget runs out is scored again, from
    /// scratch and under the ordinary limits, on the executor (nothing was counted yet).
    private func inline(_ request: HTTPRequest, _ cancellation: WorkCancellation?) throws(APIProblem) -> InlineAttempt {
        guard InlineScoring.mayQualify(request.body), executor.admitsNew else { return .notTried }
        if let reason = cancellation?.reason { throw APIProblem.stopped(reason) }
        let body = try parseEvaluateBody(request)
        guard InlineScoring.qualifies(body.json) else { return .parsed(body) }
        var prepared = try decodeOne(body, cancellation)
        var budget = WorkBudget(steps: InlineScoring.budgetSteps, cancellation: cancellation)
        guard prepared.pending.isEmpty, prepared.scoring.score(within: &budget) else {
            outcomes.inlineHandedOver.inc()
            return .decoded(prepared)
        }
        if let reason = cancellation?.reason { throw APIProblem.stopped(reason) }
        outcomes.inlineScored.inc()
        return .prepared(prepared)
    }

    /// Decodes one evaluation and starts its scoring.
    private func prepareOne(_ body: ParsedBody, _ cancellation: WorkCancellation?) throws(APIProblem) -> Prepared {
        var prepared = try decodeOne(body, cancellation)
        prepared.scoring.advance(until: .now + ScoringRun.slice)
        return prepared
    }

    /// Decodes one evaluation, not yet scored.
    private func decodeOne(_ body: ParsedBody, _ cancellation: WorkCancellation?) throws(APIProblem) -> Prepared {
        var errors: [FieldError] = []
        guard
            let evaluation = EvaluateRequest.decode(
                body.json, at: "", cache: cache, hasDefaultJudge: defaultJudge != nil,
                criteriaSource: body.criteriaSource, errors: &errors)
        else { throw APIProblem.invalidRequest(errors) }
        return sort([evaluation], cancellation)
    }

    func evaluateBatch(_ request: HTTPRequest) async -> HTTPResponse {
        let cancellation = request.cancellation
        do throws(APIProblem) {
            let prepared = try await work(.new, cancellation) { () throws(APIProblem) -> Prepared in
                prepare(try decodeBatch(try parseBody(request)), cancellation)
            }
            // An item whose generation fails answers with its problem and counts as failed; a
            // cancelled or overloaded scoring answers for the whole batch.
            typealias Answers = Result<[(Int, JSONValue, Bool)], APIProblem>
            let collected = await withTaskGroup(of: Answers.self) { group in
                let count = prepared.scored.count + prepared.pending.count
                var ordered = [(JSONValue, Bool)?](repeating: nil, count: count)
                group.addTask {
                    do throws(APIProblem) {
                        let outcomes = try await finish(prepared.scoring, cancellation)
                        return .success(zip(prepared.scored, outcomes).map { ($0, $1.json, $1.passed) })
                    } catch {
                        return .failure(error)
                    }
                }
                for (index, evaluation) in prepared.pending {
                    group.addTask {
                        do throws(APIProblem) {
                            let answer = try await run(evaluation, cancellation)
                            return .success([(index, answer, answer["passed"] == true)])
                        } catch {
                            return .success([(index, error.json, false)])
                        }
                    }
                }
                var failure: APIProblem?
                for await answers in group {
                    switch answers {
                    case .success(let answers):
                        for (index, answer, passed) in answers { ordered[index] = (answer, passed) }
                    case .failure(let problem): failure = problem
                    }
                }
                return failure.map { Result.failure($0) } ?? .success(ordered.compactMap { $0 })
            }
            let answers = try collected.get()
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

    /// Sorts decoded evaluations into those scored at once and those that need providers, and
    /// starts scoring the first for one slice; on the executor's thread.
    private func prepare(_ evaluations: [EvaluateRequest], _ cancellation: WorkCancellation?) -> Prepared {
        var prepared = sort(evaluations, cancellation)
        prepared.scoring.advance(until: .now + ScoringRun.slice)
        return prepared
    }

    /// Sorts decoded evaluations into those scored at once and those that need providers.
    private func sort(_ evaluations: [EvaluateRequest], _ cancellation: WorkCancellation?) -> Prepared {
        var immediate: [(Scorecard, EvaluationContext)] = []
        var prepared = Prepared(scoring: ScoringRun([]))
        for (index, evaluation) in evaluations.enumerated() {
            guard evaluation.target == nil, evaluation.scorecard.judges.isEmpty else {
                prepared.pending.append((index, evaluation))
                continue
            }
            var context = EvaluationContext(
                output: evaluation.output ?? "", input: evaluation.input, reference: evaluation.reference)
            context.cancellation = cancellation
            immediate.append((evaluation.scorecard, context))
            prepared.scored.append(index)
        }
        prepared.scoring = ScoringRun(immediate)
        return prepared
    }

    /// Scores what is left of `run`, one slice per job, and counts the outcomes.
    private func finish(_ run: ScoringRun, _ cancellation: WorkCancellation?) async throws(APIProblem)
        -> [EvaluationOutcome]
    {
        if run.isFinished { return recorded(run) }
        var run = run
        while !run.isFinished {
            let current = run
            run = try await work(.admitted, cancellation) { () throws(APIProblem) -> ScoringRun in
                var next = current
                next.advance(until: .now + ScoringRun.slice)
                return next
            }
        }
        return recorded(run)
    }

    /// A finished run's outcomes, counted.
    private func recorded(_ run: ScoringRun) -> [EvaluationOutcome] {
        let outcomes = run.outcomes
        for outcome in outcomes { self.outcomes.record(outcome) }
        return outcomes
    }

    /// Runs an evaluation that needs providers (a target, or judges) through the pipeline, scoring
    /// on the executor: the answer's JSON.
    private func run(_ request: EvaluateRequest, _ cancellation: WorkCancellation?) async throws(APIProblem)
        -> JSONValue
    {
        let subject: CaseEvaluation.Subject = request.target.map { .target($0) } ?? .output(request.output ?? "")
        let outcome = try await evaluation.evaluate(
            subject, inputs: .init(input: request.input, reference: request.reference), scorecard: request.scorecard,
            cancellation: cancellation
        ) { (scorecard, context) throws(APIProblem) in
            try await finish(ScoringRun([(scorecard, context)]), cancellation)[0]
        }
        switch outcome {
        case .generationUnavailable:
            throw APIProblem(
                status: 503, type: "urn:assay:problem:generation-unavailable", title: "Generation unavailable",
                detail: "this evaluator could not start its HTTP client; send output instead of target")
        case .generationFailed(let failure):
            if let cancellation, cancellation.isCancelled { throw APIProblem.stopped(cancellation.reason) }
            throw APIProblem.generationFailed(failure)
        case .scored(let scored, _, let generation):
            guard case .object(var answer) = scored.json else { return .null }
            if let generation { answer["generation"] = generation.json }
            return .object(answer)
        }
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
        try parseBody(request, spanOfMember: nil).json
    }

    /// An evaluate body, parsed, and where its `criteria` list lies in it.
    struct ParsedBody: Sendable {
        var json: JSONValue
        /// The list's bytes in the body, the key of ``CriterionCache/criteria(source:)``.
        var criteriaSource: ArraySlice<UInt8>?
    }

    private func parseEvaluateBody(_ request: HTTPRequest) throws(APIProblem) -> ParsedBody {
        try parseBody(request, spanOfMember: "criteria")
    }

    private func parseBody(_ request: HTTPRequest, spanOfMember name: String?) throws(APIProblem) -> ParsedBody {
        if let contentType = request.headers["Content-Type"]?.lowercased(),
            !contentType.hasPrefix("application/json"), !contentType.hasSuffix("+json")
        {
            throw APIProblem.unsupportedMediaType(contentType)
        }
        do {
            let (json, span) = try JSONParser.parse(request.body, spanOfMember: name)
            return ParsedBody(json: json, criteriaSource: span.map { request.body[$0] })
        } catch {
            throw APIProblem.invalidJSON(error)
        }
    }

    private func decodingProblem<T>(_ body: () throws(FieldError) -> T) throws(APIProblem) -> T {
        do { return try body() } catch { throw APIProblem.invalidRequest([error]) }
    }
}
