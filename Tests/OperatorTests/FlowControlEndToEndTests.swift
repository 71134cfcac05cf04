import AssayCore
import AssayKube
import Foundation
import TestSupport
import Testing

/// The operator against an API server that sheds load: the emulator with a tiny in-flight limit
/// (kube-apiserver's `--max-requests-inflight`) answers 429 with `Retry-After: 1`, and the
/// operator, with no client-side limit by default, must wait and retry rather than fail.
@Suite(
    "The operator honours the API server's flow control", .serialized,
    .enabled(if: OperatorFixture.missing == nil, "\(OperatorFixture.missing ?? "")"))
struct FlowControlEndToEndTests {
    static let suites = 6

    @Test(
        "with one write and two reads in flight at a time every suite succeeds, no reconcile fails, 429s were met")
    func convergesUnder429() async throws {
        let limits = [
            "--max-requests-inflight", "2", "--max-mutating-requests-inflight", "1", "--request-latency-ms", "20",
        ]
        try await OperatorFixture.with(emulatorArguments: limits) { fixture in
            let yaml = (0..<Self.suites).map { fixture.suiteYAML("shed-\($0)", cases: 2) }.joined(separator: "---\n")
            let applied = try fixture.apply(yaml)
            #expect(applied.status == 0, "\(applied.combined)")
            for index in 0..<Self.suites {
                try await fixture.waitForPhase("shed-\(index)", "Succeeded", within: .seconds(120))
            }
            let counts = try JSONParser.parse(
                Array(try await LocalHTTP.get(fixture.emulator.baseURL + "/emulator/requests").body.utf8))
            let refused = counts["tooManyRequests"]?["byAgent"]?["assay-operator"]?.doubleValue ?? 0
            #expect(refused > 0, "the limit was met: \(JSONWriter.string(counts["tooManyRequests"] ?? .null))")

            let metrics = try await fixture.operators[0].get("/metrics").body
            let failed = metrics.split(separator: "\n").first {
                $0.hasPrefix("assay_operator_reconciles_total{result=\"error\"}")
            }
            #expect(failed == nil || failed?.hasSuffix(" 0") == true, "no reconcile failed: \(failed ?? "")")
            // Honoured, not just survived: the operator logged nothing about refused requests.
            #expect(!fixture.operators[0].tail(400).contains("TooManyRequests"))
        }
    }
}
