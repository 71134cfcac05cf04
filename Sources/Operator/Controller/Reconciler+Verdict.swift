import AssayCore
import AssayKube
import Suites

/// What the Reconciler adds to the status as a run ends: the comparisons, error reasons and the
/// `spec.baseline` verdict, computed once from every case's result.
extension Reconciler {
    /// The comparisons and error reasons of a complete run, read once from every case's result
    /// (and the dataset's `cluster` fields) as the run ends.
    func verdict(of suite: EvaluationSuite, aggregates: RunAggregates, queue: any WorkQueue) async throws
        -> VerdictStatus
    {
        var clusters: [String: String] = [:]
        if case .success(let cases) = try await loader.cases(of: suite) {
            clusters = RunPlan.clusters(of: cases)
        }
        let results = try await queue.allResults()
        var baseline: (report: BaselineReport, source: String)?
        var unavailable: VerdictStatus.Baseline?
        if let spec = suite.spec.baseline {
            switch try await baselineReport(spec, namespace: suite.metadata.namespace ?? "default") {
            case .found(let report, let source): baseline = (report, source)
            case .unavailable(let why): unavailable = why
            }
        }
        let analysis = RunAnalysis(
            aggregates, cases: results, clusters: clusters, spec: suite.spec, baseline: baseline?.report)
        var verdict = VerdictStatus(analysis)
        if let compared = analysis.baseline, let source = baseline?.source {
            verdict.baseline = VerdictStatus.Baseline(compared, source: source)
        } else {
            verdict.baseline = unavailable
        }
        return verdict
    }

    /// A baseline found (with what it is, for messages), or why none could be read.
    enum BaselineLookup {
        case found(BaselineReport, source: String)
        case unavailable(VerdictStatus.Baseline)
    }

    /// The run's `spec.baseline`: the latest finished run of another suite (its results in Redis),
    /// or a JSON report in a ConfigMap; a status baseline with the reason when it cannot be read.
    func baselineReport(_ spec: BaselineSpec, namespace: String) async throws
        -> BaselineLookup
    {
        switch spec {
        case .suite(let name):
            let source = "suite \(namespace)/\(name)"
            guard let other = caches.suites.get(ObjectKey(namespace: namespace, name: name)) else {
                return .unavailable(
                    VerdictStatus.Baseline(
                        source: source, regressed: nil, message: "spec.baseline.suite: \(source) does not exist"))
            }
            let status = SuiteStatus(json: other["status"])
            guard status.phase.isFinal, let run = status.runID.flatMap(RunID.init) else {
                return .unavailable(
                    VerdictStatus.Baseline(
                        source: source, regressed: nil, message: "spec.baseline.suite: \(source) has no finished run")
                )
            }
            let results = try await queue(for: run).allResults()
            return .found(BaselineReport(results: results), source: "\(source) run \(run)")
        case .configMap(let name, let key):
            let source = "ConfigMap \(namespace)/\(name) key \(key)"
            guard let configMap = try? await client.get(.configMap, name: name, namespace: namespace),
                let text = configMap["data"]?[key]?.stringValue
            else {
                return .unavailable(
                    VerdictStatus.Baseline(
                        source: source, regressed: nil, message: "spec.baseline.configMap: \(source) does not exist"))
            }
            do {
                return .found(try BaselineReport.decode(try JSONParser.parse(Array(text.utf8))), source: source)
            } catch {
                return .unavailable(
                    VerdictStatus.Baseline(
                        source: source, regressed: nil, message: "spec.baseline.configMap: \(source): \(error)"))
            }
        }
    }
}
