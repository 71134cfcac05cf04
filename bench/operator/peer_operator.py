"""The benchmark peer: the EvaluationSuite operator's job written the usual way with kopf.

For each EvaluationSuite: a finalizer (kopf adds its own because a deletion handler exists), the
evaluator Deployment, Service and autoscaling/v2 HorizontalPodAutoscaler with ownerReferences (the
same objects `assay-operator render` prints, built here), and `status.phase: Running`. Children are
created with the official `kubernetes` client from a synchronous handler, which kopf runs in its
thread pool; a child that already exists (409) is left as it is.

  KUBECONFIG=FILE kopf run --standalone -A bench/operator/peer_operator.py
"""

from __future__ import annotations

import kopf
import kubernetes

GROUP, VERSION, PLURAL = "eval.assay.dev", "v1alpha1", "evaluationsuites"
IMAGE = "ghcr.io/assay-dev/assay:latest"
REDIS_URL = "redis://assay-redis:6379"


# One API client (one connection pool) for every handler, made at start-up.
apis: dict = {}


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    # kopf's defaults, except that it does not look for ClusterKopfPeering objects (--standalone).
    settings.peering.standalone = True
    kubernetes.config.load_kube_config()
    client = kubernetes.client.ApiClient()
    apis["apps"] = kubernetes.client.AppsV1Api(client)
    apis["core"] = kubernetes.client.CoreV1Api(client)
    apis["autoscaling"] = kubernetes.client.AutoscalingV2Api(client)


def labels(name: str) -> dict:
    return {
        "app.kubernetes.io/name": "assay-evaluator",
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": "evaluator",
        "app.kubernetes.io/managed-by": "assay-operator",
    }


def selector(name: str) -> dict:
    return {"app.kubernetes.io/name": "assay-evaluator", "app.kubernetes.io/instance": name}


def children(name: str, uid: str, generation: int) -> tuple[dict, dict, dict]:
    child = f"{name}-evaluators"
    container_security = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": child, "labels": labels(name)},
        "spec": {
            "selector": {"matchLabels": selector(name)},
            "template": {
                "metadata": {
                    "labels": labels(name),
                    "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8080"},
                },
                "spec": {
                    "serviceAccountName": "assay-evaluator",
                    "automountServiceAccountToken": True,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 65532,
                        "runAsGroup": 65532,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "evaluator",
                            "image": IMAGE,
                            "command": ["assay-evaluator"],
                            "args": ["serve", "--host", "0.0.0.0", "--port", "8080"],
                            "env": [
                                {"name": "ASSAY_REDIS_URL", "value": REDIS_URL},
                                {"name": "ASSAY_RUN_ID", "value": f"{uid}-g{generation}"},
                                {"name": "ASSAY_SUITE", "value": name},
                                {
                                    "name": "ASSAY_SUITE_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {"name": "ASSAY_CONSUMER", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                                {"name": "ASSAY_CONCURRENCY", "value": "32"},
                            ],
                            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                            "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5},
                            "livenessProbe": {
                                "httpGet": {"path": "/healthz", "port": "http"},
                                "periodSeconds": 10,
                                "failureThreshold": 3,
                            },
                            "resources": {
                                "requests": {"cpu": "250m", "memory": "256Mi"},
                                "limits": {"cpu": "1", "memory": "512Mi"},
                            },
                            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                            "securityContext": container_security,
                        }
                    ],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": child, "labels": labels(name)},
        "spec": {
            "selector": selector(name),
            "ports": [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}],
        },
    }
    autoscaler = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": child, "labels": labels(name)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": child},
            "minReplicas": 1,
            "maxReplicas": 10,
            "metrics": [
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": "assay_run_backlog"},
                        "target": {"type": "AverageValue", "averageValue": "50"},
                    },
                },
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
                },
            ],
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
        },
    }
    return deployment, service, autoscaler


def create_ignoring_conflict(create, namespace: str, body: dict) -> None:
    try:
        create(namespace, body)
    except kubernetes.client.ApiException as error:
        if error.status != 409:
            raise


@kopf.on.create(GROUP, VERSION, PLURAL)
def create_children(body, name, namespace, uid, patch, **_):
    deployment, service, autoscaler = children(name, uid, body["metadata"].get("generation", 1))
    for child in (deployment, service, autoscaler):
        kopf.adopt(child, owner=body)  # ownerReferences (controller, blockOwnerDeletion) and namespace
    create_ignoring_conflict(apis["apps"].create_namespaced_deployment, namespace, deployment)
    create_ignoring_conflict(apis["core"].create_namespaced_service, namespace, service)
    create_ignoring_conflict(apis["autoscaling"].create_namespaced_horizontal_pod_autoscaler, namespace, autoscaler)
    patch.status["phase"] = "Running"


@kopf.on.delete(GROUP, VERSION, PLURAL)
def release(**_):
    # The children go with their owner (garbage collection); kopf removes its finalizer afterwards.
    pass
