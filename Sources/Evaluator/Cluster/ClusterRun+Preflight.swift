import AssayCore
import AssayKube
import Evaluation
import Foundation
import Suites

extension ClusterRun {
    /// Writes attempts of the `Preflight` condition: the status may change under us (the
    /// operator, another pod), which the patch's tests catch; a few tries settle it. (Our choice.)
    static let preflightWriteAttempts = 5

    /// The problems of this pod's providers as one condition message, nil when there are none.
    /// Targets are checked unless every inline case carries its output (a ConfigMap dataset is
    /// not read here, so its targets are checked).
    func preflight(_ evaluator: SuiteEvaluator, spec: EvaluationSuiteSpec) -> String? {
        var generates = true
        if case .inline(let cases) = spec.dataset { generates = cases.contains { $0.output == nil } }
        let problems = SuitePreflight.problems(
            evaluator, generates: generates, keys: .secrets(namespace: settings.namespace))
        guard !problems.isEmpty else { return nil }
        let count = problems.count == 1 ? "1 provider" : "\(problems.count) providers"
        let message =
            "\(count) cannot be called, so no case was run: "
            + problems.map(\.description).joined(separator: "; ")
        return String(message.prefix(PreflightCondition.maxMessageLength))
    }

    /// Sets the `Preflight` condition (False, `PreflightFailed`, `message`) on the suite for
    /// `generation`, unless it is already there: a JSON patch that tests the run and the
    /// conditions it read, so it never overwrites another run's status or a newer list.
    func reportPreflight(_ message: String, generation: Int) async {
        for _ in 0..<Self.preflightWriteAttempts {
            let object: KubeObject
            do {
                object = try await client.get(.evaluationSuite, name: settings.suite, namespace: settings.namespace)
            } catch {
                logger.warning("cannot read the suite to report the preflight", ["error": "\(error)"])
                return
            }
            let existing = object.json["status"]?["conditions"]?.arrayValue
            let kept = (existing ?? []).filter { $0["type"]?.stringValue != PreflightCondition.type }
            if (existing ?? []).contains(where: {
                $0["type"]?.stringValue == PreflightCondition.type && $0["message"]?.stringValue == message
                    && $0["observedGeneration"]?.doubleValue == Double(generation)
            }) {
                return
            }
            let condition: JSONValue = [
                "type": .string(PreflightCondition.type), "status": "False",
                "observedGeneration": .number(Double(generation)),
                "lastTransitionTime": .string(KubeTimestamp.format(Date().timeIntervalSince1970)),
                "reason": .string(PreflightCondition.failedReason), "message": .string(message),
            ]
            var operations: [JSONPatchOperation] = [
                .test(path: "/status/runID", value: .string(settings.runID.rawValue))
            ]
            if let existing { operations.append(.test(path: "/status/conditions", value: .array(existing))) }
            operations.append(.add(path: "/status/conditions", value: .array(kept + [condition])))
            do {
                _ = try await client.patchStatus(
                    .evaluationSuite, name: settings.suite, namespace: settings.namespace, .json(operations))
                return
            } catch let error where error.status?.code == 409 || error.status?.code == 422 {
                continue  // the status changed since the read: read it again
            } catch {
                logger.warning("cannot report the preflight on the suite", ["error": "\(error)"])
                return
            }
        }
    }
}
