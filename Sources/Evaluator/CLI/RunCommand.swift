import AssayCore
import AssayHTTP
import AssayRedis
import Evaluation
import Foundation
import Gateway
import Scoring
import Suites

/// `assay-evaluator run suite.yaml`: evaluates a suite on this machine. Without `--redis` the
/// cases go through an in-process queue; with it, through the same Redis stream as the pods, and
/// every process started with the same suite and `--redis` shares the one run.
///
/// Exit codes: 0 the pass rate meets `passThreshold`, 1 it does not (or the run was cancelled, or
/// a target regressed against `--baseline`), 2 invalid input (the message names the file, the
/// field and the line).
struct RunCommand {
    /// How long `run` waits for an unreachable `--redis` before it exits 2: long enough for a Redis
    /// started next to it (a CI service container, a port-forward) to come up, short enough that a
    /// wrong URL is reported while the user still watches. (The number.)
    static let defaultRedisWaitSeconds = 30

    /// Where the process's own name goes when `--consumer` is not given.
    static func defaultConsumer() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    static func parser() -> OptionParser {
        var parser = OptionParser(
            command: "assay-evaluator run",
            summary:
                "Evaluates a suite file; exits 0 when the pass rate meets passThreshold, 1 when not, 2 on invalid input."
        )
        parser.positional("<suite.yaml>")
        parser.option(
            "redis", env: "ASSAY_REDIS_URL",
            help: "redis://host:port: share the run with every process given the same suite and URL")
        parser.option(
            "redis-wait-seconds", env: "ASSAY_REDIS_WAIT_SECONDS", default: String(defaultRedisWaitSeconds),
            help: "How long to wait for an unreachable --redis before exiting 2")
        parser.option(
            "output", env: "ASSAY_RUN_OUTPUT",
            help: "table, json, junit or html (default table); on standard output unless --out is given")
        parser.option("format", env: "ASSAY_RUN_FORMAT", help: "Alias of --output")
        parser.option(
            "out", env: "ASSAY_RUN_OUT",
            help: "Write the report to this file; standard output then gets a one-line summary")
        parser.option(
            "baseline", env: "ASSAY_RUN_BASELINE",
            help: "A JSON report of an earlier run: exit 1 when a target is significantly worse (spec.gate)")
        parser.flag(
            "retry-errors", env: "ASSAY_RETRY_ERRORS",
            help:
                "With --redis: queue the run's errored cases (provider failures, timeouts) again; each ends counted once"
        )
        parser.option(
            "repeats", env: "ASSAY_REPEATS", help: "Evaluate every case this many times (default: the suite's repeats)")
        parser.option(
            "concurrency", env: "ASSAY_CONCURRENCY", help: "In-flight cases (default: the suite's concurrency)")
        parser.option(
            "consumer", env: "ASSAY_CONSUMER",
            help: "This process's name in the run's consumer group (default: host-pid)")
        parser.option(
            "claim-timeout-ms", env: "ASSAY_CLAIM_TIMEOUT_MS",
            default: String(Int(RedisWorkQueue.Configuration.defaultVisibilityTimeout.inMilliseconds)),
            help: "A claim its consumer stopped refreshing (killed, or cut off from Redis) this long is taken over")
        parser.option(
            "result-ttl-seconds", env: "ASSAY_RESULT_TTL_SECONDS",
            default: String(RunPlan.defaultResultTTL.components.seconds), help: "How long results stay in Redis")
        parser.option(
            "generation-timeout-seconds", env: "ASSAY_GENERATION_TIMEOUT_SECONDS",
            default: String(Int(CaseEvaluation.defaultGenerationTimeout.inSeconds)),
            help: "Longest a target's generation may take, retries and fallbacks included")
        parser.option("case-delay-ms", env: "ASSAY_CASE_DELAY_MS", default: "0", help: "Testing: extra time per case")
        parser.option("log-level", env: "ASSAY_LOG_LEVEL", default: "warning", help: "debug, info, warning or error")
        return parser
    }

    static func run(_ arguments: [String]) async -> Int32 {
        let parsed = CommandLineExit.parse(arguments, with: parser())
        guard let values = parsed.values else { return parsed.exit }
        guard values.positionals.count == 1, let path = values.positionals.first else {
            return CommandLineExit.report(
                OptionError.invalidValue(
                    name: "suite", value: values.positionals.joined(separator: " "), expected: "exactly one suite file")
            )
        }
        let level = Logger.Level(name: values.string("log-level") ?? "warning") ?? .warning
        let logger = Logger(label: "assay-evaluator", minimumLevel: level)
        let formatOption = arguments.contains { $0 == "--format" || $0.hasPrefix("--format=") } ? "format" : "output"
        let formatName = values.string(formatOption) ?? values.string("output") ?? values.string("format") ?? "table"
        guard let format = RunReport.Format(rawValue: formatName) else {
            return CommandLineExit.report(
                OptionError.invalidValue(name: formatOption, value: formatName, expected: "table, json, junit or html"))
        }
        let outPath = values.string("out").flatMap { $0.isEmpty ? nil : $0 }
        if let outPath {
            let directory = URL(fileURLWithPath: outPath).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                return CommandLineExit.report(
                    OptionError.invalidValue(name: "out", value: outPath, expected: "a file in an existing directory"))
            }
        }

        var file: SuiteFile
        let baseline: BaselineReport?
        let evaluator: SuiteEvaluator
        let options: RunWorker.Options
        let plan: RunPlan
        let queue: any WorkQueue
        var redisURL: RedisURL?
        let redisWait: Double
        let retryErrors: Bool
        let consumer = values.string("consumer") ?? defaultConsumer()
        do {
            do {
                file = try SuiteFile.load(path: path)
            } catch {
                throw InvalidSuite(message: error.description)
            }
            if let repeats = try values.int("repeats"), repeats != file.suite.spec.repeats {
                guard (1...EvaluationSuiteSpec.maxRepeats).contains(repeats) else {
                    throw OptionError.invalidValue(
                        name: "repeats", value: String(repeats), expected: "1 to \(EvaluationSuiteSpec.maxRepeats)")
                }
                // Another number of repeats is another run: its own id, so a shared --redis never
                // mixes it with the suite's own.
                file.suite.spec.repeats = repeats
                file.runID = RunID("\(file.runID.rawValue)-r\(repeats)") ?? file.runID
            }
            baseline = try values.string("baseline").flatMap { $0.isEmpty ? nil : try readBaseline($0) }
            let generationTimeout = try values.positiveSeconds("generation-timeout-seconds") ?? .seconds(30)
            // A pool is needed to generate outputs, and to call llmJudge criteria's judges.
            let needsGeneration =
                (!file.suite.spec.isOffline && file.dataset.cases.contains { $0.output == nil })
                || file.suite.spec.criteria.contains { $0["type"] == "llmJudge" }
            let pool = needsGeneration ? try makePool(file.suite.spec, logger: logger) : nil
            do {
                evaluator = try SuiteEvaluator(
                    spec: file.suite.spec, pool: pool, generationTimeout: generationTimeout)
            } catch {
                let line = YAMLFieldLocator.line(
                    of: error.path, in: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
                throw InvalidSuite(message: line.map { "\(path):\($0): \(error)" } ?? "\(path): \(error)")
            }
            // Before anything is queued: every provider the run will call has its key and URL.
            let problems = SuitePreflight.problems(
                evaluator, generates: file.dataset.cases.contains { $0.output == nil }, keys: .environment)
            guard problems.isEmpty else { throw PreflightFailed(path: path, problems: problems) }
            let concurrency = try values.int("concurrency", atLeast: 1) ?? file.suite.spec.concurrency
            options = RunWorker.Options(
                concurrency: concurrency, caseDelay: .milliseconds(try values.int("case-delay-ms") ?? 0))
            plan = file.plan(resultTTL: try values.positiveSeconds("result-ttl-seconds") ?? .seconds(604_800))
            redisWait = try values.positiveSeconds("redis-wait-seconds")?.inSeconds ?? Double(defaultRedisWaitSeconds)
            if let text = values.string("redis"), !text.isEmpty {
                let url = try RedisURL(parsing: text)
                redisURL = url
                let claimTimeout =
                    try values.int("claim-timeout-ms", atLeast: 1)
                    ?? Int(RedisWorkQueue.Configuration.defaultVisibilityTimeout.inMilliseconds)
                queue = RedisWorkQueue(
                    redis: RedisClient(url: url),
                    configuration: .init(
                        run: plan.id, consumer: consumer, visibilityTimeout: .milliseconds(claimTimeout)))
            } else {
                queue = LocalWorkQueue()
            }
            retryErrors = try values.bool("retry-errors")
            guard !retryErrors || redisURL != nil else {
                throw OptionError.invalidValue(
                    name: "retry-errors", value: "true", expected: "--redis too: the errored results live in Redis")
            }
        } catch {
            return CommandLineExit.report(error)
        }

        logger.info("run starting", ["run": plan.id.rawValue, "cases": String(plan.cases.count), "consumer": consumer])
        if let failure = await prepare(plan, on: queue, redis: redisURL, wait: redisWait) {
            FileHandle.standardError.write(Data("assay-evaluator: \(failure)\n".utf8))
            return CommandLineExit.invalidInput
        }
        if retryErrors, let redisQueue = queue as? RedisWorkQueue {
            do {
                let queued = try await redisQueue.requeueErrored(plan)
                FileHandle.standardError.write(
                    Data("assay-evaluator: run \(plan.id): \(queued) errored cases queued again\n".utf8))
            } catch let refusal as RequeueRefusal {
                FileHandle.standardError.write(Data("assay-evaluator: --retry-errors refused: \(refusal)\n".utf8))
                return CommandLineExit.invalidInput
            } catch {
                FileHandle.standardError.write(
                    Data("assay-evaluator: cannot queue the errored cases of run \(plan.id) again: \(error)\n".utf8))
                return CommandLineExit.failedGate
            }
        }
        // A status line for the user (and for tests, which wait for it).
        FileHandle.standardError.write(
            Data("assay-evaluator: run \(plan.id): \(queuedText(plan)) queued; consumer \(consumer)\n".utf8))

        let worker = RunWorker(
            queue: queue, evaluator: evaluator, consumer: consumer, options: options, logger: logger,
            outages: OutageLog(redisURL.map { "Redis at \($0)" } ?? "the run's queue", logger: logger))
        let signals = TerminationSignals()
        let progressQueue = queue
        let progress = Task {
            await RunProgress.forStandardOutput().run {
                guard let now = try? await progressQueue.aggregates() else { return nil }
                return (now.recorded, now.total, now.recorded - now.passed)
            }
        }
        let aggregates = await withTaskGroup(of: RunAggregates??.self) { group in
            group.addTask { await worker.run() }
            group.addTask {
                _ = await signals.next()
                return .some(nil)
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? nil
        }
        progress.cancel()
        await progress.value
        guard let aggregates else {
            FileHandle.standardError.write(
                Data("assay-evaluator: run \(plan.id) interrupted before it finished\n".utf8))
            return CommandLineExit.failedGate
        }
        // Every format's intervals and comparisons are computed from the case results.
        let cases: [CaseResult]
        do {
            cases = try await queue.allResults()
        } catch {
            FileHandle.standardError.write(
                Data("assay-evaluator: cannot read the case results of run \(plan.id): \(error)\n".utf8))
            return CommandLineExit.failedGate
        }
        let analysis = RunAnalysis(
            aggregates, cases: cases, clusters: plan.clusters, spec: file.suite.spec, baseline: baseline)
        let output = RunReport.render(format, aggregates, cases: cases, analysis: analysis)
        if let outPath {
            do {
                try Data(output.utf8).write(to: URL(fileURLWithPath: outPath), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("assay-evaluator: cannot write \(outPath): \(error)\n".utf8))
                return CommandLineExit.invalidInput
            }
            FileHandle.standardOutput.write(
                Data(RunReport.summary(aggregates, analysis: analysis, wrote: outPath, format: format).utf8))
        } else {
            FileHandle.standardOutput.write(Data(output.utf8))
        }
        return analysis.verdict.passed ? CommandLineExit.success : CommandLineExit.failedGate
    }

    /// "30 cases", or "30 cases × 3 repeats".
    private static func queuedText(_ plan: RunPlan) -> String {
        plan.repeats > 1 ? "\(plan.cases.count) cases × \(plan.repeats) repeats" : "\(plan.cases.count) cases"
    }

    /// The `--baseline` report; a file that cannot be read or is not a JSON report is invalid input.
    private static func readBaseline(_ path: String) throws -> BaselineReport {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InvalidSuite(message: "\(path): cannot read the baseline: \((error as NSError).localizedDescription)")
        }
        do {
            return try BaselineReport.decode(try JSONParser.parse(Array(data)))
        } catch let error as FieldError {
            throw InvalidSuite(message: "\(path): \(error)")
        } catch {
            throw InvalidSuite(message: "\(path): is not a JSON report of an earlier run: \(error)")
        }
    }

    /// Creates the run, waiting up to `wait` seconds for an unreachable Redis with one line on
    /// standard error; the message when it never answered (naming the URL, its password redacted).
    private static func prepare(_ plan: RunPlan, on queue: any WorkQueue, redis: RedisURL?, wait: Double) async
        -> String?
    {
        let deadline = ContinuousClock.now + .milliseconds(Int64(wait * 1000))
        let seconds = wait == wait.rounded() ? String(Int(wait)) : String(wait)
        var failures = BackoffCounter(RunWorker.Options.queueBackoff)
        var waiting = false
        while true {
            do {
                try await queue.prepare(plan)
                return nil
            } catch {
                let target = redis.map { "Redis at \($0)" } ?? "the run's queue"
                let left = deadline - .now
                guard left > .zero else {
                    return "cannot reach \(target) after \(seconds) s (--redis-wait-seconds): \(error)"
                }
                if !waiting {
                    waiting = true
                    FileHandle.standardError.write(
                        Data("assay-evaluator: waiting up to \(seconds) s for \(target) (\(error))\n".utf8))
                }
                try? await Task.sleep(for: min(left, failures.next(at: .now, random: 0)))
            }
        }
    }

    /// The provider pool of a local run: rate limits per process, the suite's circuit-breaker open time.
    private static func makePool(_ spec: EvaluationSuiteSpec, logger: Logger) throws -> ProviderPool {
        var configuration = ProviderPool.Configuration()
        configuration.circuitOpenDuration = .milliseconds(Int64(spec.circuitBreaker.openSeconds * 1000))
        return ProviderPool(
            configuration: configuration, transport: try CurlHTTPClient(), redis: nil,
            metrics: ProviderMetrics(registry: MetricsRegistry()), logger: logger)
    }
}

/// A suite that failed validation; its message already names the file, field and line.
struct InvalidSuite: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Providers the run would call that cannot be called (no key, bad URL): every one is listed, and
/// nothing is queued.
struct PreflightFailed: Error, CustomStringConvertible {
    var path: String
    var problems: [SuitePreflight.Problem]

    var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return (["\(path): preflight found \(count); no case was queued:"] + problems.map { "  \($0)" })
            .joined(separator: "\n")
    }
}
