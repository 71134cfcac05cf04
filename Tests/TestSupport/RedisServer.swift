import AssayRedis
import Foundation

/// A throwaway redis-server for one test: a free loopback port, no persistence (`--save ''
/// --appendonly no`), its own temporary directory with its log. Ready once it answers PING.
/// `kill()` then `start()` simulate a crash and a restart on the same port.
public final class RedisServer: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case notReady(port: Int, log: String)

        public var description: String {
            switch self {
            case .notInstalled: "redis-server is not on PATH; install Redis 7 to run these tests"
            case .notReady(let port, let log): "redis-server did not answer PING on port \(port):\n\(log)"
            }
        }
    }

    public static var executable: String? { BuiltExecutable.onPath("redis-server") }
    public static var isInstalled: Bool { executable != nil }

    public let port: Int
    public let directory: URL
    /// Where the server's output goes (appended across restarts).
    public let logFile: String
    private let lock = NSLock()
    private var process: ChildProcess?

    public var url: RedisURL { RedisURL(host: "127.0.0.1", port: port) }
    /// `redis://127.0.0.1:<port>`, for flags and environment variables.
    public var urlString: String { "redis://127.0.0.1:\(port)" }

    /// A client configuration for this server that gives up quickly when it is down.
    public func clientConfiguration(connections: Int = 2) -> RedisClient.Configuration {
        RedisClient.Configuration(
            url: url, connections: connections, connectTimeout: .milliseconds(500), commandTimeout: .seconds(2))
    }

    public static func start() async throws -> RedisServer {
        let server = try RedisServer()
        try await server.start()
        return server
    }

    private init() throws {
        port = try LoopbackPort.free()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logFile = directory.appendingPathComponent("redis.log").path
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts (or restarts) the server and returns once it answers PING.
    public func start() async throws {
        guard let executable = Self.executable else { throw Failure.notInstalled }
        let process = try ChildProcess(
            executable: executable,
            arguments: [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--logfile", "", "--daemonize", "no",
            ],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            directory: directory.path, logFile: logFile)
        lock.withLock { self.process = process }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, process.isRunning {
            if ping() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.kill()
        throw Failure.notReady(port: port, log: process.tail())
    }

    /// Whether the server answers PING now.
    public func ping() -> Bool {
        let answer = LoopbackPort.exchange(port, Array("PING\r\n".utf8), timeout: .seconds(1)) {
            $0.contains(10)
        }
        return answer.map { String(decoding: $0, as: UTF8.self).hasPrefix("+PONG") } ?? false
    }

    /// SIGKILL: the server vanishes without closing anything gracefully.
    public func kill() {
        let process = lock.withLock {
            defer { self.process = nil }
            return self.process
        }
        process?.kill()
    }

    public func stop() { kill() }

    /// The server's last log lines, for failure messages.
    public func tail(_ count: Int = 40) -> String { lock.withLock { process?.tail(count) } ?? "" }
}
