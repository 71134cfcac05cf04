import AssayCore
import Testing

@testable import Evaluator
@testable import Scoring

/// The `criteria` list of a request found in the cache by its bytes in the body.
@Suite("Criteria lists cached by their source bytes")
struct CriteriaListCacheTests {
    /// A body, its parse and the span of its `criteria` value, as the evaluation service sees them.
    private func parsed(_ body: String) throws -> (json: JSONValue, source: ArraySlice<UInt8>?) {
        let bytes = Array(body.utf8)
        let (json, span) = try JSONParser.parse(bytes, spanOfMember: "criteria")
        return (json, span.map { bytes[$0] })
    }

    private func decode(
        _ body: String, _ cache: CriterionCache, errors: inout [FieldError]
    ) throws -> EvaluateRequest? {
        let (json, source) = try parsed(body)
        return EvaluateRequest.decode(json, at: "", cache: cache, criteriaSource: source, errors: &errors)
    }

    @Test("the parser reports the bytes of the root's criteria value, spaces around it excluded")
    func spanIsTheValuesText() throws {
        let (_, source) = try parsed(#"{"output": "x", "criteria" :  [{"type": "isJSON"}] , "input": "y"}"#)
        #expect(source.map { String(decoding: $0, as: UTF8.self) } == #"[{"type": "isJSON"}]"#)
        let (_, nested) = try parsed(#"{"output": {"criteria": [1]}}"#)
        #expect(nested == nil)
    }

    @Test("a list seen before is taken from the cache by its bytes alone")
    func listFoundByItsBytes() throws {
        let cache = CriterionCache()
        let body =
            #"{"output": "abc", "criteria": [{"type": "contains", "value": "b"}, {"type": "regex", "pattern": "a+"}]}"#
        var errors: [FieldError] = []
        let first = try #require(try decode(body, cache, errors: &errors))
        #expect(errors.isEmpty)
        #expect(first.scorecard.criteria.map(\.type) == [.contains, .regex])
        // The same source bytes with another parsed list: the cached list is what comes back,
        // which shows that no criterion was decoded (nor written out as a key) again.
        let (other, _) = try parsed(#"{"output": "abc", "criteria": [{"type": "isJSON"}]}"#)
        let (_, source) = try parsed(body)
        let again = try #require(
            EvaluateRequest.decode(other, at: "", cache: cache, criteriaSource: source, errors: &errors))
        #expect(again.scorecard.criteria.map(\.type) == [.contains, .regex])
        #expect(cache.criteria(source: try #require(source))?.count == 2)
    }

    @Test("a list with a bad criterion is never kept, and its problems are reported every time")
    func badListsAreNotKept() throws {
        let cache = CriterionCache()
        let body = #"{"output": "abc", "criteria": [{"type": "contains", "value": "b"}, {"type": "regex"}]}"#
        for _ in 0..<2 {
            var errors: [FieldError] = []
            #expect(try decode(body, cache, errors: &errors) == nil)
            #expect(errors == [FieldError(path: "criteria[1].pattern", message: "is required")])
        }
        #expect(cache.criteria(source: try #require(try parsed(body).source)) == nil)
    }

    @Test("a cached list is still checked against the request that carries it")
    func cachedListStillChecked() throws {
        let cache = CriterionCache()
        let criteria = #"[{"type": "similarity", "method": "bleu"}]"#
        var errors: [FieldError] = []
        let withReference = #"{"output": "a", "reference": "a", "criteria": \#(criteria)}"#
        #expect(try decode(withReference, cache, errors: &errors) != nil)
        #expect(errors.isEmpty)
        #expect(try decode(#"{"output": "a", "criteria": \#(criteria)}"#, cache, errors: &errors) == nil)
        #expect(errors.map(\.path) == ["reference"])
    }

    @Test("a list longer than the limit is decoded each time and never kept")
    func longListsAreNotKept() throws {
        let cache = CriterionCache()
        let value = String(repeating: "x", count: CriterionCache.maxListSourceBytes)
        let body = #"{"output": "a", "criteria": [{"type": "contains", "value": "\#(value)"}]}"#
        var errors: [FieldError] = []
        #expect(try decode(body, cache, errors: &errors) != nil)
        let source = try #require(try parsed(body).source)
        #expect(cache.criteria(source: source) == nil)
        #expect(cache.count == 1)
    }
}
