import AssayCore

/// Where a cluster run finds its baseline (`spec.baseline`): the latest finished run of another
/// suite in the namespace, or a JSON report (`assay-evaluator run --output json`) in a ConfigMap.
/// A local run takes `--baseline FILE` instead.
public enum BaselineSpec: SpecDecodable, Hashable {
    case suite(String)
    case configMap(name: String, key: String)

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> BaselineSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["suite", "configMap"])
        let given = ["suite", "configMap"].filter { fields.has($0) }
        guard given.count == 1 else {
            throw FieldError(path: path, message: "must name exactly one of suite or configMap")
        }
        if let suite = try fields.string("suite") {
            try SuiteNames.check(suite, at: fields.path("suite"))
            return .suite(suite)
        }
        let reference = try ConfigMapKeyReference.decode(fields, at: "configMap")
        return .configMap(name: reference.name, key: reference.key)
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object(
            [
                ("suite", SpecSchema.string(minLength: 1)),
                ("configMap", ConfigMapKeyReference.structuralSchema),
            ], description: "Exactly one of suite (another suite's latest finished run) or configMap (a JSON report).")
    }
}
