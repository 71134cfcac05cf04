import AssayCore
import Foundation
import Providers

/// A model under test: a prompt template over the case's fields and a provider fallback chain.
/// The one target type: a suite's `targets[i]` (named; several are scored on the same cases and
/// compared side by side) and an evaluation request's `target` (unnamed; providers named from the
/// evaluator's providers file), read by one decoder that collects every problem.
///
/// ```json
/// "target": {"providers": ["openai-prod", {"name": "claude"}], "prompt": "Answer briefly: {{input}}"}
/// ```
public struct TargetSpec: SpecDecodable, Hashable {
    /// The name a request's unnamed target goes by.
    public static let requestTargetName = "target"

    public var name: String
    /// `{{input}}`, `{{reference}}` or any other case field in double braces.
    public var prompt: String
    public var providers: [ProviderSpec]
    public var maxTokens: Int?
    public var temperature: Double?

    public init(
        name: String, prompt: String, providers: [ProviderSpec], maxTokens: Int? = nil, temperature: Double? = nil
    ) {
        self.name = name
        self.prompt = prompt
        self.providers = providers
        self.maxTokens = maxTokens
        self.temperature = temperature
    }

    static let unnamedFields: Set<String> = ["prompt", "providers", "maxTokens", "temperature"]

    /// Decodes the target at `path` with the first problem thrown: a suite file's named target.
    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> TargetSpec {
        var errors: [FieldError] = []
        let target = decode(json, at: path, named: true, providers: .localFile, errors: &errors)
        guard let target, errors.isEmpty else {
            throw errors.first ?? FieldError(path: path, message: "is not a valid target")
        }
        return target
    }

    /// Decodes the target at `path`, appending every problem to `errors` (nil when there was
    /// any): `named` for a suite's targets (a request's target has no `name`), its providers read
    /// as `origin` allows.
    public static func decode(
        _ json: JSONValue, at path: String, named: Bool, providers origin: ProviderOrigin, errors: inout [FieldError]
    ) -> TargetSpec? {
        let allowed = named ? unnamedFields.union(["name"]) : unnamedFields
        guard let fields = JSONFields.collecting(json, at: path, allowed: allowed, errors: &errors) else { return nil }
        let before = errors.count
        var name = requestTargetName
        if named {
            do {
                name = try fields.required("name", fields.string)
                try SuiteNames.check(name, at: fields.path("name"))
            } catch { errors.append(error) }
        }
        var prompt: String?
        do {
            prompt = try fields.required("prompt", fields.string)
            if prompt?.isEmpty == true {
                errors.append(FieldError(path: fields.path("prompt"), message: "must not be empty"))
            }
        } catch { errors.append(error) }
        var maxTokens: Int?
        do {
            maxTokens = try fields.integer("maxTokens")
            if let maxTokens, maxTokens < 1 {
                errors.append(
                    FieldError(path: fields.path("maxTokens"), message: "must be at least 1, got \(maxTokens)"))
            }
        } catch { errors.append(error) }
        var temperature: Double?
        do {
            temperature = try fields.number("temperature")
            if let temperature, !(0...2).contains(temperature) {
                errors.append(
                    FieldError(path: fields.path("temperature"), message: "must be between 0 and 2, got \(temperature)")
                )
            }
        } catch { errors.append(error) }
        var providers: [ProviderSpec]?
        do {
            providers = try ProviderSpec.decodeChain(
                fields.value("providers"), at: fields.path("providers"), providers: origin)
        } catch { errors.append(error) }
        guard errors.count == before, let prompt, let providers else { return nil }
        return TargetSpec(
            name: name, prompt: prompt, providers: providers, maxTokens: maxTokens, temperature: temperature)
    }

    /// The field names the prompt's `{{...}}` placeholders read, so that a request can require
    /// `input` or `reference`.
    public var placeholders: Set<String> {
        var names: Set<String> = []
        _ = Self.fill(prompt) { name in
            names.insert(name)
            return nil
        }
        return names
    }

    /// The prompt with every `{{field}}` replaced by the field's value (missing fields become "").
    public func render(_ fields: [String: String]) -> String {
        Self.fill(prompt) { fields[$0] }
    }

    /// The prompt for `suiteCase`, from its fields.
    public func render(_ suiteCase: SuiteCase) -> String { render(suiteCase.fields) }

    /// The chat request for one evaluation: the rendered prompt as one user message.
    public func chatRequest(_ fields: [String: String]) -> ChatRequest {
        ChatRequest(messages: [.user(render(fields))], maxTokens: maxTokens, temperature: temperature)
    }

    /// The provider chain's configs, in order.
    public var configs: [ProviderConfig] { providers.map(\.config) }

    private static func fill(_ template: String, _ value: (String) -> String?) -> String {
        var text = template
        var searchStart = text.startIndex
        while let open = text.range(of: "{{", range: searchStart..<text.endIndex),
            let close = text.range(of: "}}", range: open.upperBound..<text.endIndex)
        {
            let name = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let replacement = value(name) ?? ""
            text.replaceSubrange(open.lowerBound..<close.upperBound, with: replacement)
            searchStart = text.index(open.lowerBound, offsetBy: replacement.count)
        }
        return text
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object(
            [
                ("name", SpecSchema.string(minLength: 1)),
                ("prompt", SpecSchema.string(minLength: 1)),
                ("providers", SpecSchema.array(ProviderSpec.structuralSchema, minItems: 1)),
                ("maxTokens", SpecSchema.integer(minimum: 1)),
                ("temperature", SpecSchema.number(minimum: 0, maximum: 2)),
            ], required: ["name", "prompt", "providers"])
    }
}

/// Names of targets and cases end up in Redis keys, metrics labels and tables.
enum SuiteNames {
    /// Long enough for any sensible name, short enough for a table column. (Our choice.)
    static let maxLength = 128

    static func check(_ name: String, at path: String) throws(FieldError) {
        if name.isEmpty { throw FieldError(path: path, message: "must not be empty") }
        if name.count > maxLength {
            throw FieldError(path: path, message: "is \(name.count) characters long; at most \(maxLength) are allowed")
        }
        if name.contains(where: { $0.isWhitespace || $0 == ":" || $0 == "{" || $0 == "}" }) {
            throw FieldError(path: path, message: "must not contain whitespace, ':', '{' or '}', got \"\(name)\"")
        }
    }
}
