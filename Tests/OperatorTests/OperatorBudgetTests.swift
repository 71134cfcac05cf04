import AssayCore
import Foundation
import Suites
import TestSupport
import Testing

/// `spec.budget` in a cluster: evaluator processes spend tokens on the provider emulator, the
/// record script marks the budget spent in Redis, and the operator fails the run with condition
/// `BudgetExceeded` saying how far it got.
@Suite(
    "A spent budget fails a cluster run with BudgetExceeded", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct OperatorBudgetTests {
    static let cases = 60

    @Test(
        "a suite with a small spec.budget.maxTokens ends Failed, Ready=False BudgetExceeded, after a few of its cases")
    func budgetExceeded() async throws {
        try await OperatorFixture.with(backend: .emulator) { fixture in
            // Each case costs 5 tokens at the emulator (2 words in, 3 out): 20 tokens buy about 4
            // cases, plus the one or two in flight when the mark is set.
            let yaml = fixture.suiteYAML("spend", cases: Self.cases, concurrency: 1) + "  budget: {maxTokens: 20}\n"
            let applied = try fixture.apply(yaml)
            #expect(applied.status == 0, "\(applied.combined)")
            let status = try await fixture.waitForPhase("spend", "Failed", within: .seconds(90))
            let ready = try #require(status["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }, "\(status)")
            #expect(ready["status"] == "False" && ready["reason"] == "BudgetExceeded", "\(ready)")
            let message = try #require(ready["message"]?.stringValue)
            #expect(
                message.hasPrefix("Budget: ") && message.contains(" tokens of 20; exceeded (BudgetExceeded) after "))
            let recorded = try #require(Self.recorded(in: message), "how far it got: \(message)")
            #expect(recorded >= 4 && recorded < Self.cases, "\(message)")
            #expect(OperatorFixture.int(status["progress"]?["completed"]) == recorded, "\(status)")
            #expect(OperatorFixture.int(status["progress"]?["total"]) == Self.cases)
            let progressing = status["conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }
            #expect(progressing?["reason"] == "BudgetExceeded" && progressing?["message"] == ready["message"])
            try await eventually("a BudgetExceeded event") {
                try fixture.eventReasons(about: "spend").contains("BudgetExceeded")
            }
            // What kubectl users see: the phase and how far it got.
            let row = try fixture.kubectl(["get", "evaluationsuites"]).output.split(separator: "\n")
                .first { $0.hasPrefix("spend") }
            #expect(
                row?.contains("Failed") == true && row?.contains("\(recorded)/\(Self.cases)") == true, "\(row ?? "")")
        }
    }

    /// `n` from "... after n of 60 cases".
    static func recorded(in message: String) -> Int? {
        guard let after = message.range(of: "after ") else { return nil }
        return Int(message[after.upperBound...].prefix { $0.isNumber })
    }
}
