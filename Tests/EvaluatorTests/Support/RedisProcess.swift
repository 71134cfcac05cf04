import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway redis-server on a free loopback port without persistence; `kill()` then `start()`
/// simulates a crash and a restart on the same port.
final class RedisProcess: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case notReady(Int)

        var description: String {
            switch self {
            case .notInstalled: "redis-server is not on PATH; install Redis 7 to run these tests"
            case .notReady(let port): "redis-server did not accept connections on port \(port)"
            }
        }
    }

    let port: Int
    /// Touched only by the test that owns this server, one call at a time.
    private var process: Process?

    var url: String { "redis://127.0.0.1:\(port)" }

    static func start() async throws -> RedisProcess {
        let server = RedisProcess(port: try LoopbackPort.free())
        try await server.start()
        return server
    }

    private init(port: Int) { self.port = port }

    deinit { kill() }

    func start() async throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { "\($0)/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw Failure.notInstalled }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "",
            "--daemonize", "no",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if LoopbackPort.accepts(port) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure.notReady(port)
    }

    /// SIGKILL: the server vanishes without closing anything gracefully.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }
}

/// Loopback TCP ports for test servers.
enum LoopbackPort {
    struct NoFreePort: Error {}

    /// A port the kernel just chose for a bound (then closed) socket.
    static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NoFreePort() }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw NoFreePort() }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on `port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
