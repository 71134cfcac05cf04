import AssayCore

/// The targets a run compares: the spec's `targets` (generated through their providers), or, for
/// an offline suite (no `targets`), the outputs its cases carry: one target named `output` when
/// the cases give `output`, one per name when they give `outputs: {name: ...}`.
public enum SuiteTargets {
    /// The run's target names, in spec order (or in the order the cases first name them). For an
    /// offline suite every case must carry an output for every target; the first case that does
    /// not is an error whose path is `casePath(index)` followed by the missing field.
    public static func names(
        _ spec: EvaluationSuiteSpec, cases: [SuiteCase], casePath: (Int) -> String = datasetCasePath
    ) throws(FieldError) -> [String] {
        guard spec.isOffline else { return spec.targets.map(\.name) }
        var names: [String] = []
        for suiteCase in cases {
            for output in suiteCase.outputs where !names.contains(output.name) { names.append(output.name) }
        }
        let named = !names.isEmpty
        if !named { names = [SuiteCase.offlineOutputName] }
        guard names.count <= EvaluationSuiteSpec.maxTargets else {
            throw FieldError(
                path: "spec.dataset",
                message:
                    "the cases' outputs name \(names.count) targets; at most \(EvaluationSuiteSpec.maxTargets) are allowed"
            )
        }
        for (index, suiteCase) in cases.enumerated() {
            for name in names where suiteCase.output(for: name) == nil {
                let field = named ? "outputs.\(name)" : SuiteCase.offlineOutputName
                throw FieldError(
                    path: FieldError.join(casePath(index), field),
                    message:
                        "case \"\(suiteCase.id)\" has no \(field); a suite without targets scores the outputs its "
                        + "cases carry, so every case needs \(named ? "outputs for " + names.joined(separator: ", ") : "an output")"
                )
            }
        }
        return names
    }

    /// `spec.dataset.cases[index]`: where an inline case lives (a file's cases are named by line).
    public static func datasetCasePath(_ index: Int) -> String { "spec.dataset.cases[\(index)]" }
}
