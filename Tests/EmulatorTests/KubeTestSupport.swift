import AssayCore
import TestSupport
import Testing

@testable import KubeEmulator

/// The emulator's own side of the object fixtures: its built-in resource types, and a store with
/// the EvaluationSuite CRD registered.
extension KubeObjectFixtures {
    static let configMaps = BuiltinResources.all.first { $0.plural == "configmaps" }!
    static let deployments = BuiltinResources.all.first { $0.plural == "deployments" }!
    static let namespaces = BuiltinResources.all.first { $0.plural == "namespaces" }!
    static let crds = BuiltinResources.all.first { $0.plural == "customresourcedefinitions" }!

    /// A store with the EvaluationSuite CRD registered; returns the store and the resource type.
    static func storeWithSuites() throws -> (Store, ResourceType) {
        let store = Store()
        _ = try store.create(crds, namespace: "", object: suiteCRD)
        let type = try #require(store.resolve(group: "assay.dev", version: "v1", resource: "evaluationsuites"))
        return (store, type)
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
