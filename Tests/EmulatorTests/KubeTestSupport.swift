import AssayCore
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import KubeEmulator

/// Shared fixtures for the Kubernetes emulator tests.
enum KubeFixtures {
    static let configMaps = BuiltinResources.all.first { $0.plural == "configmaps" }!
    static let deployments = BuiltinResources.all.first { $0.plural == "deployments" }!
    static let namespaces = BuiltinResources.all.first { $0.plural == "namespaces" }!
    static let crds = BuiltinResources.all.first { $0.plural == "customresourcedefinitions" }!

    static func configMap(_ name: String, labels: [String: String] = [:], data: JSONValue = ["k": "v"]) -> JSONValue {
        var labelObject = JSONObject()
        for key in labels.keys.sorted() { labelObject[key] = .string(labels[key]!) }
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "labels": .object(labelObject)], "data": data,
        ]
    }

    /// The EvaluationSuite CRD the tests use: printer columns, status and scale subresources,
    /// defaults, enums, bounds, and CEL rules.
    static let suiteCRDYAML = """
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
    static let suiteCRD: JSONValue = [
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

    static func suite(_ name: String, spec: JSONValue) -> JSONValue {
        ["apiVersion": "assay.dev/v1", "kind": "EvaluationSuite", "metadata": ["name": .string(name)], "spec": spec]
    }

    /// A store with the EvaluationSuite CRD registered; returns the store and the resource type.
    static func storeWithSuites() throws -> (Store, ResourceType) {
        let store = Store()
        _ = try store.create(crds, namespace: "", object: suiteCRD)
        let type = try #require(store.resolve(group: "assay.dev", version: "v1", resource: "evaluationsuites"))
        return (store, type)
    }
}

/// Collects the lines a stream produces and lets a test wait for one that matches.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])
    private let arrived = DispatchSemaphore(value: 0)

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
        arrived.signal()
    }

    var all: [String] { lines.withLock { $0 } }

    /// Waits until a line satisfying `predicate` has arrived, or `timeout` passes.
    func wait(timeout: Double = 20, for predicate: (String) -> Bool) -> String? {
        let deadline = DispatchTime.now() + timeout
        while true {
            if let found = all.first(where: predicate) { return found }
            guard arrived.wait(timeout: deadline) == .success else { return all.first(where: predicate) }
        }
    }
}

extension APIServer {
    /// Sends one request straight to the handler (no socket) and parses a complete JSON reply.
    func call(
        _ method: String, _ target: String, body: JSONValue? = nil, headers: [String: String] = [:]
    ) -> (status: Int, body: JSONValue, headers: [(String, String)]) {
        var allHeaders = headers
        if body != nil, allHeaders["content-type"] == nil { allHeaders["content-type"] = "application/json" }
        let request = EmulatorRequest(
            method: method, target: target, headers: allHeaders, body: body.map(JSONCodec.bytes) ?? [])
        switch handle(request) {
        case .full(let status, let replyHeaders, let bytes):
            return (status, (try? JSONCodec.parse(bytes)) ?? .null, replyHeaders)
        case .stream(let status, let replyHeaders, _, _):
            return (status, .null, replyHeaders)
        }
    }

    /// Opens a watch through the handler; returns a function that yields its next event.
    func openWatch(_ target: String, headers: [String: String] = [:]) -> (status: Int, next: () -> JSONValue?) {
        switch handle(EmulatorRequest(method: "GET", target: target, headers: headers)) {
        case .full(let status, _, let bytes):
            let body = (try? JSONCodec.parse(bytes)) ?? .null
            var delivered = false
            return (
                status,
                {
                    defer { delivered = true }
                    return delivered ? nil : body
                }
            )
        case .stream(let status, _, let next, _):
            return (
                status,
                {
                    // Bounded: an idle watch reports .idle about once a second.
                    for _ in 0..<30 {
                        switch next() {
                        case .data(let bytes): return try? JSONCodec.parse(Array(bytes.dropLast()))
                        case .idle: continue
                        case .end: return nil
                        }
                    }
                    return nil
                }
            )
        }
    }
}
