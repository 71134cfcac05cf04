import AssayCore

/// One case of a dataset: an id, the fields prompts and criteria read (`input`, `reference`, and
/// any other string field for templates), and optionally an `output` to score as given instead
/// of generating one, or named `outputs` (an offline suite's targets: `outputs: {large: "...",
/// small: "..."}`, or columns `outputs.large` and `outputs.small` of a CSV file).
public struct SuiteCase: Sendable, Hashable {
    /// One logged output of an offline suite's case, for the target `name`.
    public struct NamedOutput: Sendable, Hashable {
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    public var id: String
    public var input: String?
    public var reference: String?
    public var output: String?
    /// The outputs the case carries per target name, in the order the case gives them.
    public var outputs: [NamedOutput]
    /// Every string field of the case, the three above included, for prompt templates.
    public var fields: [String: String]

    public init(
        id: String, input: String? = nil, reference: String? = nil, output: String? = nil,
        outputs: [NamedOutput] = [], fields: [String: String] = [:]
    ) {
        self.id = id
        self.input = input
        self.reference = reference
        self.output = output
        self.outputs = outputs
        var all = fields
        all["id"] = id
        if let input { all["input"] = input }
        if let reference { all["reference"] = reference }
        if let output { all["output"] = output }
        self.fields = all
    }

    public func field(_ name: String) -> String? { fields[name] }

    /// The output the case carries for the offline target `name`: its `outputs` entry, or its
    /// `output` for the one target named ``offlineOutputName``.
    public func output(for name: String) -> String? {
        if let named = outputs.first(where: { $0.name == name }) { return named.text }
        return name == Self.offlineOutputName ? output : nil
    }

    /// The target of an offline suite whose cases carry one `output` each.
    public static let offlineOutputName = "output"

    /// The prefix of a flat (CSV) column holding a named output.
    static let outputColumnPrefix = "outputs."

    /// Decodes one case object; `path` names it (`spec.dataset.cases[3]`, or `line 12` of a file).
    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> SuiteCase {
        let object = try JSONFields(json, at: path)
        var fields: [String: String] = [:]
        var outputs: [NamedOutput] = []
        for (key, value) in object.object {
            if key == "outputs" {
                outputs += try decodeOutputs(value, at: object.path(key))
                continue
            }
            if key.hasPrefix(outputColumnPrefix), case .string(let text) = value {
                let name = String(key.dropFirst(outputColumnPrefix.count))
                try SuiteNames.check(name, at: object.path(key))
                outputs.append(NamedOutput(name: name, text: text))
                continue
            }
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
            id: id, input: fields["input"], reference: fields["reference"], output: fields["output"],
            outputs: outputs, fields: fields)
    }

    /// `outputs: {name: "text", ...}`: each name a target name, each value a string.
    private static func decodeOutputs(_ json: JSONValue, at path: String) throws(FieldError) -> [NamedOutput] {
        let object = try JSONFields(json, at: path)
        var outputs: [NamedOutput] = []
        for (name, value) in object.object {
            try SuiteNames.check(name, at: object.path(name))
            guard case .string(let text) = value else {
                throw FieldError(path: object.path(name), message: "must be the target's output as a string")
            }
            outputs.append(NamedOutput(name: name, text: text))
        }
        return outputs
    }

    /// The case as a JSON object (how it travels through the work queue).
    public var json: JSONValue {
        var members = fields.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }
        if !outputs.isEmpty {
            members.append(("outputs", .object(JSONObject(outputs.map { ($0.name, JSONValue.string($0.text)) }))))
        }
        return .object(JSONObject(members))
    }
}
