import Foundation

/// A running `assay-operator run`: its output goes to a log file, its health port is polled for
/// readiness, and it can die (``kill()``) or shut down (``terminate(grace:)``) like a pod.
public final class OperatorProcess: Sendable {
    public static var executable: String? { BuiltExecutable.path(BuiltExecutable.operatorName) }

    /// The port of `/healthz`, `/readyz`, `/metrics` and `/v1/runs`.
    public let healthPort: Int
    public let logFile: String
    /// The leader-election identity's prefix (`POD_NAME`).
    public let podName: String
    public let process: ChildProcess

    /// `http://127.0.0.1:<healthPort>`.
    public var healthURL: String { "http://127.0.0.1:\(healthPort)" }

    /// Starts `assay-operator run --kubeconfig <kubeconfig> --redis <redisURL> --health-host 127.0.0.1
    /// --health-port <free port> [--leader-elect] <arguments>` with `POD_NAME=<podName>` and
    /// `environment`; output goes to `<logDirectory>/<podName>.log`. Returns at once: call
    /// ``waitUntilReady(timeout:)``.
    public init(
        kubeconfig: String, redisURL: String, logDirectory: String, podName: String = "assay-operator-0",
        leaderElect: Bool = false, arguments: [String] = [], environment: [String: String] = [:],
        logLevel: String = "info"
    ) throws {
        guard let executable = Self.executable else {
            throw ChildProcess.Failure.spawn(BuiltExecutable.operatorName, ENOENT)
        }
        healthPort = try LoopbackPort.free()
        self.podName = podName
        logFile = "\(logDirectory)/\(podName).log"
        var flags = [
            "run", "--kubeconfig", kubeconfig, "--redis", redisURL, "--health-host", "127.0.0.1", "--health-port",
            String(healthPort), "--log-level", logLevel,
        ]
        if leaderElect { flags.append("--leader-elect") }
        var childEnvironment = ChildProcess.cleanEnvironment()
        childEnvironment["POD_NAME"] = podName
        childEnvironment.merge(environment) { $1 }
        process = try ChildProcess(
            executable: executable, arguments: flags + arguments, environment: childEnvironment,
            directory: logDirectory, logFile: logFile)
    }

    /// Polls `GET /readyz` until it answers 200 (caches synced, or a standby); throws if the
    /// process exits first or `timeout` passes, with the tail of its log.
    public func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let url = healthURL + "/readyz"
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let termination = process.termination {
                throw ChildProcess.Failure.exited("assay-operator was ready", termination, tail: process.tail())
            }
            if await LocalHTTP.status(url, timeout: .seconds(1)) == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ChildProcess.Failure.timedOut("assay-operator's /readyz to answer 200", tail: process.tail())
    }

    /// `GET <path>` on the health port (`/metrics`, `/v1/runs/<id>/results`, ...); the run routes
    /// need a `token` allowed to get the suite's results (``EmulatorProcess/adminToken`` may).
    public func get(_ path: String, token: String? = nil) async throws -> LocalHTTP.Response {
        try await LocalHTTP.get(healthURL + path, token: token)
    }

    public var isRunning: Bool { process.isRunning }

    /// SIGKILL: the pod dies without releasing anything (its Lease stays until it expires).
    @discardableResult
    public func kill() -> ChildProcess.Termination? { process.kill() }

    /// SIGTERM and wait (SIGKILL after `grace`): a leader releases its Lease on the way out.
    @discardableResult
    public func terminate(grace: Duration = .seconds(15)) async -> ChildProcess.Termination {
        await process.terminate(grace: grace)
    }

    /// The last lines of its log.
    public func tail(_ count: Int = 60) -> String { process.tail(count) }
}
