import AssayCore
import Foundation

/// The providers whoever runs the evaluator configured (`serve --providers-file FILE`), by name.
/// API requests name them; only this file says where a provider lives and where its key comes
/// from.
///
/// ```yaml
/// providers:
/// - name: openai-prod
///   type: openai
///   model: gpt-4o-mini
///   apiKeyEnv: OPENAI_API_KEY
/// - {name: claude, type: anthropic, model: claude-3-5-haiku-latest, apiKeyFile: /var/run/keys/anthropic}
/// ```
///
/// Each entry is a ``ProviderConfig`` with a required, unique `name`.
public struct ProviderCatalog: Sendable, Hashable {
    /// Longest name: names are metric labels and appear in every generation's answer. (Our
    /// choice, a DNS label's length.)
    public static let maxNameLength = 63

    /// In file order.
    public let providers: [ProviderConfig]

    public init(_ providers: [ProviderConfig] = []) { self.providers = providers }

    public var names: [String] { providers.map(\.name) }
    public var isEmpty: Bool { providers.isEmpty }

    public func provider(named name: String) -> ProviderConfig? { providers.first { $0.name == name } }

    /// `a, b, c`, or a hint when nothing is configured, for messages that list the choices.
    public var namesForMessage: String {
        providers.isEmpty ? "none (the evaluator has no --providers-file)" : names.joined(separator: ", ")
    }

    /// Reads and validates a providers file (YAML, of which JSON is a subset). Every problem
    /// names the file, the line when it can be found, and the field path.
    public static func load(path: String) throws(ProviderCatalogError) -> ProviderCatalog {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let json: JSONValue
        do {
            json = try YAMLLoader.load(text)
        } catch {
            throw .syntax(path: path, error)
        }
        do {
            return try decode(json)
        } catch {
            throw .invalid(path: path, error, line: YAMLFieldLocator.line(of: error.path, in: text))
        }
    }

    /// `{"providers": [...]}`, each entry validated with its path (`providers[1].baseURL`).
    public static func decode(_ json: JSONValue) throws(FieldError) -> ProviderCatalog {
        let fields = try JSONFields(json, at: "")
        try fields.rejectUnknown(allowed: ["providers"])
        let items = try fields.required("providers", fields.array)
        guard !items.isEmpty else {
            throw FieldError(path: "providers", message: "must list at least one provider")
        }
        var providers: [ProviderConfig] = []
        for (index, item) in items.enumerated() {
            let path = FieldError.join("providers", index)
            let entry = try JSONFields(item, at: path)
            let name = try entry.required("name", entry.string)
            try checkName(name, at: entry.path("name"))
            if let first = providers.firstIndex(where: { $0.name == name }) {
                throw FieldError(
                    path: entry.path("name"),
                    message: "\"\(name)\" is also the name of providers[\(first)]; names must be unique")
            }
            providers.append(try ProviderConfig.decode(item, at: path))
        }
        return ProviderCatalog(providers)
    }

    /// Letters, digits, `.`, `_` and `-`, starting with a letter or digit: safe in a metric label,
    /// a comma-separated flag and a URL.
    static func checkName(_ name: String, at path: String) throws(FieldError) {
        let valid =
            !name.isEmpty && name.utf8.count <= maxNameLength
            && name.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c == 46 || c == 95 || c == 45
            } && name.utf8.first.map { $0 != 46 && $0 != 95 && $0 != 45 } == true
        guard valid else {
            throw FieldError(
                path: path,
                message:
                    "must be 1 to \(maxNameLength) letters, digits, '.', '_' or '-', starting with a letter or digit, got \"\(name)\""
            )
        }
    }
}

/// Why a providers file could not be used; every case names the file, and the line or field.
public enum ProviderCatalogError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(path: String, YAMLError)
    case invalid(path: String, FieldError, line: Int?)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .syntax(let path, let error): "\(path):\(error.line):\(error.column): \(error.reason)"
        case .invalid(let path, let error, let line): line.map { "\(path):\($0): \(error)" } ?? "\(path): \(error)"
        }
    }
}
