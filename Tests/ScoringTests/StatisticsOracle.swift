import AssayCore
import Foundation
import TestSupport
import Testing

/// Reference values from tools/statistics_oracle.py (scipy, statsmodels in the test venv), for
/// every case in ``StatisticsCases``, computed once per test run.
///
/// Outside a set-up checkout (no `.venv`) the oracle suites are skipped with that reason; in CI,
/// where bin/setup always creates the venv, a missing venv or package fails them.
enum StatisticsOracle {
    static let python = Repository.path(".venv/bin/python")
    static let script = Repository.path("tools/statistics_oracle.py")
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let runnable = inCI || FileManager.default.isExecutableFile(atPath: python)
    static let skipReason: Comment = "no test virtualenv (.venv): run bin/setup to install scipy and statsmodels"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The oracle's answer to ``StatisticsCases/request``.
    static let answer: Result<JSONValue, Failure> = run()

    static func get() throws -> JSONValue { try answer.get() }

    private static func run() -> Result<JSONValue, Failure> {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return .failure(
                Failure(description: ".venv/bin/python is missing: run bin/setup to create the test virtualenv"))
        }
        do {
            let request = JSONWriter.string(StatisticsCases.request)
            let result = try Command.run(python, [script], input: request, timeout: .seconds(300))
            guard result.status == 0 else {
                return .failure(
                    Failure(
                        description:
                            "statistics_oracle.py failed (\(result.status)); run bin/setup if packages are missing:\n\(result.error)"
                    ))
            }
            return .success(try JSONParser.parse(Array(result.output.utf8)))
        } catch {
            return .failure(Failure(description: "statistics_oracle.py could not run: \(error)"))
        }
    }

    /// The oracle's list `name`, which must have one entry per case sent.
    static func list(_ name: String, count: Int) throws -> [JSONValue] {
        let list = try #require(try get()[name]?.arrayValue, "the oracle's answer has no \(name)")
        try #require(list.count == count, "the oracle answered \(list.count) \(name) cases for \(count)")
        return list
    }
}

/// How far apart our value and the reference may be: |ours - reference| ≤ max(absolute,
/// relative · |reference|).
struct Tolerance: CustomStringConvertible {
    var absolute: Double
    var relative: Double

    func bound(_ reference: Double) -> Double { max(absolute, relative * abs(reference)) }

    var description: String { "abs \(absolute), rel \(relative)" }
}

/// Checks values against their references and remembers the worst disagreement, relative to
/// the tolerance, which the suite prints so that margins stay visible.
struct Agreement {
    var function: String
    var tolerance: Tolerance
    private(set) var worst = (difference: 0.0, relative: 0.0, ratio: 0.0, label: "none")
    private(set) var checked = 0

    init(_ function: String, _ tolerance: Tolerance) {
        self.function = function
        self.tolerance = tolerance
    }

    mutating func check(
        _ ours: Double, _ reference: Double, _ label: @autoclosure () -> String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        checked += 1
        let difference = ours == reference ? 0 : abs(ours - reference)
        let bound = tolerance.bound(reference)
        #expect(
            difference <= bound, "\(function) \(label()): ours \(ours), reference \(reference)",
            sourceLocation: sourceLocation)
        if difference / bound > worst.ratio || (difference.isNaN && !worst.ratio.isNaN) {
            worst = (difference, reference == 0 ? 0 : difference / abs(reference), difference / bound, label())
        }
    }

    /// One line for the test log: the worst disagreement and where.
    func report() {
        let percent = (worst.ratio * 1000).rounded() / 10
        print(
            "statistics oracle: \(function): \(checked) values, worst at \(worst.label): |ours - reference| = \(worst.difference), relative \(worst.relative), \(percent)% of the tolerance (\(tolerance))"
        )
    }
}
