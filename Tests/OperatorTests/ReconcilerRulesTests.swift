import AssayCore
import Testing

@testable import Operator

@Suite("The reconciler's pure rules")
struct ReconcilerRulesTests {
    @Test(
        "a child is applied only when the cached copy lacks a field we set",
        arguments: [
            ("same object", ["a": 1, "b": ["c": "d"]], ["a": 1, "b": ["c": "d"]], true),
            ("server defaults and other managers' fields are extra", ["a": 1, "x": 2], ["a": 1], true),
            ("a changed value", ["a": 2], ["a": 1], false),
            ("a missing field", ["b": 1], ["a": 1], false),
            ("a list of another length", ["l": [1, 2]], ["l": [1]], false),
            ("list items compared member by member", ["l": [["n": "a", "p": "TCP"]]], ["l": [["n": "a"]]], true),
            ("integers and doubles are numbers", ["r": 1.0], ["r": 1], true),
        ] as [(String, JSONValue, JSONValue, Bool)])
    func contains(name: String, actual: JSONValue, desired: JSONValue, expected: Bool) {
        #expect(Reconciler.contains(actual, desired) == expected, "\(name)")
    }

    @Test("progress reads back off while a run stands still and return to the base interval when it moves")
    func progressPoll() {
        var poll = ProgressPoll(completed: 0, backoff: OperatorConfig().progressBackoff)
        var intervals: [Duration] = []
        for completed in [0, 0, 0, 0, 0, 3, 3, 9] {
            poll.observe(completed)
            intervals.append(poll.interval)
        }
        #expect(intervals.map { Int($0.components.seconds) } == [10, 20, 40, 60, 60, 5, 10, 5])
    }
}
