import AssayCore

/// `{name, key}`: one key of a ConfigMap in the suite's namespace (a dataset's cases, a baseline report).
enum ConfigMapKeyReference {
    /// Decodes the reference at `key` of `fields`, both members required and non-empty.
    static func decode(_ fields: JSONFields, at key: String) throws(FieldError) -> (name: String, key: String) {
        let reference = try fields.required(key, fields.objectFields)
        try reference.rejectUnknown(allowed: ["name", "key"])
        let name = try reference.required("name", reference.string)
        let member = try reference.required("key", reference.string)
        if name.isEmpty { throw FieldError(path: reference.path("name"), message: "must not be empty") }
        if member.isEmpty { throw FieldError(path: reference.path("key"), message: "must not be empty") }
        return (name, member)
    }

    static var structuralSchema: JSONValue {
        SpecSchema.object(
            [("name", SpecSchema.string(minLength: 1)), ("key", SpecSchema.string(minLength: 1))],
            required: ["name", "key"])
    }
}
