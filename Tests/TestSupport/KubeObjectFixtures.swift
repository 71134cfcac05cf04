import AssayCore
import AssayKube

/// Kubernetes objects the tests create: ConfigMaps, and an EvaluationSuite CRD with printer
/// columns, status and scale subresources, defaults, enums, bounds and CEL rules (as YAML for
/// kubectl and as JSON for in-process tests), and suites of it.
public enum KubeObjectFixtures {
    public static func configMap(_ name: String, labels: [String: String] = [:], data: JSONValue = ["k": "v"])
        -> JSONValue
    {
        var labelObject = JSONObject()
        for key in labels.keys.sorted() { labelObject[key] = .string(labels[key]!) }
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "labels": .object(labelObject)], "data": data,
        ]
    }

    /// The EvaluationSuite CRD the tests use: printer columns, status and scale subresources,
    /// defaults, enums, bounds, and CEL rules.
    public static let suiteCRDYAML = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: evaluationsuites.assay.dev
        spec:
          group: assay.dev
          scope: Namespaced
          names:
            plural: evaluationsuites
            singular: evaluationsuite
            kind: EvaluationSuite
            shortNames: [es]
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
              scale:
                specReplicasPath: .spec.replicas
                statusReplicasPath: .status.replicas
            additionalPrinterColumns:
            - {name: Model, type: string, jsonPath: .spec.model}
            - {name: Replicas, type: integer, jsonPath: .spec.replicas}
            - {name: Phase, type: string, jsonPath: .status.phase}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [model]
                    x-kubernetes-validations:
                    - rule: "self.replicas <= self.maxReplicas"
                      message: "replicas must not exceed maxReplicas"
                    - rule: "!has(self.threshold) || (self.threshold >= 0.0 && self.threshold <= 1.0)"
                      message: "threshold must be between 0 and 1"
                    properties:
                      model: {type: string, minLength: 1}
                      replicas: {type: integer, minimum: 0, default: 1}
                      maxReplicas: {type: integer, default: 10}
                      threshold: {type: number}
                      mode: {type: string, enum: [strict, lenient], default: strict}
                      labels:
                        type: object
                        additionalProperties: {type: string}
                  status:
                    type: object
                    properties:
                      phase: {type: string}
                      replicas: {type: integer}

        """

    /// The same CRD as a JSON value, for in-process tests.
    public static let suiteCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "evaluationsuites.assay.dev"],
        "spec": [
            "group": "assay.dev", "scope": "Namespaced",
            "names": ["plural": "evaluationsuites", "singular": "evaluationsuite", "kind": "EvaluationSuite"],
            "versions": [
                [
                    "name": "v1", "served": true, "storage": true,
                    "subresources": [
                        "status": [:],
                        "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"],
                    ],
                    "additionalPrinterColumns": [
                        ["name": "Model", "type": "string", "jsonPath": ".spec.model"]
                    ],
                    "schema": [
                        "openAPIV3Schema": [
                            "type": "object",
                            "properties": [
                                "spec": [
                                    "type": "object", "required": ["model"],
                                    "x-kubernetes-validations": [
                                        [
                                            "rule": "self.replicas <= self.maxReplicas",
                                            "message": "replicas must not exceed maxReplicas",
                                        ]
                                    ],
                                    "properties": [
                                        "model": ["type": "string", "minLength": 1],
                                        "replicas": ["type": "integer", "minimum": 0, "default": 1],
                                        "maxReplicas": ["type": "integer", "default": 10],
                                        "mode": [
                                            "type": "string", "enum": ["strict", "lenient"], "default": "strict",
                                        ],
                                    ],
                                ],
                                "status": [
                                    "type": "object",
                                    "properties": ["phase": ["type": "string"], "replicas": ["type": "integer"]],
                                ],
                            ],
                        ]
                    ],
                ]
            ],
        ],
    ]

    public static func suite(_ name: String, spec: JSONValue) -> JSONValue {
        ["apiVersion": "assay.dev/v1", "kind": "EvaluationSuite", "metadata": ["name": .string(name)], "spec": spec]
    }
}

extension KubeObject {
    /// A ConfigMap with `name` at resourceVersion `rv`, for watcher and cache tests.
    public static func configMap(_ name: String, rv: String, namespace: String = "default") -> KubeObject {
        var object = KubeObject(.configMap, name: name, namespace: namespace)
        object.resourceVersion = rv
        return object
    }
}
