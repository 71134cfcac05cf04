/// The kubeconfig the emulator writes for kubectl and our client: one cluster at
/// `http://127.0.0.1:PORT`, one user with a dummy bearer token (the emulator does no authentication).
enum Kubeconfig {
    /// Names used for the cluster, user and context entries.
    static let contextName = "assay-kube-emulator"
    /// The token clients send; any token is accepted.
    static let dummyToken = "assay-emulator-token"

    static func yaml(port: UInt16, namespace: String = "default") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(contextName)
          cluster:
            server: http://127.0.0.1:\(port)
        users:
        - name: \(contextName)
          user:
            token: \(dummyToken)
        contexts:
        - name: \(contextName)
          context:
            cluster: \(contextName)
            user: \(contextName)
            namespace: \(namespace)
        current-context: \(contextName)
        preferences: {}

        """
    }
}
