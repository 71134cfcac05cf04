import Foundation

@testable import Common

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway redis-server for one test: a free loopback port, no persistence, its own temporary
/// directory. `kill()` and `start()` simulate a crash and a restart on the same port.
final class RedisServer {
    enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case exitedBeforeReady(output: String)
        case noFreePort

        var description: String {
            switch self {
            case .notInstalled: "redis-server is not on PATH; install Redis 7 to run these tests"
            case .exitedBeforeReady(let output): "redis-server exited before it was ready:\n\(output)"
            case .noFreePort: "could not find a free loopback port"
            }
        }
    }

    let port: Int
    let directory: URL
    private var process: Process?

    var url: RedisURL { RedisURL(host: "127.0.0.1", port: port) }

    /// A client configuration for this server that gives up quickly when it is down.
    func clientConfiguration(connections: Int = 2) -> RedisClient.Configuration {
        RedisClient.Configuration(
            url: url, connections: connections, connectTimeout: .milliseconds(500), commandTimeout: .seconds(2))
    }

    static func start() async throws -> RedisServer {
        let server = try RedisServer()
        try await server.start()
        return server
    }

    private init() throws {
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts (or restarts) the server and returns once it accepts connections.
    func start() async throws {
        guard let executable = Self.executable() else { throw Failure.notInstalled }
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--logfile", "", "--daemonize", "no",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        let reader = output.fileHandleForReading
        // Reads the log on a thread of its own (never Swift's cooperative pool) until the server says it is ready, then keeps
        // draining it so the server never blocks on a full pipe.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                var log = Data()
                var waiting = true
                while true {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    guard waiting else { continue }
                    log.append(chunk)
                    if String(decoding: log, as: UTF8.self).contains("Ready to accept connections") {
                        waiting = false
                        continuation.resume()
                    }
                }
                if waiting {
                    continuation.resume(
                        throwing: Failure.exitedBeforeReady(output: String(decoding: log, as: UTF8.self)))
                }
            }
        }
    }

    /// SIGKILL: the server vanishes without closing anything gracefully. Also how every test ends
    /// it: a child spawned from a Swift concurrency thread inherits that thread's blocked signals,
    /// so redis-server would never see a SIGTERM.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func stop() { kill() }

    private static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("redis-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Binds port 0 on loopback and returns the port the kernel chose.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.noFreePort }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(fd, address, length) == 0 && getsockname(fd, address, &length) == 0
            }
        }
        guard bound else { throw Failure.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
