import AssayCore
import Suites

/// The contract's settings are declared from the contract, so the flag and its variable are the
/// names the operator writes into the evaluator's Deployment.
typealias Pod = EvaluatorPodContract

extension OptionParser {
    mutating func option(_ setting: EvaluatorPodContract.Setting, default defaultValue: String? = nil, help: String) {
        option(setting.option, env: setting.variable, default: defaultValue, help: help)
    }
}
