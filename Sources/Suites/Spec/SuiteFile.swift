import AssayCore
import Foundation

/// A suite read from a file for the local runner: the document, its cases (inline or from the
/// dataset file next to it) and the run id its content implies.
public struct SuiteFile: Sendable {
    public var suite: EvaluationSuite
    public var dataset: Dataset
    public var runID: RunID
    /// The run's targets (``SuiteTargets``): the spec's, or an offline suite's output names.
    public var targets: [String]

    /// Reads and validates `path` and its dataset; any problem names the file and the field or line.
    public static func load(path: String) throws(SuiteError) -> SuiteFile {
        let text = try read(path)
        let suite = try EvaluationSuite.parse(text, source: path)
        var documents = [text]
        let dataset: Dataset
        switch suite.spec.dataset {
        case .inline(let cases):
            dataset = Dataset(cases: cases)
        case .file(let file):
            let resolved =
                file.hasPrefix("/")
                ? file : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(file).path
            let datasetText = try read(resolved)
            documents.append(datasetText)
            do {
                dataset = try Dataset.parse(datasetText, format: DatasetFormat(path: file) ?? .jsonl, source: resolved)
            } catch {
                throw .dataset(error)
            }
        case .configMap:
            throw .invalid(
                source: path,
                FieldError(
                    path: "spec.dataset.configMap",
                    message: "is read by evaluators in a cluster; to run locally, use dataset.file or dataset.cases"),
                line: YAMLFieldLocator.line(of: "spec.dataset.configMap", in: text))
        }
        let targets: [String]
        do {
            targets = try SuiteTargets.names(suite.spec, cases: dataset.cases) { index in
                if case .inline = suite.spec.dataset { return SuiteTargets.datasetCasePath(index) }
                return "spec.dataset.file case \"\(dataset.cases[index].id)\""
            }
        } catch {
            throw .invalid(source: path, error, line: YAMLFieldLocator.line(of: error.path, in: text))
        }
        let runID: RunID =
            if let uid = suite.metadata.uid, let generation = suite.metadata.generation {
                .resource(uid: uid, generation: generation)
            } else {
                .content(name: suite.metadata.name, documents: documents)
            }
        return SuiteFile(suite: suite, dataset: dataset, runID: runID, targets: targets)
    }

    /// The run these files describe.
    public func plan(resultTTL: Duration = RunPlan.defaultResultTTL) -> RunPlan {
        RunPlan(
            id: runID, suiteName: suite.metadata.name, cases: dataset.cases, targets: targets,
            criteria: suite.spec.criterionNames, passThreshold: suite.spec.passThreshold, resultTTL: resultTTL,
            repeats: suite.spec.repeats, budget: suite.spec.budget, gate: suite.spec.gate,
            confidenceLevel: suite.spec.confidenceLevel)
    }

    private static func read(_ path: String) throws(SuiteError) -> String {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let text = String(data: data, encoding: .utf8) else {
                throw SuiteError.unreadable(source: path, reason: "is not UTF-8 text")
            }
            return text
        } catch let error as SuiteError {
            throw error
        } catch {
            throw .unreadable(source: path, reason: (error as NSError).localizedDescription)
        }
    }
}
