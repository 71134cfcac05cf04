import CCurl
import Synchronization

/// Cancellation flag shared between the caller's task and the loop thread.
final class CurlTicket: Sendable {
    private let cancelled = Atomic<Bool>(false)
    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
    func cancel() { cancelled.store(true, ordering: .releasing) }
}

/// One submitted request waiting for the loop thread.
struct CurlJob: Sendable {
    let request: ClientRequest
    let ticket: CurlTicket
    let continuation: CheckedContinuation<Result<ClientResponse, HTTPClientError>, Never>
}

/// The state of one in-flight request, touched only on the loop thread (including from
/// libcurl's callbacks, which run inside `curl_multi_perform`).
final class CurlTransfer {
    let job: CurlJob
    let easy: CurlEasyHandle
    let limit: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceededLimit = false
    /// `CURLOPT_HTTPHEADER` list; libcurl reads it during the transfer, so we own it until then.
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// `CURLOPT_ERRORBUFFER`: libcurl's detailed message for the failure.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(job: CurlJob, easy: CurlEasyHandle, limit: Int) {
        self.job = job
        self.easy = easy
        self.limit = limit
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Appends `chunk` unless the body would exceed `limit` bytes; false means refuse the chunk.
    /// The only guard for bodies without `Content-Length` (chunked or read to close).
    static func append(_ chunk: UnsafeRawBufferPointer, to body: inout [UInt8], limit: Int) -> Bool {
        guard chunk.count <= limit - body.count else { return false }
        body.append(contentsOf: chunk)
        return true
    }

    func appendHeaderLine(_ line: String) { Self.apply(headerLine: line, to: &headers) }

    /// Adds one raw header line (as libcurl hands it over, CRLF included) to `headers`; a new
    /// status line (after an interim `100` or a proxy's `CONNECT` reply) starts over.
    static func apply(headerLine line: String, to headers: inout [(name: String, value: String)]) {
        // `\r\n` is one Character (a grapheme cluster), so test isNewline rather than "\r" and "\n".
        let trimmed = line.trimmingSuffix { $0.isNewline || $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("HTTP/") {
            headers = []
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = String(trimmed[..<colon])
        let value = trimmed[trimmed.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        headers.append((name: name, value: String(value)))
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var s = self[...]
        while let last = s.last, predicate(last) { s = s.dropLast() }
        return s
    }
}

/// `CURLOPT_WRITEFUNCTION`: appends to the transfer's body, refusing bytes past the limit (a
/// short count makes libcurl fail the transfer with CURLE_WRITE_ERROR).
func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let chunk = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size * count)
    guard CurlTransfer.append(chunk, to: &transfer.body, limit: transfer.limit) else {
        transfer.exceededLimit = true
        return 0
    }
    return chunk.count
}

/// `CURLOPT_HEADERFUNCTION`: one complete header line per call.
func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    if let data, n > 0 {
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
        transfer.appendHeaderLine(line)
    }
    return n
}
