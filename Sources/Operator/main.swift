import Common
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let outcome = OperatorCommand.run(arguments, environment: ProcessInfo.processInfo.environment)
if !outcome.output.isEmpty { FileHandle.standardOutput.write(Data(outcome.output.utf8)) }
if !outcome.error.isEmpty { FileHandle.standardError.write(Data(outcome.error.utf8)) }
exit(outcome.status)
