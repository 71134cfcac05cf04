import AssayCore

/// Which target pairs a run compares (`spec.compare`): every pair, or each target against `reference`.
public struct CompareSpec: SpecDecodable, Hashable {
    public var reference: String?

    public init(reference: String? = nil) { self.reference = reference }

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> CompareSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["reference"])
        let reference = try fields.string("reference")
        if let reference { try SuiteNames.check(reference, at: fields.path("reference")) }
        return CompareSpec(reference: reference)
    }

    /// The pairs (a, b) to compare among `targets`: each against the reference (a the target, b the
    /// reference), or every pair in target order.
    public func pairs(_ targets: [String]) -> [(a: String, b: String)] {
        if let reference, targets.contains(reference) {
            return targets.filter { $0 != reference }.map { ($0, reference) }
        }
        return targets.indices.flatMap { i in targets[(i + 1)...].map { (targets[i], $0) } }
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object([("reference", SpecSchema.string(minLength: 1))])
    }
}
