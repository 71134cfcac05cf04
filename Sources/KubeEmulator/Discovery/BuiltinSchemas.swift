import AssayCore
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

    /// `value` without the fields the kind's schema does not know, which are added to `unknown` as
    /// the API server names them (`spec.template.spec.containers[0].imagee`). Kinds without a schema
    /// here, maps, and `x-kubernetes-preserve-unknown-fields` subtrees keep everything.
    func prune(_ value: JSONValue, group: String, version: String, kind: String, unknown: inout [String]) -> JSONValue {
        guard let root = name(group: group, version: version, kind: kind) else { return value }
        return prune(value, schema: schemas[root] ?? .null, path: "", unknown: &unknown)
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        var schema = schema
        for _ in 0..<8 {
            guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix(Self.prefix),
                let target = schemas[String(ref.dropFirst(Self.prefix.count))]
            else { break }
            schema = target
        }
        return schema
    }

    private func prune(_ value: JSONValue, schema: JSONValue, path: String, unknown: inout [String]) -> JSONValue {
        let schema = resolve(schema)
        if schema["x-kubernetes-preserve-unknown-fields"] == true { return value }
        switch value {
        case .object(let members):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"].flatMap { $0.objectValue != nil ? $0 : nil }
            guard properties != nil || additional != nil else { return value }
            var kept = JSONObject()
            for (key, member) in members {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if let child = properties?[key] ?? additional {
                    kept[key] = prune(member, schema: child, path: childPath, unknown: &unknown)
                } else {
                    unknown.append(childPath)
                }
            }
            return .object(kept)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(
                items.enumerated().map { index, item in
                    prune(item, schema: itemSchema, path: "\(path)[\(index)]", unknown: &unknown)
                })
        default: return value
        }
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
