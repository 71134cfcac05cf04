import AssayCore
import AssayKube
import Foundation
import Suites
import TestSupport
import Testing

/// The operator as users meet it: `kubectl apply` a suite and watch it run on evaluator processes,
/// scale, survive a dead operator, change, fail validation and go away.
@Suite(
    "The operator end to end: kubectl, the operator, Redis and evaluator processes", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct OperatorEndToEndTests {
    static let validator = Repository.path(".venv/bin/kubernetes-validate")

    @Test(
        "kubectl apply runs a suite on evaluator processes to Succeeded, counts equal to the dataset",
        arguments: KubeBackend.available)
    func runsToSucceeded(backend: KubeBackend) async throws {
        // Slow enough that the autoscaler, removed when the run ends, is seen first.
        try await OperatorFixture.with(backend: backend, podEnvironment: ["ASSAY_CASE_DELAY_MS": "100"]) { fixture in
            let applied = try fixture.apply(fixture.suiteYAML("greetings", cases: 30))
            #expect(applied.status == 0, "\(applied.combined)")
            let children = "greetings-evaluators"
            var created: [KubeObject] = []
            try await eventually("the operator creates the children") {
                created = []
                for kind in [ResourceKind.deployment, .service, .horizontalPodAutoscaler] {
                    guard let object = try? await fixture.client.get(kind, name: children, namespace: "default")
                    else { return false }
                    created.append(object)
                }
                return true
            }
            try validate(created, in: fixture)

            // What a CI job on a cluster does: block until the run passed its gate.
            let waited = try fixture.kubectl([
                "wait", "evaluationsuite/greetings", "--for=condition=Ready", "--timeout=60s",
            ])
            #expect(waited.output.contains("condition met"), "\(waited.combined)")
            let status = try await fixture.waitForPhase("greetings", "Succeeded")
            #expect(OperatorFixture.int(status["progress"]?["total"]) == 30)
            #expect(OperatorFixture.int(status["progress"]?["completed"]) == 30)
            #expect(OperatorFixture.int(status["progress"]?["passed"]) == 30)
            #expect(status["passRate"] == 1)
            #expect(status["observedGeneration"] == 1)
            #expect(status["completionTime"]?.stringValue != nil)
            #expect(status["targets"]?.arrayValue?.first?["name"] == "echo")
            #expect(status["criteria"]?.arrayValue?.count == 2)
            let ready = status["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            #expect(ready?["status"] == "True")
            #expect(ready?["reason"] == "RunSucceeded")
            let run = try #require(status["runID"]?.stringValue)
            let uid = try #require(try await fixture.suite("greetings").uid)
            #expect(run == "\(uid)-g1")
            #expect(status["resultsURL"]?.stringValue?.hasSuffix("/v1/runs/\(run)/results") == true)

            // Every case has exactly one result.
            let ids = try await fixture.recordedCaseIDs(run: run)
            #expect(ids.count == 30)
            #expect(Set(ids).count == 30)
            // The operator serves the results after the evaluators are gone.
            let results = try await fixture.operators[0].get(
                "/v1/runs/\(run)/results?limit=5", token: EmulatorProcess.adminToken)
            #expect(results.status == 200)
            #expect(try JSONParser.parse(Array(results.body.utf8))["total"] == 30)

            // The operator's own metrics are valid exposition and count what happened.
            let metrics = try await fixture.operators[0].get("/metrics").body
            #expect(metrics.contains("assay_operator_reconciles_total{result=\"success\"}"))
            #expect(metrics.contains("assay_operator_queue_depth"))
            #expect(metrics.contains("assay_operator_watch_restarts_total"))
            if Command.available("/usr/bin/promtool") {
                let check = try Command.run("/usr/bin/promtool", ["check", "metrics"], input: metrics)
                #expect(check.status == 0, "\(check.combined)")
            }

            // The run is over: evaluators at zero, the autoscaler removed, the Service kept.
            try await eventually("the evaluators scale to zero") {
                let deployment = try await fixture.client.get(.deployment, name: children, namespace: "default")
                let autoscaler = try await fixture.exists(.horizontalPodAutoscaler, children)
                return deployment["spec"]?["replicas"] == 0 && !autoscaler
            }
            #expect(try await fixture.exists(.service, children))
            try await fixture.kubelet.waitForReady(children, count: 0)

            let table = try fixture.kubectl(["get", "evaluationsuites"]).output
            for column in ["NAME", "PHASE", "PROGRESS", "PASS RATE", "TARGETS", "AGE"] {
                #expect(table.contains(column), "\(table)")
            }
            let row = try #require(table.split(separator: "\n").first { $0.hasPrefix("greetings") })
            let cells = row.split(separator: " ", omittingEmptySubsequences: true)
            #expect(Array(cells.prefix(5)) == ["greetings", "Succeeded", "30/30", "1", "echo"], "\(table)")
            try await eventually("a RunSucceeded event, and no RunStarted one for the first run") {
                let reasons = try fixture.eventReasons(about: "greetings")
                return !reasons.contains("RunStarted") && reasons.contains("RunSucceeded")
            }
            let described = try fixture.kubectl(["describe", "evaluationsuite", "greetings"]).output
            #expect(described.contains("RunSucceeded"), "\(described)")
        }
    }

    @Test("scaling from one to three evaluators mid-run, and killing one, loses and double-counts no case")
    func scalesMidRun() async throws {
        try await OperatorFixture.with(podEnvironment: ["ASSAY_CASE_DELAY_MS": "150"]) { fixture in
            let applied = try fixture.apply(fixture.suiteYAML("scaling", cases: 80, concurrency: 2))
            #expect(applied.status == 0, "\(applied.combined)")
            let children = "scaling-evaluators"
            try await fixture.kubelet.waitForReady(children, count: 1)
            try await fixture.waitForStatus("scaling", "some progress") {
                (OperatorFixture.int($0["progress"]?["completed"]) ?? 0) >= 4
            }
            // What the HorizontalPodAutoscaler does when the backlog per replica is high.
            _ = try fixture.kubectl(["scale", "deployment", children, "--replicas=3"])
            let pods = try await fixture.kubelet.waitForReady(children, count: 3)
            let status = try await fixture.status("scaling")
            #expect((OperatorFixture.int(status?["progress"]?["completed"]) ?? 80) < 80, "the run ended too soon")
            // A pod dies holding claimed cases: another takes them over after the claim timeout.
            #expect(fixture.kubelet.kill(pod: try #require(pods.last).name))

            let done = try await fixture.waitForPhase("scaling", "Succeeded", within: .seconds(90))
            #expect(OperatorFixture.int(done["progress"]?["completed"]) == 80)
            #expect(OperatorFixture.int(done["progress"]?["passed"]) == 80)
            let ids = try await fixture.recordedCaseIDs(run: try #require(done["runID"]?.stringValue))
            #expect(ids.count == 80)
            #expect(Set(ids) == Set((0..<80).map { "c\($0)" }))
        }
    }

    @Test(
        "when the leading operator is killed mid-run the standby takes over through the Lease and the run completes",
        arguments: KubeBackend.available)
    func standbyTakesOver(backend: KubeBackend) async throws {
        try await OperatorFixture.with(
            backend: backend, operators: 2, leaderElect: true, podEnvironment: ["ASSAY_CASE_DELAY_MS": "100"]
        ) {
            fixture in
            /// The Lease's holder; empty before the first replica has created it.
            func holder() async throws -> String {
                guard try await fixture.exists(.lease, "assay-operator-leader") else { return "" }
                let lease = try await fixture.client.get(.lease, name: "assay-operator-leader", namespace: "default")
                return lease["spec"]?["holderIdentity"]?.stringValue ?? ""
            }
            try await eventually("a leader") { try await !holder().isEmpty }
            let applied = try fixture.apply(fixture.suiteYAML("takeover", cases: 60, concurrency: 2))
            #expect(applied.status == 0, "\(applied.combined)")
            try await fixture.waitForStatus("takeover", "some progress") {
                (OperatorFixture.int($0["progress"]?["completed"]) ?? 0) >= 3
            }
            let leaderName = try await holder()
            let leader = try #require(fixture.operators.first { leaderName.hasPrefix($0.podName + "_") })
            let standby = try #require(fixture.operators.first { $0.podName != leader.podName })
            let killed = ContinuousClock.now
            _ = leader.kill()
            try await eventually("the standby holds the Lease") {
                try await holder().hasPrefix(standby.podName + "_")
            }
            // The dead leader's Lease expires after its 2 s duration; the standby retries every 0.25 s.
            #expect(ContinuousClock.now - killed < .seconds(5))
            let metrics = try await standby.get("/metrics").body
            #expect(metrics.contains("assay_operator_leader 1"))

            let done = try await fixture.waitForPhase("takeover", "Succeeded", within: .seconds(90))
            #expect(OperatorFixture.int(done["progress"]?["completed"]) == 60)
            try await eventually("the new leader scales the evaluators to zero") {
                try await fixture.client.get(.deployment, name: "takeover-evaluators", namespace: "default")[
                    "spec"]?["replicas"] == 0
            }
        }
    }

    @Test(
        "editing the spec mid-run cancels the old run and runs the new generation",
        arguments: KubeBackend.available)
    func editStartsANewRun(backend: KubeBackend) async throws {
        try await OperatorFixture.with(backend: backend, podEnvironment: ["ASSAY_CASE_DELAY_MS": "100"]) { fixture in
            let first = fixture.suiteYAML("edited", cases: 60, concurrency: 2)
            #expect(try fixture.apply(first, as: "edited").status == 0)
            let running = try await fixture.waitForStatus("edited", "some progress") {
                (OperatorFixture.int($0["progress"]?["completed"]) ?? 0) >= 3
            }
            let oldRun = try #require(running["runID"]?.stringValue)
            let edited = fixture.suiteYAML("edited", cases: 20, failing: 10, passThreshold: 0.9, concurrency: 4)
            #expect(try fixture.apply(edited, as: "edited").status == 0)

            let done = try await fixture.waitForPhase("edited", "Failed", within: .seconds(60))
            #expect(done["observedGeneration"] == 2)
            let newRun = try #require(done["runID"]?.stringValue)
            #expect(newRun.hasSuffix("-g2"))
            #expect(newRun != oldRun)
            #expect(OperatorFixture.int(done["progress"]?["total"]) == 20)
            #expect(OperatorFixture.int(done["progress"]?["completed"]) == 20)
            #expect(OperatorFixture.int(done["progress"]?["passed"]) == 10)
            #expect(done["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["reason"] == "RunFailed")
            let cancelled = try await fixture.redisClient().send(["HGET", RunKeys(RunID(oldRun)!).meta, "cancelled"])
            #expect(cancelled.text == "1")
            let oldIDs = try await fixture.recordedCaseIDs(run: oldRun)
            #expect(oldIDs.count < 60, "the old run was cancelled before it finished")
            try await eventually("a RunStarted event for the edit's run and a RunFailed one") {
                let reasons = try fixture.eventReasons(about: "edited")
                return reasons.filter { $0 == "RunStarted" }.count == 1 && reasons.contains("RunFailed")
            }
        }
    }

    @Test(
        "a provider whose circuit opens mid-run is reported in status, a Degraded condition and an event",
        arguments: KubeBackend.available)
    func circuitOpened(backend: KubeBackend) async throws {
        try await OperatorFixture.with(backend: backend, podEnvironment: ["ASSAY_CASE_DELAY_MS": "40"]) { fixture in
            let yaml = fixture.suiteYAML("flaky", cases: 60, concurrency: 2, unreachableFirst: true)
            #expect(try fixture.apply(yaml).status == 0)
            let degraded = try await fixture.waitForStatus("flaky", "an open circuit") { status in
                status["conditions"]?.arrayValue?.contains { $0["type"] == "Degraded" && $0["status"] == "True" }
                    ?? false
            }
            let breaker = degraded["breakers"]?.arrayValue?.first { $0["provider"] == "down" }
            #expect(breaker?["state"] == "open")
            #expect(breaker?["target"] == "echo")
            let condition = degraded["conditions"]?.arrayValue?.first { $0["type"] == "Degraded" }
            #expect(condition?["reason"] == "CircuitOpen")
            #expect(condition?["message"] == "Open circuits: echo/down")
            try await eventually("a CircuitOpened event") {
                try fixture.eventReasons(about: "flaky").filter { $0 == "CircuitOpened" }.count == 1
            }
            // The fallback answered every case.
            let done = try await fixture.waitForPhase("flaky", "Succeeded", within: .seconds(90))
            #expect(OperatorFixture.int(done["progress"]?["passed"]) == 60)
        }
    }

    @Test("server-side apply leaves users' fields alone and takes its own fields back")
    func fieldOwnership() async throws {
        try await OperatorFixture.with(podEnvironment: ["ASSAY_CASE_DELAY_MS": "200"]) { fixture in
            #expect(try fixture.apply(fixture.suiteYAML("owned", cases: 200, concurrency: 1)).status == 0)
            let name = "owned-evaluators"
            try await fixture.kubelet.waitForReady(name, count: 1)
            // Another team labels the Deployment and someone edits the image by hand.
            _ = try fixture.kubectl(["label", "deployment", name, "team=ml"])
            _ = try fixture.kubectl(["set", "image", "deployment/\(name)", "evaluator=example.test/hand-edited:1"])
            try await eventually("the operator restores its image") {
                let deployment = try await fixture.client.get(.deployment, name: name, namespace: "default")
                let image = deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]
                return image?.stringValue == "ghcr.io/assay-dev/assay:latest"
            }
            let deployment = try await fixture.client.get(.deployment, name: name, namespace: "default")
            #expect(deployment.labels["team"] == "ml", "a field the operator does not manage stays")
            let managers = (deployment["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap {
                $0["manager"]?.stringValue
            }
            #expect(managers.contains("assay-operator"))
        }
    }

    @Test("an operator given --namespace reconciles suites there and leaves other namespaces alone")
    func watchesOneNamespace() async throws {
        try await OperatorFixture.with(operatorArguments: ["--namespace", "default"]) { fixture in
            _ = try fixture.kubectl(["create", "namespace", "elsewhere"])
            let other = try fixture.emulator.kubectl([
                "apply", "-n", "elsewhere", "-f",
                try fixture.directory.write("other.yaml", fixture.suiteYAML("other", cases: 2)),
            ])
            #expect(other.status == 0, "\(other.combined)")
            #expect(try fixture.apply(fixture.suiteYAML("mine", cases: 2)).status == 0)
            try await fixture.waitForPhase("mine", "Succeeded")
            let untouched = try await fixture.client.get(.evaluationSuite, name: "other", namespace: "elsewhere")
            #expect(untouched["status"] == nil)
            #expect(untouched.finalizers.isEmpty)
            let deployments = try await fixture.client.list(.deployment, namespace: "elsewhere")
            #expect(deployments.items.isEmpty)
        }
    }

    @Test(
        "deleting a suite removes its children and its Redis data",
        arguments: KubeBackend.available)
    func deleteCleansUp(backend: KubeBackend) async throws {
        try await OperatorFixture.with(backend: backend) { fixture in
            #expect(try fixture.apply(fixture.suiteYAML("doomed", cases: 10)).status == 0)
            try await fixture.waitForPhase("doomed", "Succeeded")
            let uid = try #require(try await fixture.suite("doomed").uid)
            #expect(try await !fixture.redisKeys(containing: uid).isEmpty)
            #expect(try await fixture.suite("doomed").finalizers == ["eval.assay.dev/run-data"])

            _ = try fixture.kubectl(["delete", "evaluationsuite", "doomed", "--wait=true", "--timeout=30s"])
            try await eventually("the children are garbage-collected") {
                let gone = [
                    try await fixture.exists(.deployment, "doomed-evaluators"),
                    try await fixture.exists(.service, "doomed-evaluators"),
                    try await fixture.exists(.horizontalPodAutoscaler, "doomed-evaluators"),
                ]
                return !gone.contains(true)
            }
            #expect(try await fixture.redisKeys(containing: uid).isEmpty)
            #expect(try await !fixture.exists(.evaluationSuite, "doomed"))
        }
    }

    @Test(
        "an invalid spec is refused by the CRD or reported in conditions, and nothing is created",
        arguments: KubeBackend.available)
    func invalidSpecs(backend: KubeBackend) async throws {
        try await OperatorFixture.with(backend: backend) { fixture in
            // Rules the CRD itself checks: kubectl apply is refused with the rule's message.
            let threshold = try fixture.apply(fixture.suiteYAML("bad-threshold", cases: 2, passThreshold: 1.5))
            #expect(threshold.status != 0)
            #expect(threshold.combined.contains("spec.passThreshold"), "\(threshold)")
            let scaling = fixture.suiteYAML("bad-scaling", cases: 2).replacingOccurrences(
                of: "{minReplicas: 1, maxReplicas: 3", with: "{minReplicas: 5, maxReplicas: 3")
            let refused = try fixture.apply(scaling)
            #expect(refused.status != 0)
            #expect(refused.combined.contains("minReplicas must be less than or equal to maxReplicas"))

            // Rules only our decoder knows: the suite is accepted, then marked Invalid, nothing created.
            let criterion = fixture.suiteYAML(
                "bad-criterion", cases: 2, extraCriteria: "  - {type: similarity, method: telepathy}")
            #expect(try fixture.apply(criterion, as: "bad-criterion").status == 0)
            let invalid = try await fixture.waitForPhase("bad-criterion", "Invalid")
            let ready = try #require(invalid["conditions"]?.arrayValue?.first { $0["type"] == "Ready" })
            #expect(ready["status"] == "False")
            #expect(ready["reason"] == "InvalidSpec")
            #expect(ready["message"]?.stringValue?.contains("spec.criteria[2].method") == true, "\(ready)")

            let configMap = try fixture.apply(
                fixture.suiteYAML("missing-dataset", cases: 1).replacingOccurrences(
                    of: "    cases:\n    - {id: c0, input: \"case 0\", reference: \"case 0\"}",
                    with: "    configMap: {name: nowhere, key: cases.jsonl}"))
            #expect(configMap.status == 0, "\(configMap.combined)")
            let missing = try await fixture.waitForPhase("missing-dataset", "Invalid")
            let message = missing["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["message"]?.stringValue
            #expect(message?.contains("spec.dataset.configMap.name: ConfigMap default/nowhere does not exist") == true)
            try await eventually("an InvalidSpec event") {
                try fixture.eventReasons(about: "missing-dataset").contains("InvalidSpec")
            }

            for name in ["bad-criterion-evaluators", "missing-dataset-evaluators"] {
                #expect(try await !fixture.exists(.deployment, name))
                #expect(try await !fixture.exists(.service, name))
            }

            // Fixing the spec runs it.
            #expect(try fixture.apply(fixture.suiteYAML("bad-criterion", cases: 2), as: "bad-criterion").status == 0)
            let fixed = try await fixture.waitForPhase("bad-criterion", "Succeeded")
            #expect(fixed["observedGeneration"] == 2)
        }
    }

    @Test(
        "an operator with nothing to change sends no API request and reads nothing from Redis, even across resyncs",
        arguments: KubeBackend.available)
    func idleOperatorWritesNothing(backend: KubeBackend) async throws {
        // Without the Redis data check, whose one GET every few seconds is not a suite's read
        // (RedisDataMarkTests and OperatorWaitingRunTests cover it).
        try await OperatorFixture.with(backend: backend, operatorArguments: ["--redis-check-seconds", "0"]) { fixture in
            #expect(try fixture.apply(fixture.suiteYAML("settled", cases: 5)).status == 0)
            try await fixture.waitForPhase("settled", "Succeeded")
            try await eventually("the evaluators are gone") {
                try await fixture.client.get(.deployment, name: "settled-evaluators", namespace: "default")["spec"]?[
                    "replicas"] == 0
            }
            try await fixture.kubelet.waitForReady("settled-evaluators", count: 0)
            let before = try await Self.versions(fixture)
            let reconciles = try await Self.reconciles(fixture)
            let commandsBefore = try await Self.redisCommands(fixture)
            let reset = try await LocalHTTP.send(
                "POST", fixture.emulator.baseURL + "/emulator/requests/reset", body: "")
            #expect(reset.status == 200)
            // Three resync periods (1 s each): every suite is reconciled again from the cache.
            try await eventually("three resyncs", within: .seconds(15)) {
                try await Self.reconciles(fixture) >= reconciles + 3
            }
            #expect(try await Self.versions(fixture) == before, "something was written while nothing changed")
            // Not even a write that changes nothing (an unchanged apply keeps the resourceVersion):
            // the operator sent no request at all.
            let counts = try JSONParser.parse(
                Array(try await LocalHTTP.get(fixture.emulator.baseURL + "/emulator/requests").body.utf8))
            #expect(counts["byAgent"]?["assay-operator"] == nil, "\(JSONWriter.string(counts))")
            // A finished run cannot change, so its resyncs read nothing from Redis either (the
            // one command counted is our own INFO).
            #expect(try await Self.redisCommands(fixture) - commandsBefore <= 1)
        }
    }
}
