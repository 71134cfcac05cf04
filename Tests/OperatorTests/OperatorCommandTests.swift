import TestSupport
import Testing

@testable import Operator

@Suite("assay-operator's command line")
struct OperatorCommandTests {
    @Test(
        "commands, help and errors map to output and exit status",
        arguments: [
            ([String](), Int32(2), "Usage: assay-operator"),
            (["--help"], 0, "Commands:"),
            (["crd", "--help"], 0, "--output"),
            (["crd"], 0, "kind: CustomResourceDefinition"),
            (["crd", "--output", "json"], 0, "\"CustomResourceDefinition\""),
            (["crd", "--output", "xml"], 2, "--output must be yaml or json"),
            (["run", "--workers", "none"], 2, "--workers"),
            (["render"], 2, "give exactly one suite file"),
            (["render", "/nonexistent/suite.yaml"], 2, "cannot read"),
            (["bogus"], 2, "unknown command 'bogus'"),
        ])
    func commands(arguments: [String], status: Int32, text: String) {
        let outcome = OperatorCommand.run(arguments, environment: [:])
        #expect(outcome.status == status)
        #expect((outcome.output + outcome.error).contains(text), "\(outcome)")
    }

    @Test("flags fall back to ASSAY_ environment variables")
    func environment() {
        let outcome = OperatorCommand.run(
            ["render", Repository.path("config/samples/capitals.yaml")],
            environment: ["ASSAY_EVALUATOR_IMAGE": "example.test/e:2", "ASSAY_OUTPUT": "json"])
        #expect(outcome.status == 0)
        #expect(outcome.output.contains("\"image\":\"example.test/e:2\""))
    }
}
