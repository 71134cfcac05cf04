/// The built-in resources the emulator serves (what our operator and kubectl touch), with the
/// short names, categories and subresources of the real API server.
enum BuiltinResources {
    static let all: [ResourceType] = [
        ResourceType(
            group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
            namespaced: false, shortNames: ["ns"], hasStatus: true, tracksGeneration: false),
        ResourceType(
            group: "", version: "v1", plural: "services", singular: "service", kind: "Service", namespaced: true,
            shortNames: ["svc"], categories: ["all"], hasStatus: true, tracksGeneration: false),
        ResourceType(
            group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
            namespaced: true, shortNames: ["cm"], tracksGeneration: false),
        ResourceType(
            group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true,
            tracksGeneration: false),
        ResourceType(
            group: "", version: "v1", plural: "events", singular: "event", kind: "Event", namespaced: true,
            shortNames: ["ev"], tracksGeneration: false),
        ResourceType(
            group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod", namespaced: true,
            shortNames: ["po"], categories: ["all"], hasStatus: true, tracksGeneration: false),
        ResourceType(
            group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment",
            namespaced: true, shortNames: ["deploy"], categories: ["all"], hasStatus: true,
            scale: .init(
                specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas",
                labelSelectorPath: nil)),
        ResourceType(
            group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers",
            singular: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", namespaced: true,
            shortNames: ["hpa"], categories: ["all"], hasStatus: true),
        ResourceType(
            group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
            namespaced: true, tracksGeneration: false),
        // NetworkPolicies are stored as given (no network to enforce them on).
        ResourceType(
            group: "networking.k8s.io", version: "v1", plural: "networkpolicies", singular: "networkpolicy",
            kind: "NetworkPolicy", namespaced: true, shortNames: ["netpol"], tracksGeneration: true),
        ResourceType(
            group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
            singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
            shortNames: ["crd", "crds"], categories: ["api-extensions"], hasStatus: true),
        // Identities and RBAC (what `kubectl apply -k config/default` creates besides the above).
        AuthResources.serviceAccounts, AuthResources.roles, AuthResources.roleBindings, AuthResources.clusterRoles,
        AuthResources.clusterRoleBindings,
    ]

    /// Namespaces a fresh cluster has.
    static let initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]
}
