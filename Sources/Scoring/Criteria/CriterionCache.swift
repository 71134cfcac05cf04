import AssayCore
import Providers

/// Decoded and compiled criteria by their JSON, so that requests repeating a criterion (every
/// request of a suite run does) skip decoding and the compilation of regexes and schemas.
///
/// Keys are whole criterion objects as ``JSONWriter`` renders them (members in document order);
/// the `path` only shapes error messages, and errors are not cached. Regexes are also shared
/// between criteria through one ``RegexCache``.
package final class CriterionCache: Sendable {
    /// Distinct criteria in use at once across the suites being run; each entry is small
    /// except for its compiled schema or regex.
    package static let defaultCapacity = 1024

    private let criteria: LRUCache<Key, Criterion>
    package let regexes: RegexCache
    /// How `llmJudge` criteria's `judge` chains are read (the cache's criteria all come from one
    /// kind of writer: requests, resources or suite files).
    package let providers: ProviderOrigin

    package init(
        capacity: Int = defaultCapacity, regexes: RegexCache = RegexCache(), providers: ProviderOrigin = .localFile
    ) {
        criteria = LRUCache(capacity: capacity)
        self.regexes = regexes
        self.providers = providers
    }

    package var count: Int { criteria.count }

    package func criterion(_ json: JSONValue, at path: String) throws(FieldError) -> Criterion {
        try criteria.value(forKey: Key(json)) { () throws(FieldError) -> Criterion in
            try Criterion.decode(json, at: path, regexes: regexes, providers: providers)
        }
    }

    /// A criterion's JSON text: one hashing pass over its bytes and a byte comparison per
    /// lookup. Hashing a `JSONValue` instead hashes every object member with a hasher of its own
    /// (so that member order does not matter) and compares objects member by member, which for
    /// a criterion with a schema cost more than the rest of a 1 KB request. The same criterion
    /// with its members in another order is a separate entry, which only costs a decode.
    struct Key: Hashable, Sendable {
        let text: [UInt8]

        init(_ json: JSONValue) {
            text = JSONWriter.bytes(json)
        }

        func hash(into hasher: inout Hasher) {
            text.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
