import AssayCore
import Foundation

/// A model under test: a prompt template over the case's fields and a provider fallback chain.
/// Targets of one suite are scored on the same cases and compared side by side.
public struct TargetSpec: SpecDecodable, Hashable {
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

    static let fieldNames: Set<String> = ["name", "prompt", "providers", "maxTokens", "temperature"]

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> TargetSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: fieldNames)
        let name = try fields.required("name", fields.string)
        try SuiteNames.check(name, at: fields.path("name"))
        let prompt = try fields.required("prompt", fields.string)
        if prompt.isEmpty { throw FieldError(path: fields.path("prompt"), message: "must not be empty") }
        let maxTokens = try fields.integer("maxTokens")
        if let maxTokens, maxTokens < 1 {
            throw FieldError(path: fields.path("maxTokens"), message: "must be at least 1, got \(maxTokens)")
        }
        let temperature = try fields.number("temperature")
        if let temperature, !(0...2).contains(temperature) {
            throw FieldError(path: fields.path("temperature"), message: "must be between 0 and 2, got \(temperature)")
        }
        let providers = try ProviderSpec.decodeChain(fields.value("providers"), at: fields.path("providers"))
        return TargetSpec(
            name: name, prompt: prompt, providers: providers, maxTokens: maxTokens, temperature: temperature)
    }

    /// The prompt with every `{{field}}` replaced by the case's field (missing fields become "").
    public func render(_ suiteCase: SuiteCase) -> String {
        var text = prompt
        var searchStart = text.startIndex
        while let open = text.range(of: "{{", range: searchStart..<text.endIndex),
            let close = text.range(of: "}}", range: open.upperBound..<text.endIndex)
        {
            let name = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = suiteCase.field(name) ?? ""
            text.replaceSubrange(open.lowerBound..<close.upperBound, with: value)
            searchStart = text.index(open.lowerBound, offsetBy: value.count)
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
