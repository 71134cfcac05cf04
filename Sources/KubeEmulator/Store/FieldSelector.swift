import AssayCore

/// A field selector (`=`, `==`, `!=` on dotted paths). The real server allows `metadata.name` and
/// `metadata.namespace` everywhere plus a per-resource list (`involvedObject.name`, `status.phase`, ...);
/// the emulator accepts any path and compares its string form.
struct FieldSelector: Sendable, Equatable {
    var requirements: [(field: String, value: String, equal: Bool)] = []

    static let everything = FieldSelector()

    init() {}

    init(parsing text: String) throws(APIError) {
        for raw in text.split(separator: ",") {
            let part = String(raw)
            let (separator, equal) =
                part.contains("!=") ? ("!=", false) : part.contains("==") ? ("==", true) : ("=", true)
            guard let range = part.range(of: separator) else {
                throw .badRequest("invalid field selector \"\(part)\"")
            }
            let field = String(part[..<range.lowerBound]).trimmingSpaces
            guard !field.isEmpty else { throw .badRequest("invalid field selector \"\(part)\"") }
            requirements.append((field, String(part[range.upperBound...]).trimmingSpaces, equal))
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let path = requirement.field.split(separator: ".").map(String.init)
            let actual = object.at(path).map { $0.stringValue ?? JSONCodec.string($0) } ?? ""
            return (actual == requirement.value) == requirement.equal
        }
    }

    static func == (lhs: FieldSelector, rhs: FieldSelector) -> Bool {
        lhs.requirements.map { "\($0.field)\($0.equal)\($0.value)" }
            == rhs.requirements.map { "\($0.field)\($0.equal)\($0.value)" }
    }
}
