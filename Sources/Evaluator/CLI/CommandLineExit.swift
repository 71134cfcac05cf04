import AssayCore
import Foundation
import Scoring

/// Exit codes shared by every subcommand: 0 success, 1 a failed gate (3/5's pass threshold),
/// 2 invalid input or usage (the message names what to fix).
enum CommandLineExit {
    static let success: Int32 = 0
    static let failedGate: Int32 = 1
    static let invalidInput: Int32 = 2

    /// The options of `arguments` (each falling back to its environment variable), or, when
    /// there are none to run with, the exit code once the usage is printed or the error reported.
    static func parse(_ arguments: [String], with parser: OptionParser) -> (values: OptionValues?, exit: Int32) {
        do {
            return (try parser.parse(arguments, environment: ProcessInfo.processInfo.environment), success)
        } catch {
            return (nil, report(error))
        }
    }

    static func report(_ error: any Error) -> Int32 {
        if case .helpRequested(let usage) = error as? OptionError {
            print(usage, terminator: "")
            return success
        }
        FileHandle.standardError.write(Data("assay-evaluator: \(error)\n".utf8))
        return invalidInput
    }
}
