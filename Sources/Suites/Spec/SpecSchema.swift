import AssayCore

/// The seam between a spec type's decoder and the CRD: every spec type decodes itself from
/// ``JSONValue`` with field paths, and declares its OpenAPI v3 structural schema next to that
/// decoder, so that one Swift definition yields both validation and the CRD schema.
public protocol SpecDecodable: Sendable {
    /// Decodes and validates the object at `path`, throwing the first problem with its full path.
    static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> Self
    /// The OpenAPI v3 structural schema of this type's JSON form (the CRD's `openAPIV3Schema`).
    static var structuralSchema: JSONValue { get }
}

/// Small builders for structural schemas, so each spec type's schema reads like its fields.
public enum SpecSchema {
    public static func object(
        _ properties: [(String, JSONValue)], required: [String] = [], description: String? = nil
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "object"), ("properties", .object(JSONObject(properties)))]
        if !required.isEmpty { members.append(("required", .array(required.map { .string($0) }))) }
        if let description { members.append(("description", .string(description))) }
        return .object(JSONObject(members))
    }

    public static func array(_ items: JSONValue, minItems: Int? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "array"), ("items", items)]
        if let minItems { members.append(("minItems", .number(Double(minItems)))) }
        return .object(JSONObject(members))
    }

    public static func string(minLength: Int? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "string")]
        if let minLength { members.append(("minLength", .number(Double(minLength)))) }
        return .object(JSONObject(members))
    }

    public static func integer(minimum: Int? = nil, maximum: Int? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "integer")]
        if let minimum { members.append(("minimum", .number(Double(minimum)))) }
        if let maximum { members.append(("maximum", .number(Double(maximum)))) }
        return .object(JSONObject(members))
    }

    public static func number(minimum: Double? = nil, maximum: Double? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", "number")]
        if let minimum { members.append(("minimum", .number(minimum))) }
        if let maximum { members.append(("maximum", .number(maximum))) }
        return .object(JSONObject(members))
    }

    /// A member whose content the schema does not constrain (criteria, provider configs): kept
    /// as-is by the API server and validated by our decoder.
    public static let preserved: JSONValue = [
        "type": "object", "x-kubernetes-preserve-unknown-fields": true,
    ]
}
