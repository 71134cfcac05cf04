import AssayCore
import Suites

/// The objects the operator owns for one suite, as pure functions of the suite and the operator's
/// configuration: an evaluator Deployment, its Service and an autoscaling/v2 HPA on the run's
/// backlog. `assay-operator render` prints them; the reconciler server-side applies them.
struct ChildrenBuilder: Sendable {
    /// What the evaluator pods read; every name and number in their container comes from it.
    typealias Pod = EvaluatorPodContract

    /// Per-pod metric the prometheus-adapter rules in config/prometheus expose from the
    /// evaluators' `assay_run_backlog` gauge.
    static let backlogMetric = "assay_run_backlog"
    /// CPU utilisation the HPA's second metric aims for; 80 % leaves headroom for bursts of
    /// scoring while providers are slow. (Our choice.)
    static let targetCPUUtilization = 80
    /// Kubernetes' default scale-down stabilisation window (300 s), kept explicit so a spike in
    /// backlog does not flap pods that still hold claimed cases.
    static let scaleDownStabilizationSeconds = 300
    /// Where the ownerReferences' uid goes when rendering a suite that is not in a cluster yet.
    static let placeholderUID = "00000000-0000-0000-0000-000000000000"
    /// Requests and limits of one evaluator: the scorer is CPU-light; a 1 MB output per in-flight
    /// case at the default concurrency (32) fits in the memory limit. (Our choice.)
    static let resources: JSONValue = [
        "requests": ["cpu": "250m", "memory": "256Mi"],
        "limits": ["cpu": "1", "memory": "512Mi"],
    ]

    var suite: EvaluationSuite
    var config: OperatorConfig

    var namespace: String { suite.metadata.namespace ?? "default" }
    var childName: String { "\(suite.metadata.name)-evaluators" }
    var runID: RunID {
        .resource(uid: suite.metadata.uid ?? Self.placeholderUID, generation: suite.metadata.generation ?? 1)
    }

    var selectorLabels: JSONValue {
        [
            "app.kubernetes.io/name": "assay-evaluator",
            "app.kubernetes.io/instance": .string(suite.metadata.name),
        ]
    }

    var labels: JSONValue {
        var object = selectorLabels.objectValue ?? JSONObject()
        object["app.kubernetes.io/component"] = "evaluator"
        object["app.kubernetes.io/managed-by"] = "assay-operator"
        return .object(object)
    }

    var ownerReference: JSONValue {
        [
            "apiVersion": .string(EvaluationSuite.apiVersion), "kind": .string(EvaluationSuite.kind),
            "name": .string(suite.metadata.name), "uid": .string(suite.metadata.uid ?? Self.placeholderUID),
            "controller": true, "blockOwnerDeletion": true,
        ]
    }

    func metadata(_ name: String) -> JSONValue {
        [
            "name": .string(name), "namespace": .string(namespace), "labels": labels,
            "ownerReferences": [ownerReference],
        ]
    }

    /// Deployment, Service and HPA, in the order they are applied.
    var all: [JSONValue] { [deployment, service, autoscaler] }

    /// Every distinct Secret key the suite's providers name, in spec order.
    var secretKeys: [SecretKeyRef] {
        let providers = suite.spec.targets.flatMap(\.providers) + (suite.spec.judge?.providers ?? [])
        var seen: [SecretKeyRef] = []
        for key in providers.compactMap(\.apiKey) where !seen.contains(key) { seen.append(key) }
        return seen
    }

    var environment: [JSONValue] {
        var env: [JSONValue] = [
            ["name": .string(Pod.redisURL.variable), "value": .string(config.redisURL)],
            ["name": .string(Pod.runID.variable), "value": .string(runID.rawValue)],
            ["name": .string(Pod.suite.variable), "value": .string(suite.metadata.name)],
            [
                "name": .string(Pod.suiteNamespace.variable),
                "valueFrom": ["fieldRef": ["fieldPath": "metadata.namespace"]],
            ],
            ["name": .string(Pod.consumer.variable), "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
            ["name": .string(Pod.concurrency.variable), "value": .string(String(suite.spec.concurrency))],
        ]
        for key in secretKeys {
            env.append([
                "name": .string(key.environmentVariable),
                // Optional: a missing Secret or key leaves the variable unset, so the pod starts and
                // its preflight names the key on the suite's status, instead of the pod waiting in
                // CreateContainerConfigError where only `kubectl describe pod` says why.
                "valueFrom": [
                    "secretKeyRef": ["name": .string(key.secretName), "key": .string(key.key), "optional": true]
                ],
            ])
        }
        return env
    }

    var container: JSONValue {
        let port = JSONValue.number(Double(Pod.httpPort))
        let portName = JSONValue.string(Pod.portName)
        return [
            "name": "evaluator",
            "image": .string(config.image),
            "command": .array(Pod.command.map { .string($0) }),
            "args": .array(Pod.arguments(audiences: config.tokenAudiences).map { .string($0) }),
            "env": .array(environment),
            "ports": [["name": portName, "containerPort": port, "protocol": "TCP"]],
            "readinessProbe": ["httpGet": ["path": .string(Pod.readinessPath), "port": portName], "periodSeconds": 5],
            "livenessProbe": [
                "httpGet": ["path": .string(Pod.livenessPath), "port": portName], "periodSeconds": 10,
                "failureThreshold": 3,
            ],
            "resources": Self.resources,
            "volumeMounts": .array(volumes.map(\.mount)),
            "securityContext": Self.containerSecurityContext,
        ]
    }

    /// The hardened container settings shared with the manager (config/manager).
    static let containerSecurityContext: JSONValue = [
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "runAsNonRoot": true,
        "capabilities": ["drop": ["ALL"]],
        "seccompProfile": ["type": "RuntimeDefault"],
    ]

    /// A pod volume and the container's mount of it.
    struct Volume: Sendable {
        var volume: JSONValue
        var mount: JSONValue
    }

    /// A writable `/tmp` (the root filesystem is read-only) and, for a ConfigMap dataset, the
    /// ConfigMap's key read-only: pods read it through the kubelet, so neither the operator nor
    /// the evaluators need RBAC on ConfigMaps for it.
    var volumes: [Volume] {
        var result = [
            Volume(
                volume: ["name": "tmp", "emptyDir": [:]],
                mount: ["name": "tmp", "mountPath": .string(Pod.scratchDirectory)])
        ]
        if case .configMap(let name, let key) = suite.spec.dataset {
            result.append(
                Volume(
                    volume: [
                        "name": "dataset",
                        "configMap": ["name": .string(name), "items": [["key": .string(key), "path": .string(key)]]],
                    ],
                    mount: ["name": "dataset", "mountPath": .string(Pod.datasetDirectory), "readOnly": true]))
        }
        return result
    }

    var deployment: JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": metadata(childName),
            "spec": [
                "selector": ["matchLabels": selectorLabels],
                "template": [
                    "metadata": [
                        "labels": labels,
                        "annotations": [
                            "prometheus.io/scrape": "true",
                            "prometheus.io/port": .string(String(Pod.httpPort)),
                        ],
                    ],
                    "spec": [
                        "serviceAccountName": .string(OperatorConfig.evaluatorServiceAccount),
                        "automountServiceAccountToken": true,
                        "securityContext": [
                            "runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532,
                            "seccompProfile": ["type": "RuntimeDefault"],
                        ],
                        "containers": [container],
                        "volumes": .array(volumes.map(\.volume)),
                    ],
                ],
            ],
        ]
    }

    var service: JSONValue {
        let port = JSONValue.number(Double(Pod.httpPort))
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": metadata(childName),
            "spec": [
                "selector": selectorLabels,
                "ports": [
                    [
                        "name": .string(Pod.portName), "port": port, "targetPort": .string(Pod.portName),
                        "protocol": "TCP",
                    ]
                ],
            ],
        ]
    }

    var autoscaler: JSONValue {
        let scaling = suite.spec.evaluators
        return [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": metadata(childName),
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(childName)],
                "minReplicas": .number(Double(scaling.minReplicas)),
                "maxReplicas": .number(Double(scaling.maxReplicas)),
                "metrics": [
                    [
                        "type": "Pods",
                        "pods": [
                            "metric": ["name": .string(Self.backlogMetric)],
                            "target": [
                                "type": "AverageValue",
                                "averageValue": .string(String(scaling.targetBacklogPerReplica)),
                            ],
                        ],
                    ],
                    [
                        "type": "Resource",
                        "resource": [
                            "name": "cpu",
                            "target": [
                                "type": "Utilization",
                                "averageUtilization": .number(Double(Self.targetCPUUtilization)),
                            ],
                        ],
                    ],
                ],
                "behavior": [
                    "scaleDown": ["stabilizationWindowSeconds": .number(Double(Self.scaleDownStabilizationSeconds))]
                ],
            ],
        ]
    }
}
