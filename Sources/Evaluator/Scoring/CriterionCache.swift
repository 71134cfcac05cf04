import Common

/// Decoded and compiled criteria by their JSON, so that requests repeating a criterion (every
/// request of a suite run does) skip decoding and the compilation of regexes and schemas.
///
/// Keys are whole criterion objects, compared by value; the `path` only shapes error messages,
/// and errors are not cached. Regexes are also shared between criteria through one
/// ``RegexCache``.
final class CriterionCache: Sendable {
    /// Distinct criteria in use at once across the suites being run; each entry is small
    /// except for its compiled schema or regex.
    static let defaultCapacity = 1024

    private let criteria: LRUCache<JSONValue, Criterion>
    let regexes: RegexCache

    init(capacity: Int = defaultCapacity, regexes: RegexCache = RegexCache()) {
        criteria = LRUCache(capacity: capacity)
        self.regexes = regexes
    }

    var count: Int { criteria.count }

    func criterion(_ json: JSONValue, at path: String) throws(FieldError) -> Criterion {
        try criteria.value(forKey: json) { () throws(FieldError) -> Criterion in
            try Criterion.decode(json, at: path, regexes: regexes)
        }
    }
}
