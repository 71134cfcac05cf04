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
    /// Whole `criteria` lists by their source text in a request body (see ``criteria(source:)``).
    private let lists: LRUCache<Key, [Criterion]>
    package let regexes: RegexCache
    /// How `llmJudge` criteria's `judge` chains are read (the cache's criteria all come from one
    /// kind of writer: requests, resources or suite files).
    package let providers: ProviderOrigin

    package init(
        capacity: Int = defaultCapacity, regexes: RegexCache = RegexCache(), providers: ProviderOrigin = .localFile
    ) {
        criteria = LRUCache(capacity: capacity)
        lists = LRUCache(capacity: capacity)
        self.regexes = regexes
        self.providers = providers
    }

    package var count: Int { criteria.count }

    package func criterion(_ json: JSONValue, at path: String) throws(FieldError) -> Criterion {
        try criteria.value(forKey: Key(json)) { () throws(FieldError) -> Criterion in
            try Criterion.decode(json, at: path, regexes: regexes, providers: providers)
        }
    }

    /// Lists whose source text is longer are not kept by ``criteria(source:)``: the cache holds
    /// the text as its key, and a list this long costs far more to score than to decode again.
    package static let maxListSourceBytes = 64 * 1024

    /// The criteria a request's `criteria` list decoded to when the same source text (the bytes
    /// of the list as the body spelt them) was last seen: the common case of a service or a suite
    /// sending the same criteria with every output costs one hash of those bytes and one
    /// comparison, instead of writing each criterion out again as its key. Only lists that
    /// decoded without an error are kept, so every problem is still reported by decoding.
    package func criteria(source: ArraySlice<UInt8>) -> [Criterion]? {
        guard source.count <= Self.maxListSourceBytes else { return nil }
        // Looked up in place in the body; only a list that is kept gets a copy of its own.
        return lists.value(forKey: Key(text: source))
    }

    /// Keeps `criteria`, decoded without error from `source` (see ``criteria(source:)``).
    package func remember(_ criteria: [Criterion], source: ArraySlice<UInt8>) {
        guard source.count <= Self.maxListSourceBytes else { return }
        lists.insert(criteria, forKey: Key(text: ArraySlice(Array(source))))
    }

    /// A criterion's JSON text: one hashing pass over its bytes and a byte comparison per
    /// lookup. Hashing a `JSONValue` instead hashes every object member with a hasher of its own
    /// (so that member order does not matter) and compares objects member by member, which for
    /// a criterion with a schema cost more than the rest of a 1 KB request. The same criterion
    /// with its members in another order is a separate entry, which only costs a decode.
    struct Key: Hashable, Sendable {
        let text: ArraySlice<UInt8>

        init(_ json: JSONValue) {
            text = JSONWriter.bytes(json)[...]
        }

        init(text: ArraySlice<UInt8>) {
            self.text = text
        }

        func hash(into hasher: inout Hasher) {
            text.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
