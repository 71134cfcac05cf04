import AssayCore
import Foundation
import Suites

/// `assay-operator render suite.yaml`: the children the operator would apply, without a cluster.
enum RenderCommand {
    static var parser: OptionParser {
        var parser = OptionParser(
            command: "assay-operator render",
            summary: "Prints the evaluator Deployment, Service and HPA the operator would create for a suite.")
        parser.positional("<suite.yaml>")
        parser.option(
            "image", env: "ASSAY_EVALUATOR_IMAGE", default: OperatorConfig.defaultImage, help: "Evaluator image")
        parser.option("redis", env: "ASSAY_REDIS_URL", default: OperatorConfig.defaultRedisURL, help: "Redis URL")
        parser.option("namespace", env: "ASSAY_NAMESPACE", help: "Namespace (default: the suite's, else default)")
        parser.option("uid", env: "ASSAY_SUITE_UID", help: "The suite's metadata.uid for real ownerReferences")
        parser.option(
            "output", env: "ASSAY_OUTPUT", default: "yaml", help: "yaml (one document each) or json (a v1 List)")
        return parser
    }

    static func run(_ arguments: [String], environment: [String: String]) -> OperatorCommand.Outcome {
        OperatorCommand.parsing(parser, arguments, environment) { values in
            guard values.positionals.count == 1, let path = values.positionals.first else {
                return .init(
                    status: OperatorCommand.usageStatus, error: "assay-operator render: give exactly one suite file\n")
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                return .init(
                    status: OperatorCommand.usageStatus, error: "\(path): cannot read: \(error.localizedDescription)\n")
            }
            return render(text, source: path, values: values)
        }
    }

    static func render(_ text: String, source: String, values: OptionValues) -> OperatorCommand.Outcome {
        var suite: EvaluationSuite
        do {
            // What the cluster will hold: keys only from apiKey Secret references.
            suite = try EvaluationSuite.parse(text, source: source, providers: .resource)
            // An offline suite's inline cases must carry an output for every target.
            if case .inline(let cases) = suite.spec.dataset {
                do {
                    _ = try SuiteTargets.names(suite.spec, cases: cases)
                } catch {
                    throw SuiteError.invalid(
                        source: source, error, line: YAMLFieldLocator.line(of: error.path, in: text))
                }
            }
        } catch {
            return .init(status: OperatorCommand.usageStatus, error: "\(error)\n")
        }
        if let namespace = values.string("namespace") { suite.metadata.namespace = namespace }
        if let uid = values.string("uid") { suite.metadata.uid = uid }
        var config = OperatorConfig()
        if let image = values.string("image") { config.image = image }
        if let redis = values.string("redis") { config.redisURL = redis }
        let objects = ChildrenBuilder(suite: suite, config: config).all
        switch values.string("output") {
        case "json":
            let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(objects)]
            return .init(status: 0, output: JSONWriter.string(list) + "\n")
        case "yaml":
            return .init(status: 0, output: YAMLEmitter.stream(objects))
        case let other:
            return .init(
                status: OperatorCommand.usageStatus, error: "--output must be yaml or json, got '\(other ?? "")'\n")
        }
    }
}
