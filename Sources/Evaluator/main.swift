import Foundation
import Scoring

let usage = """
    Usage: assay-evaluator <command> [options]

    Commands:
      serve     Run the evaluation API (see `assay-evaluator serve --help`)
      run       Evaluate a suite file (see `assay-evaluator run --help`)

    Every option can also be set through the ASSAY_* environment variable shown in each
    command's --help.

    """

let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
switch arguments.first {
case "serve":
    status = await ServeCommand.run(Array(arguments.dropFirst()))
case "run":
    status = await RunCommand.run(Array(arguments.dropFirst()))
case "--help", "-h", "help":
    print(usage, terminator: "")
    status = 0
case let other:
    FileHandle.standardError.write(Data("assay-evaluator: unknown command '\(other ?? "")'\n\n\(usage)".utf8))
    status = 2
}
exit(status)
