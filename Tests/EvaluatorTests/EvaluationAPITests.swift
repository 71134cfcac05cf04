import AssayCore
import AssayHTTP
import Foundation
import TestSupport
import Testing

@testable import Evaluator
@testable import Scoring

/// The evaluation API over real loopback sockets, in-process.
@Suite("Evaluation API")
struct EvaluationAPITests {
    final class RunningApp: Sendable {
        let server: HTTPServer
        let port: Int
        let registry: MetricsRegistry

        init() throws {
            registry = EvaluatorApp.makeRegistry()
            let app = EvaluatorApp(
                service: EvaluationService(registry: registry, maxBatchItems: 10), registry: registry)
            var configuration = HTTPServerConfiguration()
            configuration.port = 0
            configuration.eventLoopCount = 2
            server = HTTPServer(
                configuration: configuration, responder: app.router, observer: HTTPMetrics(registry: registry))
            app.readiness.attach(server)
            port = try server.start()
        }

        func client() throws -> RawHTTPClient { try RawHTTPClient(port: port) }
    }

    static func json(_ response: RawHTTPClient.Response) throws -> JSONValue {
        try JSONParser.parse(response.body)
    }

    @Test("an evaluation scores every criterion and weights the overall score")
    func evaluatesWithWeights() async throws {
        let app = try RunningApp()
        defer { Task { await app.server.shutdown(gracePeriod: .seconds(1)) } }
        let response = try app.client().post(
            "/v1/evaluate",
            json: """
                {"output": "The capital of France is Paris.", "criteria": [
                  {"type": "contains", "value": "Paris", "weight": 3},
                  {"type": "startsWith", "value": "Paris", "name": "leads with the answer"}]}
                """)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let body = try Self.json(response)
        #expect(body["passed"] == false)
        #expect(body["score"] == 0.75)
        let results = try #require(body["results"]?.arrayValue)
        #expect(results.map { $0["criterion"] } == ["contains", "leads with the answer"])
        #expect(results.map { $0["passed"] } == [true, false])
    }

    @Test("a batch answers each item in order with pass and fail counts")
    func batchCountsPassesAndFailures() async throws {
        let app = try RunningApp()
        defer { Task { await app.server.shutdown(gracePeriod: .seconds(1)) } }
        let items = (0..<6).map { i in
            #"{"output": "item \#(i)", "criteria": [{"type": "contains", "value": "\#(i % 2 == 0 ? "item" : "nope")"}]}"#
        }
        let response = try app.client().post(
            "/v1/evaluate/batch", json: #"{"items": [\#(items.joined(separator: ","))]}"#)
        #expect(response.status == 200)
        let body = try Self.json(response)
        #expect(body["passed"] == 3)
        #expect(body["failed"] == 3)
        #expect(body["results"]?.arrayValue?.map { $0["passed"] } == [true, false, true, false, true, false])
    }

    @Test(
        "bad input gets problem+json naming every bad field",
        arguments: [
            (#"{"criteria": [{"type": "contains", "value": "x"}]}"#, 422, ["output"]),
            (#"{"output": 3, "criteria": []}"#, 422, ["output", "criteria"]),
            (#"{"output": "x", "criteria": [{"type": "telepathy"}]}"#, 422, ["criteria[0].type"]),
            (
                #"{"output": "x", "criteria": [{"type": "regex", "pattern": "(unclosed"}]}"#, 422,
                ["criteria[0].pattern"]
            ),
            (
                #"{"output": "x", "criteria": [{"type": "jsonSchema", "schema": {"type": "strin"}}]}"#, 422,
                ["criteria[0].schema.type"]
            ),
            (
                #"{"output": "x", "criteria": [{"type": "similarity", "method": "rougeL", "threshold": 0.5}]}"#, 422,
                ["reference"]
            ),
            (#"{"output": "x", "criteria": [{"type": "contains", "valeu": "x"}]}"#, 422, ["criteria[0].valeu"]),
            (#"{"output": "x", "criteria": {"type": "contains"}}"#, 422, ["criteria"]),
            (#"{"output": "x", "criteria": [{"type": "equals", "value": "x"}], "extra": 1}"#, 422, ["extra"]),
            (#"[1, 2]"#, 422, [""]),
            (#"{"output": "x", "criteria": [{"type": "contains", "value": "x"}"#, 400, []),
            (#"{"output": "\ud800", "criteria": []}"#, 400, []),
        ])
    func badInputNamesFields(body: String, status: Int, paths: [String]) async throws {
        let app = try RunningApp()
        defer { Task { await app.server.shutdown(gracePeriod: .seconds(1)) } }
        let response = try app.client().post("/v1/evaluate", json: body)
        #expect(response.status == status)
        #expect(response.header("Content-Type") == "application/problem+json")
        let problem = try Self.json(response)
        #expect(problem["status"] == .number(Double(status)))
        #expect(problem["title"]?.stringValue?.isEmpty == false)
        #expect(problem["detail"]?.stringValue?.isEmpty == false)
        let reported = problem["errors"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
        for path in paths { #expect(reported.contains(path), "expected an error at \(path), got \(reported)") }
    }

    @Test("a batch over the item limit is refused with the limit named")
    func batchLimit() async throws {
        let app = try RunningApp()
        defer { Task { await app.server.shutdown(gracePeriod: .seconds(1)) } }
        let item = #"{"output": "x", "criteria": [{"type": "contains", "value": "x"}]}"#
        let response = try app.client().post(
            "/v1/evaluate/batch", json: #"{"items": [\#(Array(repeating: item, count: 11).joined(separator: ","))]}"#)
        #expect(response.status == 422)
        #expect(response.text.contains("at most 10"))
    }

    @Test("a non-JSON content type gets 415")
    func unsupportedMediaType() async throws {
        let app = try RunningApp()
        defer { Task { await app.server.shutdown(gracePeriod: .seconds(1)) } }
        let response = try app.client().request(
            "POST", "/v1/evaluate", body: Array("output=x".utf8), headers: ["Content-Type": "text/plain"])
        #expect(response.status == 415)
    }

    @Test("a corpus of malformed bodies gets 4xx answers and the server keeps answering")
    func malformedCorpusDoesNotCrash() async throws {
        let app = try RunningApp()
        defer { Task { await app.server.shutdown(gracePeriod: .seconds(1)) } }
        var corpus: [[UInt8]] = [
            [], Array("{".utf8), Array("}".utf8), Array("null".utf8), Array("\"just a string\"".utf8),
            Array("{\"output\": \"x\", \"criteria\": [".utf8), [0xFF, 0xFE, 0x00, 0x7B],
            Array("{\"output\": \"\u{0}\"}".utf8), Array("{\"output\": 1e999999, \"criteria\": 5}".utf8),
            Array(repeating: UInt8(ascii: "["), count: 100_000),
            Array(("{\"a\":" + String(repeating: "{\"a\":", count: 5000)).utf8),
            Array("{\"output\": \"x\", \"criteria\": [{\"type\": \"regex\", \"pattern\": \"[\"}]}".utf8),
            Array("{\"output\": \"x\", \"criteria\": [{\"type\": \"length\", \"min\": 5, \"max\": 1}]}".utf8),
            Array("{\"output\": \"x\", \"criteria\": [{\"type\": \"numeric\", \"value\": \"ten\"}]}".utf8),
            Array(
                "{\"output\": \"x\", \"criteria\": [{\"type\": \"jsonSchema\", \"schema\": {\"$ref\": \"#/nope\"}}]}"
                    .utf8),
            Array("{\"output\": \"x\", \"criteria\": [null, 1, \"s\", [], {}]}".utf8),
            Array("{\"items\": 5}".utf8),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<30 {
            corpus.append((0..<Int.random(in: 1...256, using: &generator)).map { _ in UInt8.random(in: 0...255) })
        }
        for body in corpus {
            for path in ["/v1/evaluate", "/v1/evaluate/batch"] {
                let response = try app.client().request(
                    "POST", path, body: body, headers: ["Content-Type": "application/json"])
                #expect((400..<500).contains(response.status), "\(path) answered \(response.status)")
                #expect(response.header("Content-Type") == "application/problem+json")
            }
        }
        let health = try app.client().request("GET", "/healthz")
        #expect(health.status == 200)
        let ok = try app.client().post(
            "/v1/evaluate", json: #"{"output": "still here", "criteria": [{"type": "contains", "value": "here"}]}"#)
        #expect(ok.status == 200)
    }

    @Test("/metrics passes promtool check metrics and carries the API's families")
    func metricsPassPromtool() async throws {
        let app = try RunningApp()
        defer { Task { await app.server.shutdown(gracePeriod: .seconds(1)) } }
        let client = try app.client()
        _ = try client.post("/v1/evaluate", json: #"{"output": "x", "criteria": [{"type": "contains", "value": "x"}]}"#)
        _ = try client.post("/v1/evaluate", json: #"{"output": 1}"#)
        _ = try client.request("GET", "/nowhere")
        let metrics = try client.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = metrics.text
        for family in [
            "assay_http_requests_total", "assay_http_request_duration_seconds_bucket", "assay_http_inflight_requests",
            "assay_http_request_body_bytes_bucket", "assay_evaluations_total", "process_cpu_seconds_total",
            "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
            "assay_inline_scoring_total",
        ] {
            #expect(text.contains(family), "missing \(family)")
        }
        #expect(text.contains(#"assay_http_requests_total{route="/v1/evaluate",method="POST",code="200"} 1"#))
        #expect(text.contains(#"assay_http_requests_total{route="/v1/evaluate",method="POST",code="422"} 1"#))
        #expect(text.contains(#"assay_evaluations_total{type="contains",outcome="pass"} 1"#))
        #expect(text.contains(#"assay_inline_scoring_total{outcome="scored"} 1"#))

        let (status, complaints) = try promtoolCheck(metrics.body)
        #expect(status == 0, "promtool: \(complaints)")
        #expect(complaints.isEmpty, "promtool: \(complaints)")
    }

    @Test("readiness turns 503 once shutdown begins while health stays 200")
    func readinessDrains() async throws {
        let app = try RunningApp()
        let client = try app.client()
        #expect(try client.request("GET", "/readyz").status == 200)
        let unattached = Readiness()
        #expect(!unattached.isReady, "a readiness with no server attached is not ready")
        let shutdown = Task { await app.server.shutdown(gracePeriod: .seconds(2)) }
        // The open keep-alive connection is idle, so shutdown closes it; readiness reads the flag.
        let deadline = ContinuousClock.now + .seconds(5)
        while !app.server.isDraining && ContinuousClock.now < deadline { await Task.yield() }
        #expect(app.server.isDraining)
        let router = EvaluatorApp(service: EvaluationService(registry: MetricsRegistry()), registry: MetricsRegistry())
        router.readiness.attach(app.server)
        let ready = await router.router.respond(to: HTTPRequest(method: "GET", target: "/readyz"))
        #expect(ready.status == 503)
        let health = await router.router.respond(to: HTTPRequest(method: "GET", target: "/healthz"))
        #expect(health.status == 200)
        await shutdown.value
    }
}
