import AssayCore

/// A key of a Kubernetes Secret holding a provider's API key (`apiKey: {secretName, key}`). The
/// operator mounts it for the evaluator pods; the local runner reads it from the environment
/// variable ``environmentVariable``.
public struct SecretKeyRef: SpecDecodable, Hashable {
    public var secretName: String
    public var key: String

    public init(secretName: String, key: String) {
        self.secretName = secretName
        self.key = key
    }

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> SecretKeyRef {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["secretName", "key"])
        let secretName = try fields.required("secretName", fields.string)
        let key = try fields.required("key", fields.string)
        for (name, value) in [("secretName", secretName), ("key", key)] where value.isEmpty {
            throw FieldError(path: fields.path(name), message: "must not be empty")
        }
        return SecretKeyRef(secretName: secretName, key: key)
    }

    /// `ASSAY_SECRET_<SECRETNAME>_<KEY>`, upper-cased with every other character as `_`: where the
    /// operator puts the key in a pod, and where the local runner looks for it.
    public var environmentVariable: String {
        let raw = "ASSAY_SECRET_\(secretName)_\(key)".uppercased()
        return String(raw.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object(
            [("secretName", SpecSchema.string(minLength: 1)), ("key", SpecSchema.string(minLength: 1))],
            required: ["secretName", "key"])
    }
}
