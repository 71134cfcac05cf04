import AssayCore
import AssayHTTP
import Foundation
import Glibc
import Synchronization

/// One HTTP/1.1 request as the emulator's listener reads it.
struct EmulatorRequest: Sendable {
    var method: String
    var target: String
    var path: String
    var query: [String: String]
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]

    init(
        method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let raw = kv.count > 1 ? String(kv[1]).replacingOccurrences("+", " ") : ""
                query[key] = raw.removingPercentEncoding ?? raw
            }
        }
        self.query = query
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What a stream produces each time the listener asks.
enum StreamChunk: Sendable {
    case data([UInt8])
    /// Nothing to send yet; the listener checks that the client is still there and asks again.
    case idle
    case end
}

/// A reply: one complete body, or a chunked stream (watches).
enum EmulatorReply: Sendable {
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    /// `close` runs once the stream is over, whoever ended it (a proxied watch cancels its upstream).
    case stream(
        status: Int, headers: [(String, String)], next: @Sendable () -> StreamChunk,
        close: @Sendable () -> Void = {})
}

/// A small blocking HTTP/1.1 server on 127.0.0.1, one thread per connection, with keep-alive and
/// chunked streaming. It is purpose-built for the emulator (test support), so it has no TLS, no
/// pipelining and no limits beyond a maximum request size.
final class HTTPListener: Sendable {
    /// Largest request head plus body accepted; CRDs with big schemas fit well within it.
    static let maximumRequestBytes = 16 << 20

    let port: UInt16
    private let socketFD: Int32
    private let handler: @Sendable (EmulatorRequest) -> EmulatorReply
    private let connections = Guarded<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    init(port: UInt16, handler: @escaping @Sendable (EmulatorRequest) -> EmulatorReply) throws(StartError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw StartError(description: "bind 127.0.0.1:\(port): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.socketFD = fd
        self.handler = handler
    }

    func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "kube-emulator-accept"
        thread.start()
    }

    /// Stops accepting and closes open connections.
    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
        for fd in connections.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let client = accept(socketFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections.withLock { _ = $0.insert(client) }
            let thread = Thread { [self] in
                serve(client)
                connections.withLock { _ = $0.remove(client) }
                close(client)
            }
            thread.start()
        }
    }

    // MARK: Connection

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        while !stopped.load(ordering: .sequentiallyConsistent) {
            guard let request = readRequest(fd, &buffer) else { return }
            let reply = handler(request)
            let keepAlive = request.header("connection")?.lowercased() != "close"
            switch reply {
            case .full(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) \(HTTPStatusCodes.reasonPhrase(status))\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "Content-Length: \(body.count)\r\n"
                if !keepAlive { head += "Connection: close\r\n" }
                head += "\r\n"
                guard send(fd, Array(head.utf8) + (request.method == "HEAD" ? [] : body)) else { return }
                if !keepAlive { return }
            case .stream(let status, let headers, let next, let close):
                defer { close() }
                var head = "HTTP/1.1 \(status) \(HTTPStatusCodes.reasonPhrase(status))\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "Transfer-Encoding: chunked\r\n\r\n"
                guard send(fd, Array(head.utf8)) else { return }
                streaming: while true {
                    switch next() {
                    case .data(let bytes):
                        guard
                            bytes.isEmpty
                                || send(fd, Array(String(bytes.count, radix: 16).utf8) + [13, 10] + bytes + [13, 10])
                        else { return }
                    case .idle:
                        if peerClosed(fd) { return }
                    case .end:
                        break streaming
                    }
                }
                _ = send(fd, Array("0\r\n\r\n".utf8))
                // A finished watch ends its connection, as the API server does when it drops a watch.
                return
            }
        }
    }

    /// Linux's POLLRDHUP (peer closed its writing half), which Glibc's module does not export.
    private static let pollReadHangUp: Int32 = 0x2000

    private func peerClosed(_ fd: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(Int32(POLLIN) | Self.pollReadHangUp), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        if descriptor.revents & Int16(Self.pollReadHangUp | Int32(POLLHUP) | Int32(POLLERR)) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) == 0
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return buffer.count <= Self.maximumRequestBytes
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> EmulatorRequest? {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headEnd == nil, !fill(fd, &buffer) { return nil }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingSpaces
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                var lineEnd = Self.find([13, 10], in: buffer)
                while lineEnd == nil {
                    guard fill(fd, &buffer) else { return nil }
                    lineEnd = Self.find([13, 10], in: buffer)
                }
                let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
                buffer.removeFirst(lineEnd! + 2)
                while buffer.count < size + 2 { guard fill(fd, &buffer) else { return nil } }
                body.append(contentsOf: buffer[0..<size])
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if let length = Int(headers["content-length"] ?? "0"), length > 0 {
            guard length <= Self.maximumRequestBytes else { return nil }
            while buffer.count < length { guard fill(fd, &buffer) else { return nil } }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        return EmulatorRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<i + needle.count]) == needle { return i }
        }
        return nil
    }
}
