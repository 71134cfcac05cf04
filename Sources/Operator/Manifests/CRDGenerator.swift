import AssayCore
import Suites

/// Builds the `evaluationsuites.eval.assay.dev` CustomResourceDefinition from the Swift spec and
/// status types, adding what a structural schema alone cannot say: defaults, cross-field CEL
/// rules and printer columns. `assay-operator crd` prints it; config/crd holds the committed copy.
enum CRDGenerator {
    static let group = "eval.assay.dev"
    static let version = "v1alpha1"
    static let plural = "evaluationsuites"
    static let singular = "evaluationsuite"
    static let shortNames = ["evs"]
    static let categories = ["assay"]
    static var name: String { "\(plural).\(group)" }

    /// A CEL rule with the message the API server returns when it fails.
    struct Rule: Sendable, Hashable {
        var expression: String
        var message: String

        var json: JSONValue { ["rule": .string(expression), "message": .string(message)] }
    }

    static let scalingRules = [
        Rule(
            expression: "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
            message: "minReplicas must be less than or equal to maxReplicas")
    ]
    static let datasetRules = [
        Rule(
            expression: "[has(self.cases), has(self.file), has(self.configMap)].filter(x, x).size() == 1",
            message: "exactly one of cases, file or configMap must be set")
    ]
    static let specRules = [
        Rule(
            expression: "!has(self.passThreshold) || (self.passThreshold >= 0.0 && self.passThreshold <= 1.0)",
            message: "passThreshold must be a fraction between 0 and 1"),
        Rule(
            expression: "!has(self.confidenceLevel) || (self.confidenceLevel > 0.0 && self.confidenceLevel < 1.0)",
            message: "confidenceLevel must be between 0 and 1 (exclusive)"),
    ]
    static let baselineRules = [
        Rule(
            expression: "[has(self.suite), has(self.configMap)].filter(x, x).size() == 1",
            message: "exactly one of suite or configMap must be set")
    ]
    static let breakerRules = [
        Rule(
            expression:
                "!has(self.minimumCalls) || !has(self.slidingWindowSize) || self.minimumCalls <= self.slidingWindowSize",
            message: "minimumCalls must be less than or equal to slidingWindowSize")
    ]

    static func crd() -> JSONValue {
        let columns: [JSONValue] = [
            column("Phase", "string", ".status.phase"),
            column("Progress", "string", ".status.progress.summary", description: "Completed cases of the total"),
            column("Pass rate", "number", ".status.passRate", description: "Passed cases over completed cases"),
            column("Targets", "string", ".spec.targets[*].name"),
            column("Age", "date", ".metadata.creationTimestamp"),
        ]
        let schema: JSONValue = [
            "type": "object",
            "description": "A dataset of cases evaluated against one or more model targets.",
            "properties": [
                "apiVersion": ["type": "string"],
                "kind": ["type": "string"],
                "metadata": ["type": "object"],
                "spec": specSchema,
                "status": SuiteStatus.structuralSchema,
            ],
            "required": ["spec"],
        ]
        let served: JSONValue = [
            "name": .string(version), "served": true, "storage": true,
            "schema": ["openAPIV3Schema": schema],
            "subresources": ["status": [:]],
            "additionalPrinterColumns": .array(columns),
        ]
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string(name)],
            "spec": [
                "group": .string(group),
                "names": [
                    "kind": .string(EvaluationSuite.kind), "listKind": .string(EvaluationSuite.kind + "List"),
                    "plural": .string(plural), "singular": .string(singular),
                    "shortNames": .array(shortNames.map { .string($0) }),
                    "categories": .array(categories.map { .string($0) }),
                ],
                "scope": "Namespaced",
                "versions": [served],
            ],
        ]
    }

    /// The spec's structural schema with defaults and CEL rules layered on.
    static var specSchema: JSONValue {
        var spec = EvaluationSuiteSpec.structuralSchema
        spec = patched(spec, at: ["passThreshold"], default: .number(EvaluationSuiteSpec.defaultPassThreshold))
        spec = patched(spec, at: ["concurrency"], default: .number(Double(EvaluationSuiteSpec.defaultConcurrency)))
        spec = patched(spec, at: ["concurrency"], key: "maximum", .number(Double(EvaluationSuiteSpec.maxConcurrency)))
        spec = patched(spec, at: ["targets"], key: "maxItems", .number(Double(EvaluationSuiteSpec.maxTargets)))
        spec = patched(spec, at: ["evaluators"], default: [:])
        spec = patched(
            spec, at: ["evaluators", "minReplicas"], default: .number(Double(EvaluatorScalingSpec.defaultMinReplicas)))
        spec = patched(
            spec, at: ["evaluators", "maxReplicas"], default: .number(Double(EvaluatorScalingSpec.defaultMaxReplicas)))
        spec = patched(
            spec, at: ["evaluators", "targetBacklogPerReplica"],
            default: .number(Double(EvaluatorScalingSpec.defaultTargetBacklogPerReplica)))
        spec = patched(spec, at: ["evaluators"], rules: scalingRules)
        spec = patched(spec, at: ["dataset"], rules: datasetRules)
        spec = patched(spec, at: ["circuitBreaker"], rules: breakerRules)
        spec = patched(spec, at: ["baseline"], rules: baselineRules)
        spec = patched(spec, at: [], rules: specRules)
        return spec
    }

    static func column(_ name: String, _ type: String, _ path: String, description: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("type", .string(type)), ("jsonPath", .string(path)),
        ]
        if let description { members.append(("description", .string(description))) }
        return .object(JSONObject(members))
    }

    static func patched(_ schema: JSONValue, at path: [String], default value: JSONValue) -> JSONValue {
        patched(schema, at: path, key: "default", value)
    }

    static func patched(_ schema: JSONValue, at path: [String], rules: [Rule]) -> JSONValue {
        patched(schema, at: path, key: "x-kubernetes-validations", .array(rules.map(\.json)))
    }

    /// `schema` with `key` set on the property schema at `path` (through `properties`).
    static func patched(_ schema: JSONValue, at path: [String], key: String, _ value: JSONValue) -> JSONValue {
        guard var object = schema.objectValue else { return schema }
        guard let first = path.first else {
            object[key] = value
            return .object(object)
        }
        guard var properties = object["properties"]?.objectValue, let child = properties[first] else {
            preconditionFailure("the spec schema has no property \(first); update CRDGenerator with the spec types")
        }
        properties[first] = patched(child, at: Array(path.dropFirst()), key: key, value)
        object["properties"] = .object(properties)
        return .object(object)
    }
}

extension CRDGenerator {
    /// The committed form: a header naming the command that regenerates it, then the YAML.
    static var yaml: String {
        "# Generated by `swift run assay-operator crd > config/crd/evaluationsuites.yaml`; do not edit.\n"
            + YAMLEmitter.document(crd())
    }
}
