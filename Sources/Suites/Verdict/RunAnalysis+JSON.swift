import AssayCore
import Scoring

extension RunAnalysis {
    /// `aggregates`' JSON with the analysis merged in: `passRateInterval`, `meanScore`,
    /// `meanScoreInterval` and `errorReasons` on each target (intervals on its criteria too),
    /// `confidenceLevel`, `gate`, `comparisons`, `baseline` and the `verdict`.
    package func json(merging aggregates: JSONValue) -> JSONValue {
        guard case .object(var object) = aggregates else { return aggregates }
        if case .array(let items) = object["targets"] {
            object["targets"] = .array(
                zip(items, targets).map { item, statistics in statistics.json(merging: item) })
        }
        object["meetsThreshold"] = .bool(targets.allSatisfy(\.verdict.passed))
        object["confidenceLevel"] = .number(level)
        object["gate"] = [
            "on": .string(gate.on.rawValue), "alpha": .number(gate.alpha), "maxRegression": .number(gate.maxRegression),
        ]
        object["comparisons"] = .array(comparisons.map { $0.result.json(a: $0.a, b: $0.b) })
        if let baseline { object["baseline"] = baseline.json }
        object["verdict"] = .string(verdict.rawValue)
        return .object(object)
    }
}

extension RunAnalysis.TargetStatistics {
    func json(merging item: JSONValue) -> JSONValue {
        guard case .object(var object) = item else { return item }
        object["passRateInterval"] = passRateInterval?.json ?? .null
        object["meanScore"] = meanScore.map(JSONValue.number) ?? .null
        object["meanScoreInterval"] = meanScoreInterval?.json ?? .null
        object["verdict"] = .string(verdict.rawValue)
        if case .array(let items) = object["criteria"] {
            object["criteria"] = .array(
                zip(items, criteria).map { item, criterion in
                    guard case .object(var member) = item else { return item }
                    member["passRateInterval"] = criterion.passRateInterval?.json ?? .null
                    member["meanScoreInterval"] = criterion.meanScoreInterval?.json ?? .null
                    return .object(member)
                })
        }
        object["errorReasons"] = .array(
            errorReasons.map { ["reason": .string($0.reason), "count": .number(Double($0.count))] })
        if let repeats { object["repeats"] = repeats.json }
        return .object(object)
    }
}

extension RepeatStatistics {
    /// `{"repeats": 3, "cases": 10, "passAll": 0.8, "passedAll": 8, "meanPassFraction": 0.9, "flaky": 2, "flakyCaseIDs": [...]}`.
    package var json: JSONValue {
        .object(
            JSONObject([
                ("repeats", .number(Double(repeats))), ("cases", .number(Double(cases))), ("passAll", .number(passAll)),
                ("passedAll", .number(Double(passedAll))), ("meanPassFraction", .number(meanPassFraction)),
                ("flaky", .number(Double(flakyCount))), ("flakyCaseIDs", .array(flakyCaseIDs.map(JSONValue.string))),
            ]))
    }
}

extension BaselineVerdict {
    package var json: JSONValue {
        [
            "regressed": .bool(regressed),
            "targets": .array(
                targets.map { target in
                    .object(
                        JSONObject([
                            ("name", .string(target.name)), ("cases", .number(Double(target.cases))),
                            ("baselinePassRate", .number(target.baselinePassRate)),
                            ("passRate", .number(target.passRate)), ("difference", .number(target.difference)),
                            ("interval", target.interval.json), ("pValue", .number(target.pValue)),
                            ("test", .string(target.test.rawValue + "-one-sided")),
                            ("regressed", .bool(target.regressed)),
                            ("newlyFailing", .array(target.newlyFailing.map(JSONValue.string))),
                            ("newlyPassing", .array(target.newlyPassing.map(JSONValue.string))),
                        ]))
                }),
        ]
    }
}
