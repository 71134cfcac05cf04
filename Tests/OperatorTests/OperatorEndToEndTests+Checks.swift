import AssayCore
import AssayKube
import Foundation
import Suites
import TestSupport
import Testing

/// What the end-to-end tests read back: Redis command counts, resourceVersions, reconciles, and
/// the children checked against Kubernetes' schemas.
extension OperatorEndToEndTests {
    /// Commands the Redis server has processed so far.
    static func redisCommands(_ fixture: OperatorFixture) async throws -> Int {
        let info = try await fixture.redisClient().send(["INFO", "stats"]).text ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_commands_processed:") }
        return Int(line?.split(separator: ":").last ?? "") ?? 0
    }

    /// resourceVersions of everything the operator writes.
    static func versions(_ fixture: OperatorFixture) async throws -> [String] {
        var versions: [String] = []
        for kind in [ResourceKind.evaluationSuite, .deployment, .service, .horizontalPodAutoscaler, .event] {
            let list = try await fixture.client.list(kind, namespace: "default")
            versions += list.items.map { "\(kind.plural)/\($0.name ?? "")@\($0.resourceVersion ?? "")" }
        }
        return versions.sorted()
    }

    /// The operator's reconcile count from its /metrics.
    static func reconciles(_ fixture: OperatorFixture) async throws -> Int {
        let text = try await fixture.operators[0].get("/metrics").body
        var total = 0.0
        for line in text.split(separator: "\n") where line.hasPrefix("assay_operator_reconciles_total{") {
            total += Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return Int(total)
    }

    /// The children as the API server holds them validate against Kubernetes' own schemas.
    func validate(_ objects: [KubeObject], in fixture: OperatorFixture) throws {
        guard Command.available(Self.validator) else {
            print("kubernetes-validate is not installed (bin/setup); children not schema-checked")
            return
        }
        var files: [String] = []
        for object in objects {
            var json = object.json.objectValue ?? JSONObject()
            // Status is written by controllers; the schema check is about what we declare.
            json["status"] = nil
            files.append(
                try fixture.directory.write("\(object.kind ?? "object").json", JSONWriter.string(.object(json))))
        }
        let result = try Command.run(Self.validator, ["--strict", "--quiet", "--kubernetes-version", "1.32.0"] + files)
        #expect(result.status == 0, "\(result.combined)")
        #expect(files.count == 3)
    }
}
