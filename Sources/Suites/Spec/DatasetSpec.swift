import AssayCore

/// Where a suite's cases come from: inline in the spec, a local file (JSONL or CSV; the local
/// runner), or a key of a ConfigMap holding JSONL (in a cluster). Exactly one.
public enum DatasetSpec: SpecDecodable, Hashable {
    case inline([SuiteCase])
    /// A path, relative to the suite file's directory when not absolute.
    case file(String)
    case configMap(name: String, key: String)

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> DatasetSpec {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["cases", "file", "configMap"])
        let given = ["cases", "file", "configMap"].filter { fields.has($0) }
        guard given.count == 1 else {
            throw FieldError(
                path: path,
                message: given.isEmpty
                    ? "must give the cases one way: cases (inline), file (JSONL or CSV) or configMap"
                    : "gives cases both as \(given.joined(separator: " and ")); use exactly one")
        }
        if let items = try fields.array("cases") {
            guard !items.isEmpty else {
                throw FieldError(path: fields.path("cases"), message: "must contain at least one case")
            }
            var cases: [SuiteCase] = []
            var seen: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                let casePath = FieldError.join(fields.path("cases"), index)
                let suiteCase = try SuiteCase.decode(item, at: casePath)
                if let first = seen[suiteCase.id] {
                    throw FieldError(
                        path: FieldError.join(casePath, "id"),
                        message: "\"\(suiteCase.id)\" is also the id of cases[\(first)]; ids must be unique")
                }
                seen[suiteCase.id] = index
                cases.append(suiteCase)
            }
            return .inline(cases)
        }
        if let file = try fields.string("file") {
            guard !file.isEmpty else { throw FieldError(path: fields.path("file"), message: "must not be empty") }
            guard DatasetFormat(path: file) != nil else {
                throw FieldError(
                    path: fields.path("file"), message: "must end in .jsonl or .csv to name its format, got \"\(file)\""
                )
            }
            return .file(file)
        }
        let reference = try ConfigMapKeyReference.decode(fields, at: "configMap")
        return .configMap(name: reference.name, key: reference.key)
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object(
            [
                ("cases", SpecSchema.array(SpecSchema.preserved, minItems: 1)),
                ("file", SpecSchema.string(minLength: 1)),
                ("configMap", ConfigMapKeyReference.structuralSchema),
            ], description: "Exactly one of cases, file or configMap.")
    }
}

/// The two file formats of a dataset.
public enum DatasetFormat: Sendable {
    /// One JSON object per line; blank lines are skipped.
    case jsonl
    /// RFC 4180: a header row naming the fields, then one case per row.
    case csv

    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            self = .jsonl
        } else if lower.hasSuffix(".csv") {
            self = .csv
        } else {
            return nil
        }
    }
}
