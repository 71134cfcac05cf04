import Foundation

/// `assay-kube-emulator [--port P] [--kubeconfig-out FILE] [--bookmark-interval SECONDS]
/// [--openapi-schemas FILE] [--upstream-kubeconfig FILE] [--max-requests-inflight N]
/// [--max-mutating-requests-inflight N] [--request-latency-ms MS]`
///
/// Serves the emulated Kubernetes API on 127.0.0.1 (port 0 picks a free port), prints
/// `listening on 127.0.0.1:PORT`, writes a kubeconfig when asked, and exits cleanly on SIGTERM or SIGINT.
/// With `--upstream-kubeconfig` it is a front for a real API server that serves custom resources.
struct CommandLineOptions {
    var port: UInt16 = 0
    var kubeconfigOut: String?
    var bookmarkInterval: Double?
    var openAPISchemas: String?
    var upstreamKubeconfig: String?
    var inflight = InflightLimit.Limits()
    var requestLatencyMilliseconds = 0

    static let usage = """
        usage: assay-kube-emulator [--port P] [--kubeconfig-out FILE] [--bookmark-interval SECONDS]
                                   [--openapi-schemas FILE] [--upstream-kubeconfig FILE]
                                   [--max-requests-inflight N] [--max-mutating-requests-inflight N]
                                   [--request-latency-ms MS]
        """

    init(_ arguments: [String]) throws(UsageError) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            func next() throws(UsageError) -> String {
                guard let v = value ?? iterator.next() else { throw UsageError(message: "\(name) needs a value") }
                return v
            }
            switch name {
            case "--port":
                let text = try next()
                guard let p = UInt16(text) else { throw UsageError(message: "invalid port \(text)") }
                port = p
            case "--kubeconfig-out": kubeconfigOut = try next()
            case "--openapi-schemas": openAPISchemas = try next()
            case "--upstream-kubeconfig": upstreamKubeconfig = try next()
            case "--bookmark-interval":
                let text = try next()
                guard let seconds = Double(text), seconds > 0 else {
                    throw UsageError(message: "invalid bookmark interval \(text)")
                }
                bookmarkInterval = seconds
            case "--max-requests-inflight": inflight.readOnly = try Self.count(next())
            case "--max-mutating-requests-inflight": inflight.mutating = try Self.count(next())
            case "--request-latency-ms": requestLatencyMilliseconds = try Self.count(next())
            case "-h", "--help": throw UsageError(message: "")
            default: throw UsageError(message: "unknown argument \(argument)")
            }
        }
    }

    /// A whole number, 0 or more.
    private static func count(_ text: String) throws(UsageError) -> Int {
        guard let value = Int(text), value >= 0 else { throw UsageError(message: "invalid count \(text)") }
        return value
    }

    struct UsageError: Error {
        var message: String
    }
}

let options: CommandLineOptions
do {
    options = try CommandLineOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
    if !error.message.isEmpty { FileHandle.standardError.write(Data("assay-kube-emulator: \(error.message)\n".utf8)) }
    FileHandle.standardError.write(Data("\(CommandLineOptions.usage)\n".utf8))
    exit(error.message.isEmpty ? 0 : 2)
}

var configuration = APIServer.Configuration()
if let interval = options.bookmarkInterval { configuration.bookmarkInterval = interval }
configuration.inflight = options.inflight
configuration.requestLatency = .milliseconds(options.requestLatencyMilliseconds)
let emulator: Emulator
do {
    if let path = options.openAPISchemas { configuration.openAPISchemas = try BuiltinSchemas(path: path) }
    if let path = options.upstreamKubeconfig { configuration.upstream = try Upstream(kubeconfig: path) }
    emulator = try Emulator(port: options.port, configuration: configuration)
    if let path = options.kubeconfigOut { try emulator.writeKubeconfig(to: path) }
} catch {
    FileHandle.standardError.write(Data("assay-kube-emulator: \(error)\n".utf8))
    exit(1)
}
FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(emulator.port)\n".utf8))

for signalNumber in [SIGTERM, SIGINT] { signal(signalNumber, SIG_IGN) }
let signalSources = [SIGTERM, SIGINT].map { signalNumber in
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
    source.setEventHandler {
        emulator.stop()
        exit(0)
    }
    source.resume()
    return source
}
withExtendedLifetime(signalSources) { dispatchMain() }
