import AssayCore
import Providers
import Suites
import Testing

@testable import Evaluator
@testable import Operator

@Suite("The operator-to-evaluator contract")
struct EvaluatorPodContractTests {
    static let key = SecretKeyRef(secretName: "llm-keys", key: "openai")

    static var builder: ChildrenBuilder {
        let provider = ProviderSpec(config: ProviderConfig(type: .openai, model: "m"), apiKey: key)
        let spec = EvaluationSuiteSpec(
            targets: [TargetSpec(name: "t", prompt: "p", providers: [provider])],
            dataset: .configMap(name: "cases", key: "cases.jsonl"), criteria: [["type": "isJSON"]])
        let suite = EvaluationSuite(
            metadata: .init(name: "capitals", namespace: "evals", uid: "u-1", generation: 2), spec: spec)
        return ChildrenBuilder(suite: suite, config: OperatorConfig(image: "i", redisURL: "redis://r:6379"))
    }

    static var container: JSONValue {
        builder.deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first ?? .null
    }

    @Test("the Deployment sets exactly the contract's variables and the suite's keys, and the evaluator reads each")
    func variables() {
        let set = (Self.container["env"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let contract = EvaluatorPodContract.environment.map(\.variable)
        #expect(Set(set) == Set(contract + [Self.key.environmentVariable]))
        #expect(set.count == Set(set).count, "no variable is set twice")
        let read = Set(ServeCommand.parser().options.compactMap(\.env))
        #expect(Set(contract).isSubset(of: read), "\(Set(contract).subtracting(read)) are set but never read")
        let options = Dictionary(
            uniqueKeysWithValues: ServeCommand.parser().options.compactMap { option in
                option.env.map { ($0, option.name) }
            })
        for setting in EvaluatorPodContract.environment {
            #expect(options[setting.variable] == setting.option, "\(setting.variable) feeds --\(setting.option)")
        }
    }

    @Test("the container's command line parses as the evaluator's serve options, in worker mode")
    func arguments() throws {
        let command = Self.container["command"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let arguments = Self.container["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(command == ["assay-evaluator"] && arguments.first == "serve")
        var environment: [String: String] = [:]
        for item in Self.container["env"]?.arrayValue ?? [] {
            if let name = item["name"]?.stringValue { environment[name] = item["value"]?.stringValue ?? "from-field" }
        }
        let values = try ServeCommand.parser().parse(Array(arguments.dropFirst()), environment: environment)
        #expect(values.string("host") == "0.0.0.0")
        #expect(try values.int("port") == EvaluatorPodContract.httpPort)
        #expect(values.string("auth") == "kubernetes")
        #expect(values.string("run-id") == "u-1-g2" && values.string("suite") == "capitals")
        #expect(values.string("redis") == "redis://r:6379")
    }

    @Test("an operator told token audiences passes them to its evaluators, which read them; without, none is passed")
    func audiences() throws {
        let plain = Self.container["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(!plain.isEmpty && !plain.contains("--auth-token-audiences"), "\(plain)")
        var builder = Self.builder
        builder.config.tokenAudiences = ["eval.assay.dev", "other"]
        let container = builder.deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        let arguments = container?["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let values = try ServeCommand.parser().parse(Array(arguments.dropFirst()), environment: [:])
        #expect(values.string("auth-token-audiences") == "eval.assay.dev,other")
        let operatorValues = try ControllerCommand.parser().parse(
            ["--auth-token-audiences", "eval.assay.dev, other"], environment: [:])
        let settings = try ControllerCommand.settings(operatorValues, environment: [:])
        #expect(settings.config.tokenAudiences == ["eval.assay.dev", "other"])
    }

    @Test("the probes, the port and the mounts are the contract's")
    func probesAndMounts() {
        let container = Self.container
        #expect(
            container["ports"]?.arrayValue?.first?["containerPort"] == .number(Double(EvaluatorPodContract.httpPort)))
        #expect(container["livenessProbe"]?["httpGet"]?["path"] == "/healthz")
        #expect(container["readinessProbe"]?["httpGet"]?["path"] == "/readyz")
        let mounts = (container["volumeMounts"]?.arrayValue ?? []).compactMap { $0["mountPath"]?.stringValue }
        #expect(mounts == ["/tmp", "/etc/assay/dataset"])
    }
}
