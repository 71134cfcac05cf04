import AssayCore

/// One case of a dataset: an id, the fields prompts and criteria read (`input`, `reference`, and
/// any other string field for templates), and optionally an `output` to score as given instead
/// of generating one.
public struct SuiteCase: Sendable, Hashable {
    public var id: String
    public var input: String?
    public var reference: String?
    public var output: String?
    /// Every string field of the case, the three above included, for prompt templates.
    public var fields: [String: String]

    public init(
        id: String, input: String? = nil, reference: String? = nil, output: String? = nil,
        fields: [String: String] = [:]
    ) {
        self.id = id
        self.input = input
        self.reference = reference
        self.output = output
        var all = fields
        all["id"] = id
        if let input { all["input"] = input }
        if let reference { all["reference"] = reference }
        if let output { all["output"] = output }
        self.fields = all
    }

    public func field(_ name: String) -> String? { fields[name] }

    /// Decodes one case object; `path` names it (`spec.dataset.cases[3]`, or `line 12` of a file).
    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> SuiteCase {
        let object = try JSONFields(json, at: path)
        var fields: [String: String] = [:]
        for (key, value) in object.object {
            switch value {
            case .string(let text): fields[key] = text
            case .number(let number):
                fields[key] = number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
            case .bool(let flag): fields[key] = String(flag)
            case .null: continue
            default:
                throw FieldError(
                    path: object.path(key), message: "must be a string, number or boolean, got \(value.typeName)")
            }
        }
        guard let id = fields["id"] else { throw FieldError(path: object.path("id"), message: "is required") }
        try SuiteNames.check(id, at: object.path("id"))
        return SuiteCase(
            id: id, input: fields["input"], reference: fields["reference"], output: fields["output"], fields: fields)
    }

    /// The case as a JSON object (how it travels through the work queue).
    public var json: JSONValue {
        .object(JSONObject(fields.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
    }
}
