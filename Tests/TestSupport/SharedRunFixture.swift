import AssayRedis
import Foundation
import Suites

/// A suite run shared through a throwaway redis-server by `assay-evaluator run --redis`
/// processes: the suite file on disk, a client, and a queue reading the run (as consumer `test`).
/// `stop()` kills the server; the tests' `defer` calls it.
public final class SharedRunFixture: Sendable {
    public let redis: RedisServer
    /// The suite file's path, as the evaluators are given it.
    public let path: String
    public let file: SuiteFile
    public let queue: RedisWorkQueue
    /// The queue's client.
    public let client: RedisClient

    /// Options for evaluators that share a run and may be killed: 4 cases in flight each, ~10 ms
    /// a case, and a short claim timeout so that a dead consumer's cases are taken over quickly.
    public static let killableOptions = ["--concurrency", "4", "--case-delay-ms", "10", "--claim-timeout-ms", "500"]

    /// Suite `name` of `count` cases whose outputs are given (`answer <n>`, so no provider is
    /// called), with `criteria` and any further spec lines (`extraSpec`, YAML indented by two spaces).
    /// `wrongEvery` makes every such case's output `wrong`, and gives the cases inputs.
    public static func start(
        _ name: String, count: Int, wrongEvery: Int? = nil, criteria: String = "[{type: contains, value: answer}]",
        extraSpec: String = ""
    ) async throws -> SharedRunFixture {
        let cases = (0..<count).map { index in
            guard let wrongEvery else { return "{\"id\": \"case-\(index)\", \"output\": \"answer \(index)\"}" }
            let output = index % wrongEvery == 0 ? "wrong" : "answer \(index)"
            return "{\"id\": \"case-\(index)\", \"input\": \"q\(index)\", \"output\": \"\(output)\"}"
        }
        let spec = """
              targets:
              - name: given
                prompt: "{{input}}"
                providers: [{type: openai, model: m}]
              dataset: {file: cases.jsonl}
              criteria: \(criteria)

            """
        return try await start(suitePath: try suiteFile(name, spec: spec + extraSpec, cases: cases))
    }

    /// The run of the suite file at `suitePath`, on a redis-server of its own.
    public static func start(suitePath: String) async throws -> SharedRunFixture {
        let redis = try await RedisServer.start()
        do {
            return try SharedRunFixture(redis: redis, path: suitePath)
        } catch {
            redis.kill()
            throw error
        }
    }

    private init(redis: RedisServer, path: String) throws {
        self.redis = redis
        self.path = path
        file = try SuiteFile.load(path: path)
        client = RedisClient(url: try RedisURL(parsing: redis.urlString))
        queue = RedisWorkQueue(redis: client, configuration: .init(run: file.runID, consumer: "test"))
    }

    /// A suite file `name` whose spec is `spec` (YAML, indented by two spaces) over a dataset file of
    /// `cases` (JSON lines), in a directory of its own; returns the suite file's path.
    public static func suiteFile(_ name: String, spec: String, cases: [String]) throws -> String {
        let directory = try TemporaryDirectory(prefix: "assay-run")
        let header = "apiVersion: eval.assay.dev/v1alpha1\nkind: EvaluationSuite\nmetadata: {name: \(name)}\nspec:\n"
        try directory.write("cases.jsonl", cases.joined(separator: "\n"))
        return try directory.write("suite.yaml", header + spec)
    }

    /// `assay-evaluator run <suite> --redis ... --consumer <name> --format json`, with `options`.
    public func evaluator(_ name: String, _ options: [String]) throws -> ChildProcess {
        try ChildProcess(
            built: BuiltExecutable.evaluator,
            arguments: ["run", path, "--redis", redis.urlString, "--consumer", name, "--format", "json"] + options)
    }

    /// `count` evaluators named `evaluator-1`... with ``killableOptions``.
    public func killableEvaluators(_ count: Int) throws -> [ChildProcess] {
        try (1...count).map { try evaluator("evaluator-\($0)", Self.killableOptions) }
    }

    /// Results recorded so far.
    public func recorded() async throws -> Int64 {
        try await client.send(["HLEN", queue.keys.recorded]).integer ?? 0
    }

    public func stop() { redis.kill() }
}
