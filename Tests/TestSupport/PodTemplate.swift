import AssayCore
import Foundation

/// What the local kubelet makes of a Deployment's pod template: the command line and the
/// environment of a pod's first container, as the local process that stands in for it runs it.
/// Pure, apart from the lookups of Secret and ConfigMap keys it is given.
public struct PodTemplate: Sendable, Equatable {
    /// Why a pod cannot start (the kubelet's `CreateContainerConfigError`).
    public struct ConfigError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// Where a container's `valueFrom` reads from; `nil` when the object or key does not exist.
    public struct Lookups: Sendable {
        public var secret: @Sendable (_ namespace: String, _ name: String, _ key: String) async throws -> String?
        public var configMap: @Sendable (_ namespace: String, _ name: String, _ key: String) async throws -> String?

        public init(
            secret: @escaping @Sendable (String, String, String) async throws -> String?,
            configMap: @escaping @Sendable (String, String, String) async throws -> String?
        ) {
            self.secret = secret
            self.configMap = configMap
        }
    }

    /// `spec.template` of the Deployment.
    public var template: JSONValue

    public init(_ template: JSONValue) { self.template = template }

    /// The first container of the template.
    public var container: JSONValue? { template["spec"]?["containers"]?.arrayValue?.first }

    /// A short, stable hash of the template (as the pod-template-hash label is): equal templates,
    /// whatever the order of their members, give the same hash.
    public var hash: String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONWriter.bytes(Self.canonical(template)) {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return String(String(value, radix: 36).suffix(10))
    }

    /// `command` + `args` without the leading `assay-evaluator` (the local binary runs instead),
    /// with the listen address rewritten from the pod's `--host 0.0.0.0 --port 8080` to loopback
    /// and a port the kernel picks.
    public var arguments: [String] {
        let strings = { (key: String) in (container?[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        var words = strings("command") + strings("args")
        if let first = words.first, URL(fileURLWithPath: first).lastPathComponent == BuiltExecutable.evaluator {
            words.removeFirst()
        }
        return Self.loopback(words)
    }

    /// Rewrites `--host X`, `--host=X`, `--port X` and `--port=X` to `127.0.0.1` and `0`; `serve`
    /// without them gets both.
    static func loopback(_ words: [String]) -> [String] {
        let replacements = ["--host": "127.0.0.1", "--port": "0"]
        var result: [String] = []
        var seen: Set<String> = []
        var index = 0
        while index < words.count {
            let word = words[index]
            let flag = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            if let replacement = replacements[flag] {
                result += [flag, replacement]
                seen.insert(flag)
                index += word.contains("=") ? 1 : 2
            } else {
                result.append(word)
                index += 1
            }
        }
        if result.first == "serve" {
            for flag in ["--host", "--port"] where !seen.contains(flag) { result += [flag, replacements[flag]!] }
        }
        return result
    }

    /// The container's `env`, resolved for the pod `podName` in `namespace`: `value` as is,
    /// `fieldRef` (`metadata.namespace`, `metadata.name`, `metadata.uid`, `spec.nodeName`,
    /// `status.podIP`, `status.hostIP`), `secretKeyRef` and `configMapKeyRef` through `lookups`
    /// (a missing key fails unless `optional: true`).
    public func environment(namespace: String, podName: String, podUID: String, lookups: Lookups) async throws
        -> [String: String]
    {
        var result: [String: String] = [:]
        for entry in container?["env"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue else { continue }
            if let value = entry["value"]?.stringValue {
                result[name] = value
                continue
            }
            guard let source = entry["valueFrom"] else {
                result[name] = ""
                continue
            }
            if let path = source["fieldRef"]?["fieldPath"]?.stringValue {
                switch path {
                case "metadata.namespace": result[name] = namespace
                case "metadata.name": result[name] = podName
                case "metadata.uid": result[name] = podUID
                case "spec.nodeName": result[name] = "local"
                case "status.podIP", "status.hostIP": result[name] = "127.0.0.1"
                default:
                    throw ConfigError(message: "env \(name): fieldRef \(path) is not supported by the local kubelet")
                }
                continue
            }
            for (key, kind, lookup) in [
                ("secretKeyRef", "secret", lookups.secret), ("configMapKeyRef", "configmap", lookups.configMap),
            ] {
                guard let reference = source[key] else { continue }
                let objectName = reference["name"]?.stringValue ?? ""
                let item = reference["key"]?.stringValue ?? ""
                if let value = try await lookup(namespace, objectName, item) {
                    result[name] = value
                } else if reference["optional"]?.boolValue != true {
                    throw ConfigError(
                        message: "env \(name): \(kind) \"\(objectName)\" has no key \"\(item)\" in \(namespace)")
                }
            }
            if result[name] == nil, source["secretKeyRef"] == nil, source["configMapKeyRef"] == nil {
                throw ConfigError(message: "env \(name): this valueFrom is not supported by the local kubelet")
            }
        }
        return result
    }

    /// `value` with every object's members sorted by key.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            .object(JSONObject(object.keys.sorted().map { ($0, canonical(object[$0] ?? .null)) }))
        case .array(let items): .array(items.map(canonical))
        default: value
        }
    }
}
