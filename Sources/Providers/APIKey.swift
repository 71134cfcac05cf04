/// A provider credential. Its description, debug description and reflection are redacted, so
/// interpolating it into a log line or an error cannot leak it; only wire formats read ``value``.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIKey(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Where a provider's key is read from.
public enum APIKeySource: Sendable, Hashable, CustomStringConvertible {
    /// A configured environment variable: must be set.
    case environment(String)
    /// A configured file (a mounted Kubernetes Secret): must exist and be non-empty.
    case file(String)
    /// The vendor's usual variable: used if set, otherwise the request goes without a key (local
    /// OpenAI-compatible servers and the emulator need none).
    case defaultEnvironment(String)
    /// No key: the config was written by someone who must not choose one (see
    /// ``ProviderConfig/keyless``).
    case none

    public var description: String {
        switch self {
        case .none: "no key (a provider defined by a request or a resource without apiKey)"
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        case .defaultEnvironment(let name): "environment variable \(name)"
        }
    }

    /// The key, `nil` when an optional source is unset. Reads the file on every call so that a
    /// rotated Secret takes effect without a restart; surrounding whitespace is trimmed.
    public func resolve(in environment: ProviderEnvironment) throws(ProviderError) -> APIKey? {
        switch self {
        case .none:
            return nil
        case .environment(let name):
            guard let raw = environment.variable(name), let key = Self.trimmed(raw) else {
                throw .missingAPIKey("environment variable \(name) is not set or empty")
            }
            return APIKey(key)
        case .defaultEnvironment(let name):
            return environment.variable(name).flatMap(Self.trimmed).map(APIKey.init)
        case .file(let path):
            guard let bytes = environment.readFile(path) else {
                throw .missingAPIKey("cannot read API key file \(path); check the Secret is mounted")
            }
            guard let key = Self.trimmed(String(decoding: bytes, as: UTF8.self)) else {
                throw .missingAPIKey("API key file \(path) is empty")
            }
            return APIKey(key)
        }
    }

    private static func trimmed(_ s: String) -> String? {
        let t = s.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        return t.isEmpty ? nil : String(t)
    }
}
