import Common
import Foundation

/// The OpenAPI v3 schemas of Kubernetes' built-in types, from the file `tools/gen-kube-openapi`
/// generates out of the kubernetes-validate package (`--openapi-schemas FILE`; bin/setup writes
/// `.cache/openapi/kubernetes.json`). Each group version's document carries the schema of every kind
/// the emulator serves there and everything it refers to, as the API server's `/openapi/v3` does.
final class BuiltinSchemas: Sendable {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Kubernetes version the schemas describe.
    let kubernetesVersion: String
    private let schemas: [String: JSONValue]
    /// Definition name by "group/version/Kind".
    private let kinds: [String: String]

    init(path: String) throws(LoadError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(
                description: "cannot read OpenAPI schemas \(path) (generate them with tools/gen-kube-openapi)")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(Array(data), limits: JSONLimits(maxDepth: JSONCodec.maximumDepth))
        } catch {
            throw LoadError(description: "\(path): \(error)")
        }
        guard let schemas = document["schemas"]?.objectValue else {
            throw LoadError(description: "\(path) has no \"schemas\" object")
        }
        var byName: [String: JSONValue] = [:]
        var kinds: [String: String] = [:]
        for (name, schema) in schemas {
            byName[name] = schema
            for gvk in schema["x-kubernetes-group-version-kind"]?.arrayValue ?? [] {
                kinds[
                    Self.key(
                        gvk["group"]?.stringValue ?? "", gvk["version"]?.stringValue ?? "",
                        gvk["kind"]?.stringValue ?? "")] = name
            }
        }
        self.schemas = byName
        self.kinds = kinds
        kubernetesVersion = document["kubernetesVersion"]?.stringValue ?? ""
    }

    private static func key(_ group: String, _ version: String, _ kind: String) -> String {
        "\(group)/\(version)/\(kind)"
    }

    /// The definition name of a kind, if the schemas have it.
    func name(group: String, version: String, kind: String) -> String? { kinds[Self.key(group, version, kind)] }

    /// The kind's schema and every schema it refers to, by definition name.
    func closure(group: String, version: String, kind: String) -> [String: JSONValue] {
        guard let root = name(group: group, version: version, kind: kind) else { return [:] }
        var found: [String: JSONValue] = [:]
        var pending = [root]
        while let name = pending.popLast() {
            guard found[name] == nil, let schema = schemas[name] else { continue }
            found[name] = schema
            Self.references(in: schema, into: &pending)
        }
        return found
    }

    private static let prefix = "#/components/schemas/"

    private static func references(in value: JSONValue, into names: inout [String]) {
        switch value {
        case .object(let object):
            for (key, member) in object {
                if key == "$ref", let ref = member.stringValue, ref.hasPrefix(prefix) {
                    names.append(String(ref.dropFirst(prefix.count)))
                } else {
                    references(in: member, into: &names)
                }
            }
        case .array(let items): for item in items { references(in: item, into: &names) }
        default: break
        }
    }
}
