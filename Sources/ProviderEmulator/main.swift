import Dispatch
import Foundation

let options: EmulatorOptions
do {
    options = try EmulatorOptions.parse(
        Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
} catch {
    if case .options(.helpRequested(let usage)) = error {
        print(usage)
        exit(0)
    }
    FileHandle.standardError.write(Data("assay-provider-emulator: \(error)\n".utf8))
    exit(2)
}

let running: EmulatorServer
do {
    running = try EmulatorServer.start(options)
} catch {
    FileHandle.standardError.write(Data("assay-provider-emulator: \(error)\n".utf8))
    exit(1)
}

// SIGTERM (Kubernetes, bin/serve) and SIGINT (a terminal): stop accepting, release held requests, exit 0.
var signalSources: [any DispatchSourceSignal] = []
for sig in [SIGTERM, SIGINT] {
    signal(sig, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
    source.setEventHandler {
        Task {
            await running.stop()
            exit(0)
        }
    }
    source.resume()
    signalSources.append(source)
}

// Written unbuffered: scripts wait for this line to learn the port.
FileHandle.standardOutput.write(Data("listening on \(options.host):\(running.port)\n".utf8))
dispatchMain()
