import Testing

@testable import Operator

@Suite("Conditions and the status JSON")
struct ConditionsTests {
    static func ready(_ status: Condition.Status, at time: String) -> Condition {
        Condition(
            type: Conditions.ready, status: status, observedGeneration: 1, lastTransitionTime: time, reason: "R",
            message: "m")
    }

    @Test(
        "setting a condition keeps its transition time unless the status changes",
        arguments: [
            (Condition.Status.isTrue, Condition.Status.isTrue, "t0"),
            (.isTrue, .isFalse, "t1"),
            (.unknown, .isTrue, "t1"),
        ])
    func conditionTransitionTime(before: Condition.Status, after: Condition.Status, expected: String) {
        let list = Conditions.set(Self.ready(after, at: "t1"), in: [Self.ready(before, at: "t0")])
        #expect(list.count == 1)
        #expect(list.first?.lastTransitionTime == expected)
        #expect(list.first?.status == after)
    }

    @Test("a new condition type is appended")
    func appends() {
        let progressing = Condition(
            type: Conditions.progressing, status: .isTrue, lastTransitionTime: "t", reason: "RunInProgress", message: ""
        )
        #expect(
            Conditions.set(progressing, in: [Self.ready(.isTrue, at: "t0")]).map(\.type) == ["Ready", "Progressing"])
    }

    @Test("status JSON fills the Progress column and caps failing cases")
    func statusJSON() {
        var status = SuiteStatus()
        status.run.counts = .init(total: 40, completed: 12, passed: 10, failed: 1, errored: 1)
        status.run.failingCases = (0..<30).map { .init(id: "c\($0)", target: "t") }
        #expect(status.json["progress"]?["summary"] == "12/40")
        #expect(status.json["failingCases"]?.arrayValue?.count == SuiteStatus.maxFailingCases)
        #expect(status.json["phase"] == "Pending")
    }
}
