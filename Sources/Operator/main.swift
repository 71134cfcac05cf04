import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
if arguments.first == "run" {
    exit(await ControllerCommand.run(Array(arguments.dropFirst()), environment: environment))
}
let outcome = OperatorCommand.run(arguments, environment: environment)
if !outcome.output.isEmpty { FileHandle.standardOutput.write(Data(outcome.output.utf8)) }
if !outcome.error.isEmpty { FileHandle.standardError.write(Data(outcome.error.utf8)) }
exit(outcome.status)
