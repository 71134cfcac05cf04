import CCurl

/// Translates a ``ClientRequest`` into easy-handle options, and a finished transfer into a
/// ``ClientResponse`` or a classified ``HTTPClientError``.
package enum CurlRequestSetup {
    static func configure(_ transfer: CurlTransfer, configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        let request = transfer.job.request
        let easy = transfer.easy
        try checkScheme(request.url)
        try setCommon(
            easy, url: request.url, errorBuffer: transfer.errorBuffer,
            connectTimeout: request.connectTimeout ?? configuration.connectTimeout,
            timeout: request.timeout ?? configuration.timeout, userAgent: configuration.userAgent)
        // Refuses up front when Content-Length announces too much; curlWriteBody enforces the
        // limit for chunked or unannounced bodies.
        try easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(transfer.limit))
        if let caFile = configuration.caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        if let proxy = configuration.proxy { try easy.set(CURLOPT_PROXY, proxy) }

        let user = Unmanaged.passUnretained(transfer).toOpaque()
        _ = assay_curl_setopt_write_cb(easy.raw, curlWriteBody)
        try easy.set(CURLOPT_WRITEDATA, pointer: user)
        _ = assay_curl_setopt_header_cb(easy.raw, curlWriteHeader)
        try easy.set(CURLOPT_HEADERDATA, pointer: user)

        try setMethod(easy, request)
        transfer.headerList = try headerList(request.headers)
        try easy.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(transfer.headerList))
    }

    /// Refuses every scheme but `http://` and `https://` before a handle is touched.
    package static func checkScheme(_ url: String) throws(HTTPClientError) {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .invalidRequest("URL must start with http:// or https://: \(ClientRequest.redactingQuery(url))")
        }
    }

    /// The options every transfer of ours sets, whichever client runs it: the URL, HTTP(S) only,
    /// no redirects, no signals, the error buffer, both timeouts, TCP keep-alive, the user agent.
    package static func setCommon(
        _ easy: CurlEasyHandle, url: String, errorBuffer: UnsafeMutablePointer<CChar>, connectTimeout: Duration,
        timeout: Duration, userAgent: String
    ) throws(HTTPClientError) {
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        // Never follow a redirect: an upstream must not send a request (and its key) elsewhere. A
        // 3xx is answered to the caller as it is.
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_MAXREDIRS, 0)
        // Signals cannot be used for DNS timeouts in a multi-threaded process.
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout.curlMilliseconds)
        try easy.set(CURLOPT_TIMEOUT_MS, timeout.curlMilliseconds)
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        try easy.set(CURLOPT_USERAGENT, userAgent)
    }

    /// The request's method and, for all but GET without a body and HEAD, its body.
    package static func setMethod(_ easy: CurlEasyHandle, _ request: ClientRequest) throws(HTTPClientError) {
        switch request.method.uppercased() {
        case "GET" where request.body.isEmpty:
            try easy.set(CURLOPT_HTTPGET, 1)
        case "HEAD":
            try easy.set(CURLOPT_NOBODY, 1)
        default:
            if request.method.uppercased() != "POST" { try easy.set(CURLOPT_CUSTOMREQUEST, request.method) }
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(request.body.count))
            // COPYPOSTFIELDS copies the bytes, so the request may be released while in flight.
            try easy.setCopying(CURLOPT_COPYPOSTFIELDS, bytes: request.body)
        }
    }

    /// The request's headers as a libcurl list (the caller frees it once the transfer is over),
    /// refusing a name or value that would split the header block.
    package static func headerList(
        _ headers: [(name: String, value: String)]
    ) throws(HTTPClientError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers {
            guard !name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }),
                !value.contains(where: { $0 == "\r" || $0 == "\n" })
            else {
                curl_slist_free_all(list)
                throw .invalidRequest("header \(name) contains a line break or colon")
            }
            list = curl_slist_append(list, "\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip before large bodies; our servers answer directly.
        return curl_slist_append(list, "Expect:")
    }

    static func result(of transfer: CurlTransfer, code: CURLcode) -> Result<ClientResponse, HTTPClientError> {
        if code == CURLE_OK {
            return .success(
                ClientResponse(
                    status: transfer.easy.info(CURLINFO_RESPONSE_CODE), headers: transfer.headers,
                    body: transfer.body, newConnections: transfer.easy.info(CURLINFO_NUM_CONNECTS)))
        }
        return .failure(error(for: code, transfer: transfer))
    }

    /// Maps libcurl's result codes (libcurl-errors(3)) onto the cases callers act on.
    static func error(for code: CURLcode, transfer: CurlTransfer) -> HTTPClientError {
        if transfer.exceededLimit || code == CURLE_FILESIZE_EXCEEDED { return .tooLarge(limit: transfer.limit) }
        return error(for: code, errorBuffer: transfer.errorBuffer, easy: transfer.easy)
    }

    /// Classifies a failed transfer by its code, with the error buffer's message (or libcurl's
    /// text for the code) as the detail.
    package static func error(
        for code: CURLcode, errorBuffer: UnsafePointer<CChar>, easy: CurlEasyHandle
    ) -> HTTPClientError {
        let message = String(cString: errorBuffer)
        let detail = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(detail)
        case CURLE_COULDNT_RESOLVE_HOST:
            return .resolve(detail)
        case CURLE_COULDNT_RESOLVE_PROXY:
            return .proxy(detail)
        case CURLE_COULDNT_CONNECT:
            return easy.info(CURLINFO_HTTP_CONNECTCODE) != 0 ? .proxy(detail) : .connect(detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CLIENTCERT:
            return .tls(detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest(detail)
        default:
            return .transport(detail)
        }
    }
}
