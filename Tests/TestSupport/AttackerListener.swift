import AssayCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP listener standing in for an attacker's server: it records every connection and
/// every byte sent to it (answering each request with 503 and closing), so that a test can assert
/// that a hostile request made the evaluator send it nothing, or nothing secret.
public final class AttackerListener: Sendable {
    private struct State {
        var connections = 0
        var received: [UInt8] = []
    }

    public let port: Int
    private let descriptor: Int32
    private let state = Guarded(State())
    private let finished = DispatchSemaphore(value: 0)

    public struct CannotListen: Error {}

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CannotListen() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw CannotListen()
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "attacker-listener-\(port)"
        thread.start()
    }

    /// `http://127.0.0.1:<port>/v1`, where a hostile request would point a provider.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Connections accepted so far.
    public var connections: Int { state.withLock { $0.connections } }

    /// Everything received so far, as text.
    public var received: String { state.withLock { String(decoding: $0.received, as: UTF8.self) } }

    /// Closes the listener and waits for its thread.
    public func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        _ = finished.wait(timeout: .now() + 5)
        close(descriptor)
    }

    private func acceptLoop() {
        defer { finished.signal() }
        while true {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            state.withLock { $0.connections += 1 }
            var limit = timeval(tv_sec: 0, tv_usec: 300_000)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                state.withLock { $0.received.append(contentsOf: buffer[..<count]) }
            }
            let answer = Array(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(client)
        }
    }
}
