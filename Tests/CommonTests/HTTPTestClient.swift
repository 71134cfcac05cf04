import Foundation
import Glibc

@testable import Common

/// A blocking loopback client that speaks raw HTTP/1.1 bytes, for driving the server in tests.
final class HTTPTestClient {
    /// Reads give up after this long, so a broken server fails a test instead of hanging it.
    static let receiveTimeoutSeconds = 5

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Failure: Error {
        case connect(Int32)
        case closedBeforeResponse
        case malformed(String)
    }

    let descriptor: Int32
    private var buffered: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: Self.receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            let code = errno
            Glibc.close(descriptor)
            throw Failure.connect(code)
        }
    }

    private var isClosed = false

    deinit {
        close()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(descriptor)
    }

    func send(_ text: String) {
        send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Reads more bytes into the buffer; false on end of stream, reset or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffered.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads exactly `count` raw bytes (e.g. an interim `100 Continue`).
    func readRaw(_ count: Int) throws -> String {
        while buffered.count < count {
            guard fill() else { throw Failure.closedBeforeResponse }
        }
        defer { buffered.removeFirst(count) }
        return String(decoding: buffered[0..<count], as: UTF8.self)
    }

    /// Reads one response framed by Content-Length (bodies are not read for HEAD requests).
    func readResponse(forHead: Bool = false) throws -> Response {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            if buffered.count >= 4 {
                end = (0...(buffered.count - 4)).first { Array(buffered[$0..<$0 + 4]) == terminator }
            }
            if end == nil, !fill() { throw Failure.closedBeforeResponse }
        }
        let head = String(decoding: buffered[0..<end!], as: UTF8.self)
        buffered.removeFirst(end! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(head) }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed(head) }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = forHead ? 0 : Int(headers["Content-Length"] ?? "0") ?? 0
        while buffered.count < length {
            guard fill() else { throw Failure.closedBeforeResponse }
        }
        let body = Array(buffered[0..<length])
        buffered.removeFirst(length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Waits for the server to close the connection; true if it did (end of stream or reset) before the timeout.
    func waitForClose() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { continue }
            if count == 0 { return true }
            return errno == ECONNRESET
        }
    }

    /// Waits up to `milliseconds` for the connection to have something to read (data or end of stream).
    func waitReadable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }
}

/// A one-shot signal between a test and a handler running on an event loop.
final class HTTPTestGate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    func open() {
        continuation.yield()
        continuation.finish()
    }

    func wait() async {
        for await _ in stream { return }
    }
}
