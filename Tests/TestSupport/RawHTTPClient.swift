import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately small HTTP/1.1 client over one blocking loopback connection, for tests that
/// send exact bytes (malformed bodies, partial heads, pipelined or keep-alive sequences) and read
/// exact answers. Plain requests to a test's servers go through ``LocalHTTP`` instead.
///
/// Reads give up after the receive timeout, so a broken server fails a test instead of hanging it.
public final class RawHTTPClient {
    public struct Response: Sendable {
        public var status: Int
        /// In the order received, names as sent.
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The first value of header `name` (case-insensitive), `nil` when absent.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public enum Failure: Error {
        case connect(Int32)
        /// The peer closed the connection, reset it, or sent nothing before the receive timeout.
        case closed
        case malformed(String)
    }

    public let descriptor: Int32
    private var buffered: [UInt8] = []
    private var isClosed = false

    /// Connects to `127.0.0.1:port`.
    public init(port: Int, receiveTimeout: Duration = .seconds(10)) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let (seconds, attoseconds) = receiveTimeout.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
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
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw Failure.connect(code)
        }
    }

    deinit { close() }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(descriptor)
    }

    // MARK: Sending

    /// Sends every byte; `false` when the peer has gone (tests that write into a closing
    /// connection can ignore it).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Sends one request (with `Content-Length` when there is a body or the method is POST) and
    /// reads its final response, skipping interim `1xx` answers.
    public func request(
        _ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]
    ) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        guard send(Array(head.utf8) + body) else { throw Failure.closed }
        while true {
            let response = try readResponse()
            if !(100..<200).contains(response.status) { return response }
        }
    }

    /// `POST path` with a JSON body.
    public func post(_ path: String, json: String) throws -> Response {
        try request("POST", path, body: Array(json.utf8), headers: ["Content-Type": "application/json"])
    }

    // MARK: Reading

    /// Reads the next response, interim ones included, framed by `Content-Length` (no body is read
    /// for the answer to a HEAD request).
    public func readResponse(forHead: Bool = false) throws -> Response {
        var end: Int?
        while end == nil {
            end = headEnd()
            if end == nil { try fill() }
        }
        let headLength = end!
        let head = String(decoding: buffered[0..<headLength], as: UTF8.self)
        buffered.removeFirst(headLength + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(head) }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed(head) }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = Response(status: status, headers: headers, body: [])
        let length = forHead ? 0 : Int(response.header("Content-Length") ?? "0") ?? 0
        while buffered.count < length { try fill() }
        response.body = Array(buffered[0..<length])
        buffered.removeFirst(length)
        return response
    }

    /// Reads exactly `count` raw bytes (e.g. an interim `100 Continue`).
    public func readRaw(_ count: Int) throws -> String {
        while buffered.count < count { try fill() }
        defer { buffered.removeFirst(count) }
        return String(decoding: buffered[0..<count], as: UTF8.self)
    }

    /// Reads and drops whatever arrives until the server closes the connection; `true` if it did
    /// (end of stream or reset) before the receive timeout.
    public func waitForClose() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { continue }
            if count == 0 { return true }
            return errno == ECONNRESET
        }
    }

    /// Waits up to `milliseconds` for the connection to have something to read (data or end of stream).
    public func waitReadable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    private func headEnd() -> Int? {
        guard buffered.count >= 4 else { return nil }
        return (0...(buffered.count - 4)).first {
            buffered[$0] == 13 && buffered[$0 + 1] == 10 && buffered[$0 + 2] == 13 && buffered[$0 + 3] == 10
        }
    }

    /// Reads more bytes into the buffer; throws on end of stream, reset or timeout.
    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure.closed }
        buffered.append(contentsOf: chunk[0..<count])
    }
}
