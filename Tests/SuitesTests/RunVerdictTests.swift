import Suites
import Testing

@Suite("RunVerdict")
struct RunVerdictTests {
    static func aggregates(recorded: Int, passedByTarget: [Int], seeded: Bool = true, cancelled: Bool = false)
        -> RunAggregates
    {
        let targets = passedByTarget.indices.map { "t\($0)" }
        let info = RunInfo(
            id: RunID("run-1")!, suiteName: "s", total: 4, targets: targets, criteria: [], passThreshold: 0.75)
        var counters: [String: Double] = ["cases": Double(recorded)]
        for (name, passed) in zip(targets, passedByTarget) {
            counters["t:\(name):passed"] = Double(passed)
            counters["t:\(name):failed"] = Double(recorded - passed)
        }
        return RunAggregates(info: info, counters: counters, samples: [:], seeded: seeded, cancelled: cancelled)
    }

    @Test(
        "a run passes only when complete with every target at the threshold; a cancel after the last result does not undo it",
        arguments: [
            (4, [4, 3], false, RunVerdict.pass),
            (4, [4, 2], false, .fail),
            (3, [3, 3], false, .fail),
            (4, [4, 4], true, .pass),
            (2, [2, 2], true, .fail),
            (4, [3], false, .pass),
        ])
    func verdicts(recorded: Int, passed: [Int], cancelled: Bool, expected: RunVerdict) {
        let run = Self.aggregates(recorded: recorded, passedByTarget: passed, cancelled: cancelled)
        #expect(run.verdict == expected)
        #expect(run.verdict.passed == (expected == .pass))
    }

    @Test("a target's verdict is its pass rate against the threshold, and the run's phase agrees with the gate")
    func targets() {
        let run = Self.aggregates(recorded: 4, passedByTarget: [3, 2])
        #expect(run.targets.map { RunVerdict(target: $0, passThreshold: 0.75) } == [.pass, .fail])
        #expect(!run.meetsThreshold && run.phase == .failed)
        #expect(RunVerdict.meetsThreshold([], passThreshold: 1))
    }
}
