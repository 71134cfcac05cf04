import AssayKube
import Scoring
import Suites

/// Reads an `EvaluationSuite` from the cluster the way a run needs it: the decoded spec (every
/// problem names its field), and, when a run must be seeded, its cases from the spec or from the
/// ConfigMap it names.
struct SuiteLoader: Sendable {
    /// Why a suite cannot run; the message names the field to fix.
    struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        var message: String
        /// The problem may fix itself without an edit (a ConfigMap created later): look again then.
        var retryAfter: Duration?

        var description: String { message }
    }

    /// How long to wait before reading a missing ConfigMap again: a user applying a suite and
    /// its ConfigMap together sees the run start within seconds. (Our choice.)
    static let missingConfigMapRetry = Duration.seconds(10)

    let client: KubeClient

    /// Decodes the resource and compiles its criteria, as the evaluators will; no API calls.
    func decode(_ object: KubeObject) -> Result<EvaluationSuite, Invalid> {
        do {
            let suite = try EvaluationSuite.decode(object.json, providers: .resource)
            // The CRD keeps criteria as free-form objects; their own decoders check them here,
            // so a misspelt criterion stops the suite before any pod starts.
            _ = try Scorecard.decode(
                .array(suite.spec.criteria), at: "spec.criteria", cache: CriterionCache(providers: .resource))
            if case .file = suite.spec.dataset {
                return .failure(
                    Invalid(
                        message:
                            "spec.dataset.file: names a file on the machine running `assay-evaluator run`; in a cluster use spec.dataset.cases or spec.dataset.configMap"
                    ))
            }
            return .success(suite)
        } catch {
            return .failure(Invalid(message: error.description))
        }
    }

    /// The run's targets (``SuiteTargets``): an offline suite's cases must each carry an output for
    /// every target the cases name.
    func targets(of suite: EvaluationSuite, cases: [SuiteCase]) -> Result<[String], Invalid> {
        do {
            return .success(
                try SuiteTargets.names(suite.spec, cases: cases) { index in
                    if case .inline = suite.spec.dataset { return SuiteTargets.datasetCasePath(index) }
                    return "spec.dataset.configMap case \"\(cases[index].id)\""
                })
        } catch {
            return .failure(Invalid(message: error.description))
        }
    }

    /// The suite's cases: inline, or read from its ConfigMap.
    func cases(of suite: EvaluationSuite) async throws(KubeError) -> Result<[SuiteCase], Invalid> {
        switch suite.spec.dataset {
        case .inline(let cases):
            return .success(cases)
        case .file:
            return .failure(Invalid(message: "spec.dataset.file: not supported in a cluster"))
        case .configMap(let name, let key):
            let namespace = suite.metadata.namespace ?? KubeConnection.defaultNamespace
            let configMap: KubeObject
            do {
                configMap = try await client.get(.configMap, name: name, namespace: namespace)
            } catch {
                if error.isNotFound {
                    return .failure(
                        Invalid(
                            message: "spec.dataset.configMap.name: ConfigMap \(namespace)/\(name) does not exist",
                            retryAfter: Self.missingConfigMapRetry))
                }
                throw error
            }
            guard let text = configMap["data"]?[key]?.stringValue else {
                return .failure(
                    Invalid(
                        message: "spec.dataset.configMap.key: ConfigMap \(namespace)/\(name) has no key \"\(key)\"",
                        retryAfter: Self.missingConfigMapRetry))
            }
            do {
                let dataset = try Dataset.parse(
                    text, format: DatasetFormat(path: key) ?? .jsonl,
                    source: "ConfigMap \(namespace)/\(name) key \(key)")
                return .success(dataset.cases)
            } catch {
                return .failure(Invalid(message: "spec.dataset.configMap: \(error)"))
            }
        }
    }
}
