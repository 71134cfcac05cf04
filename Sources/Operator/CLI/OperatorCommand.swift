import AssayCore
import Foundation
import Suites

/// `assay-operator <command>`: a pure function from arguments and environment to what is
/// printed and the exit status, so the tests run the CLI without a process.
enum OperatorCommand {
    struct Outcome: Sendable, Equatable {
        var status: Int32
        var output = ""
        var error = ""
    }

    /// Exit status for bad usage or input, as the evaluator's CLI uses it.
    static let usageStatus: Int32 = 2

    static let usage = """
        Usage: assay-operator <command> [options]

        The Kubernetes operator for EvaluationSuite resources.

        Commands:
          crd       Print the EvaluationSuite CustomResourceDefinition (YAML)
          render    Print the Deployment, Service and HPA the operator would create for a suite file
          run       Run the controller: reconcile EvaluationSuites until SIGTERM

        Run `assay-operator <command> --help` for a command's options.

        """

    static func run(_ arguments: [String], environment: [String: String]) -> Outcome {
        guard let command = arguments.first else { return Outcome(status: usageStatus, error: usage) }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "--help", "-h", "help": return Outcome(status: 0, output: usage)
        case "crd": return crd(rest, environment: environment)
        case "render": return RenderCommand.run(rest, environment: environment)
        case "run": return runController(rest, environment: environment)
        default:
            return Outcome(status: usageStatus, error: "assay-operator: unknown command '\(command)'\n\n\(usage)")
        }
    }

    static func crd(_ arguments: [String], environment: [String: String]) -> Outcome {
        var parser = OptionParser(
            command: "assay-operator crd", summary: "Prints the EvaluationSuite CustomResourceDefinition.")
        parser.option("output", env: "ASSAY_OUTPUT", default: "yaml", help: "yaml or json")
        return parsing(parser, arguments, environment) { values in
            switch values.string("output") {
            case "json": Outcome(status: 0, output: JSONWriter.string(CRDGenerator.crd()) + "\n")
            case "yaml": Outcome(status: 0, output: CRDGenerator.yaml)
            case let other:
                Outcome(status: usageStatus, error: "--output must be yaml or json, got '\(other ?? "")'\n")
            }
        }
    }

    /// `run` is started by main.swift (it is long-running and async); here only its flags are
    /// checked, so `run --help` and bad flags behave like the other commands.
    static func runController(_ arguments: [String], environment: [String: String]) -> Outcome {
        parsing(ControllerCommand.parser(), arguments, environment) { values in
            do {
                _ = try ControllerCommand.settings(values, environment: environment)
                return Outcome(status: 0)
            } catch {
                return Outcome(status: usageStatus, error: "assay-operator run: \(error)\n")
            }
        }
    }

    /// Parses, turning `--help` into its usage on stdout and bad flags into status 2.
    static func parsing(
        _ parser: OptionParser, _ arguments: [String], _ environment: [String: String],
        _ body: (OptionValues) -> Outcome
    ) -> Outcome {
        do {
            return body(try parser.parse(arguments, environment: environment))
        } catch {
            if case .helpRequested(let text) = error { return Outcome(status: 0, output: text) }
            return Outcome(status: usageStatus, error: "\(parser.command): \(error)\n")
        }
    }
}
