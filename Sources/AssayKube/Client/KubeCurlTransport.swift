import AssayHTTP
import CCurl
import Foundation
import Synchronization

/// ``KubeTransport`` on libcurl easy handles with the kubeconfig's TLS settings: the CA bundle
/// and client certificate as files or in-memory PEM, and verification on unless the kubeconfig
/// turns it off.
///
/// Each request runs `curl_easy_perform` on a thread of its own (it blocks for the length of a
/// watch, which may be minutes), never on Swift's cooperative pool; body chunks are handed over
/// through an `AsyncThrowingStream`. The project's ``CurlHTTPClient`` has no client-certificate
/// or in-memory CA options and no streaming yet, hence this transport.
public final class KubeCurlTransport: KubeTransport {
    /// Connect timeout: an in-cluster or local API server connects in milliseconds; 10 s leaves
    /// room for a TLS handshake to a managed control plane far away.
    public static let defaultConnectTimeout: Duration = .seconds(10)
    /// Total time for requests without their own timeout. client-go sets none, but an operator must
    /// not hang on a stuck connection; the API server itself gives up on a request after 60 s
    /// (its default `--request-timeout`), so waiting longer gains nothing.
    public static let defaultTimeout: Duration = .seconds(60)
    /// Largest ordinary response: a list page of 500 objects is a few MiB; 64 MiB stops runaway bodies.
    public static let defaultMaxResponseBytes = 64 << 20

    public let tls: KubeTLS
    public let connectTimeout: Duration
    public let timeout: Duration
    public let maxResponseBytes: Int
    private let pool = KubeCurlHandlePool()

    public init(
        tls: KubeTLS = KubeTLS(), connectTimeout: Duration = defaultConnectTimeout, timeout: Duration = defaultTimeout,
        maxResponseBytes: Int = defaultMaxResponseBytes
    ) {
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    public func send(_ request: ClientRequest) async throws(HTTPClientError) -> ClientResponse {
        let response = try await stream(request)
        do {
            let body = try await response.collect(limit: request.maxResponseBytes ?? maxResponseBytes)
            return ClientResponse(status: response.status, headers: response.headers, body: body)
        } catch let error as HTTPClientError {
            throw error
        } catch {
            throw .cancelled
        }
    }

    public func stream(_ request: ClientRequest) async throws(HTTPClientError) -> StreamingResponse {
        try CurlRequestSetup.checkScheme(request.url)
        let (body, bodyContinuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let transfer = KubeCurlTransfer(
            request: request, tls: tls, connectTimeout: request.connectTimeout ?? connectTimeout,
            timeout: request.timeout ?? timeout, body: bodyContinuation, pool: pool)
        bodyContinuation.onTermination = { _ in transfer.cancel() }
        let head = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.start(head: continuation)
            }
        } onCancel: {
            transfer.cancel()
        }
        let (status, headers) = try head.get()
        return StreamingResponse(status: status, headers: headers, body: body)
    }
}

/// One transfer on its own thread. Everything but ``cancel()`` runs on that thread, after
/// ``start(head:)`` has stored the continuation, so the mutable fields need no lock.
private final class KubeCurlTransfer: @unchecked Sendable {
    typealias Head = Result<(Int, [(name: String, value: String)]), HTTPClientError>

    let request: ClientRequest
    let tls: KubeTLS
    let connectTimeout: Duration
    let timeout: Duration
    let body: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let pool: KubeCurlHandlePool
    private let cancelled = Atomic<Bool>(false)
    private var head: CheckedContinuation<Head, Never>?
    private var headers: [(name: String, value: String)] = []
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectTo: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var easy: CurlEasyHandle?

    init(
        request: ClientRequest, tls: KubeTLS, connectTimeout: Duration, timeout: Duration,
        body: AsyncThrowingStream<[UInt8], any Error>.Continuation, pool: KubeCurlHandlePool
    ) {
        self.pool = pool
        self.request = request
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.body = body
        errorBuffer.initialize(to: 0)
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        if let connectTo { curl_slist_free_all(connectTo) }
        errorBuffer.deallocate()
    }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() { cancelled.store(true, ordering: .releasing) }

    func start(head: CheckedContinuation<Head, Never>) {
        self.head = head
        let thread = Thread { self.perform() }
        thread.name = "kube-curl"
        thread.start()
    }

    private func perform() {
        guard let easy = pool.take() else {
            finish(.invalidRequest("libcurl could not create a handle"))
            return
        }
        self.easy = easy
        do {
            try configure(easy)
        } catch {
            finish(error)
            return
        }
        let code = curl_easy_perform(easy.raw)
        if isCancelled {
            finish(.cancelled)
        } else if code == CURLE_OK {
            let status = easy.info(CURLINFO_RESPONSE_CODE)
            self.easy = nil
            pool.give(easy)
            resumeHead(.success((status, headers)))
            body.finish()
        } else {
            finish(CurlRequestSetup.error(for: code, errorBuffer: errorBuffer, easy: easy))
        }
        self.easy = nil
    }

    private func finish(_ error: HTTPClientError) {
        resumeHead(.failure(error))
        body.finish(throwing: error)
    }

    private func resumeHead(_ result: Head) {
        head?.resume(returning: result)
        head = nil
    }

    private func configure(_ easy: CurlEasyHandle) throws(HTTPClientError) {
        try CurlRequestSetup.setCommon(
            easy, url: try url(easy), errorBuffer: errorBuffer, connectTimeout: connectTimeout, timeout: timeout,
            userAgent: HTTPClientConfiguration.defaultUserAgent)
        try configureTLS(easy)

        let user = Unmanaged.passUnretained(self).toOpaque()
        _ = assay_curl_setopt_write_cb(easy.raw, kubeCurlWrite)
        try easy.set(CURLOPT_WRITEDATA, pointer: user)
        _ = assay_curl_setopt_header_cb(easy.raw, kubeCurlHeader)
        try easy.set(CURLOPT_HEADERDATA, pointer: user)
        _ = assay_curl_setopt_xferinfo_cb(easy.raw, kubeCurlProgress)
        try easy.set(CURLOPT_XFERINFODATA, pointer: user)
        try easy.set(CURLOPT_NOPROGRESS, 0)

        try CurlRequestSetup.setMethod(easy, request)
        headerList = try CurlRequestSetup.headerList(request.headers)
        try easy.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headerList))
    }

    /// The request URL; with `tls-server-name`, the URL names that host (so that SNI and certificate
    /// verification use it) and `CURLOPT_CONNECT_TO` still sends the connection to the real address.
    private func url(_ easy: CurlEasyHandle) throws(HTTPClientError) -> String {
        guard let serverName = tls.serverName, !serverName.isEmpty, var components = URLComponents(string: request.url),
            let host = components.host
        else { return request.url }
        let port = components.port ?? (components.scheme == "http" ? 80 : 443)
        let target = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        connectTo = curl_slist_append(nil, "\(serverName):\(port):\(target):\(port)")
        try easy.set(CURLOPT_CONNECT_TO, pointer: UnsafeMutableRawPointer(connectTo))
        components.host = serverName
        components.port = port
        return components.string ?? request.url
    }

    private func configureTLS(_ easy: CurlEasyHandle) throws(HTTPClientError) {
        if tls.insecureSkipVerify {
            // Only when the kubeconfig sets insecure-skip-tls-verify: true.
            try easy.set(CURLOPT_SSL_VERIFYPEER, 0)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        }
        switch tls.certificateAuthority {
        case .file(let path): try easy.set(CURLOPT_CAINFO, path)
        case .data(let pem): try setBlob(easy, CURLOPT_CAINFO_BLOB, pem.revealed)
        case nil: break
        }
        switch tls.clientCertificate {
        case .file(let path): try easy.set(CURLOPT_SSLCERT, path)
        case .data(let pem): try setBlob(easy, CURLOPT_SSLCERT_BLOB, pem.revealed)
        case nil: break
        }
        if tls.clientCertificate != nil { try easy.set(CURLOPT_SSLCERTTYPE, "PEM") }
        switch tls.clientKey {
        case .file(let path): try easy.set(CURLOPT_SSLKEY, path)
        case .data(let pem): try setBlob(easy, CURLOPT_SSLKEY_BLOB, pem.revealed)
        case nil: break
        }
        if tls.clientKey != nil { try easy.set(CURLOPT_SSLKEYTYPE, "PEM") }
    }

    /// Passes PEM bytes with `CURL_BLOB_COPY`, so libcurl keeps its own copy.
    private func setBlob(_ easy: CurlEasyHandle, _ option: CURLoption, _ bytes: [UInt8]) throws(HTTPClientError) {
        var copy = bytes
        let code = copy.withUnsafeMutableBytes { raw -> CURLcode in
            var blob = curl_blob(data: raw.baseAddress, len: raw.count, flags: UInt32(CURL_BLOB_COPY))
            return withUnsafeMutablePointer(to: &blob) { assay_curl_setopt_ptr(easy.raw, option, $0) }
        }
        guard code == CURLE_OK else {
            throw .invalidRequest(
                "libcurl rejected TLS option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    // MARK: Callbacks (on the transfer's thread)

    fileprivate func receiveHeader(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        let trimmed = KubeFile.trimmed(line)
        if trimmed.isEmpty {
            // End of a header block; 1xx blocks are followed by the real one.
            let status = easy?.info(CURLINFO_RESPONSE_CODE) ?? 0
            if status >= 200 { resumeHead(.success((status, headers))) }
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let value = KubeFile.trimmed(String(trimmed[trimmed.index(after: colon)...]))
        headers.append((name: String(trimmed[..<colon]), value: value))
    }

    fileprivate func receiveBody(_ bytes: [UInt8]) -> Bool {
        guard !isCancelled else { return false }
        body.yield(bytes)
        return true
    }
}

private func kubeCurlWrite(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    kubeCurlDeliver(data, size * count, user) { transfer, bytes in transfer.receiveBody([UInt8](bytes)) }
}

private func kubeCurlHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    kubeCurlDeliver(data, size * count, user) { transfer, bytes in
        transfer.receiveHeader(String(decoding: bytes, as: UTF8.self))
        return true
    }
}

/// Hands the `n` bytes at `data` to the transfer `user` points at; libcurl aborts the transfer
/// unless the answer is `n`.
private func kubeCurlDeliver(
    _ data: UnsafeMutablePointer<CChar>?, _ n: Int, _ user: UnsafeMutableRawPointer?,
    _ deliver: (KubeCurlTransfer, UnsafeRawBufferPointer) -> Bool
) -> Int {
    guard let user else { return 0 }
    guard let data, n > 0 else { return n }
    let transfer = Unmanaged<KubeCurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return deliver(transfer, UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
}

private func kubeCurlProgress(
    _ user: UnsafeMutableRawPointer?, _ dlTotal: curl_off_t, _ dlNow: curl_off_t, _ ulTotal: curl_off_t,
    _ ulNow: curl_off_t
) -> Int32 {
    guard let user else { return 0 }
    let transfer = Unmanaged<KubeCurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.isCancelled ? 1 : 0
}
