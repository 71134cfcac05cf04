import Testing

@testable import AssayHTTP

/// Feeds `bytes` to a fresh parser in pieces split at `splits`, collecting every completed request.
private func parseAll(
    _ bytes: [UInt8], splits: [Int] = [], limits: HTTPParserLimits = HTTPParserLimits()
) throws(HTTPParseError) -> (requests: [HTTPRequest], continues: Int) {
    var parser = HTTPRequestParser(limits: limits)
    var requests: [HTTPRequest] = []
    var continues = 0
    var bounds = [0] + splits.filter { $0 > 0 && $0 < bytes.count } + [bytes.count]
    bounds = Array(Set(bounds)).sorted()
    for (lower, upper) in zip(bounds, bounds.dropFirst()) {
        var piece = Array(bytes[lower..<upper])
        while !piece.isEmpty {
            let (consumed, step) = try parser.parse(piece)
            piece.removeFirst(consumed)
            switch step {
            case .request(let request): requests.append(request)
            case .continueExpected: continues += 1
            case .needMoreData: #expect(piece.isEmpty)
            }
        }
    }
    #expect(!parser.hasPartialRequest)
    return (requests, continues)
}

private func parseError(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseError? {
    do throws(HTTPParseError) {
        _ = try parseAll(Array(text.utf8), limits: limits)
        return nil
    } catch {
        return error
    }
}

@Suite("HTTP/1.1 request parser")
struct HTTPRequestParserTests {
    static let validRequests: [(String, String, String, String?, String)] = [
        ("GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/a", "b=c", ""),
        ("\r\nPOST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "POST", "/p", nil, "hello"),
        (
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1;q=\"v\"\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer-A: 1\r\nTrailer-B: 2\r\n\r\n",
            "POST", "/c", nil, "abc0123456789"
        ),
        ("GET / HTTP/1.0\r\n\r\n", "GET", "/", nil, ""),
        ("OPTIONS * HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Tab:\tv \t\r\n\r\n", "OPTIONS", "*", nil, ""),
    ]

    @Test("valid requests parse to the same result however the bytes are split", arguments: validRequests)
    func validAtEverySplit(raw: String, method: String, path: String, query: String?, body: String) throws {
        let bytes = Array(raw.utf8)
        for split in 0...bytes.count {
            let requests = try parseAll(bytes, splits: [split, split + 7]).requests
            #expect(requests.count == 1)
            #expect(requests.first?.method == method)
            #expect(requests.first?.path == path)
            #expect(requests.first?.query == query)
            #expect(requests.first?.body == Array(body.utf8))
        }
    }

    @Test("header values are trimmed and names compared case-insensitively")
    func headerValues() throws {
        let raw = "GET / HTTP/1.1\r\nHOST: x\r\nX-Tab:\tv \t\r\nx-multi: 1\r\nX-Multi: 2\r\n\r\n"
        let request = try #require(try parseAll(Array(raw.utf8)).requests.first)
        #expect(request.headers["host"] == "x")
        #expect(request.headers["x-tab"] == "v")
        #expect(request.headers.values(for: "X-MULTI") == ["1", "2"])
    }

    @Test("pipelined requests come out one at a time in order")
    func pipelined() throws {
        let raw =
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
            + "GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let requests = try parseAll(Array(raw.utf8)).requests
        #expect(requests.map(\.path) == ["/1", "/2", "/3"])
        #expect(requests.map(\.isKeepAlive) == [true, true, false])
        #expect(requests[1].body == Array("hi".utf8))
    }

    @Test(
        "keep-alive follows the version and Connection header",
        arguments: [
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade, close\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        ])
    func keepAlive(raw: String, expected: Bool) throws {
        #expect(try parseAll(Array(raw.utf8)).requests.first?.isKeepAlive == expected)
    }

    @Test("Expect: 100-continue stops after the head only when a body follows")
    func expectContinue() throws {
        let withBody = "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nz"
        #expect(try parseAll(Array(withBody.utf8)).continues == 1)
        let withoutBody = "GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n"
        #expect(try parseAll(Array(withoutBody.utf8)).continues == 0)
    }

    static let smallLimits = HTTPParserLimits(maxBodyBytes: 16, maxHeaderBytes: 64, maxHeaderCount: 3, maxURLLength: 16)

    @Test(
        "invalid requests are rejected with the matching error",
        arguments: [
            ("GET / HTTP/1.1\nHost: x\n\n", HTTPParseError.bareLineFeed),
            ("GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n", .bareLineFeed),
            ("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", .obsoleteLineFolding),
            ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .malformedHeader),
            ("GET / HTTP/1.1\r\nHo(st: x\r\n\r\n", .malformedHeader),
            ("GET / HTTP/1.1\r\nHost: x\u{0}y\r\n\r\n", .malformedHeader),
            ("GET / HTTP/1.1\r\n: x\r\n\r\n", .malformedHeader),
            ("G@T / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod),
            ("GET /\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget),
            ("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .malformedRequestLine),
            ("GET /\r\nHost: x\r\n\r\n", .malformedRequestLine),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", .unsupportedVersion),
            ("GET / HTTX/1.1\r\nHost: x\r\n\r\n", .malformedRequestLine),
            ("GET / HTTP/1.1\r\n\r\n", .missingHost),
            ("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", .duplicateHost),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nz", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1,1\r\n\r\nz", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\nz", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", .invalidContentLength),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                .conflictingFraming
            ),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", .invalidTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferCoding),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .invalidTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n", .malformedChunk),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n;a\r\n", .malformedChunk),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY", .malformedChunk),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n", .bareLineFeed),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n x\r\n\r\n", .obsoleteLineFolding),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + String(repeating: "0", count: 5000) + "1\r\n", .malformedChunk
            ),
        ])
    func rejected(raw: String, expected: HTTPParseError) {
        #expect(parseError(raw) == expected)
    }

    @Test(
        "limits are enforced with the limit in the error",
        arguments: [
            (
                "GET /" + String(repeating: "a", count: 16) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                HTTPParseError.targetTooLong(limit: 16)
            ),
            ("GET /" + String(repeating: "a", count: 200), .targetTooLong(limit: 16)),
            (
                "GET / HTTP/1.1\r\nHost: x\r\nA: " + String(repeating: "v", count: 80) + "\r\n\r\n",
                .headerSectionTooLarge(limit: 64)
            ),
            ("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", .tooManyHeaders(limit: 3)),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n", .bodyTooLarge(limit: 16)),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\n",
                .bodyTooLarge(limit: 16)
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\n",
                .bodyTooLarge(limit: 16)
            ),
            (
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: "
                    + String(repeating: "t", count: 80), .headerSectionTooLarge(limit: 64)
            ),
        ])
    func limits(raw: String, expected: HTTPParseError) {
        #expect(parseError(raw, limits: Self.smallLimits) == expected)
    }

    @Test(
        "errors map to the statuses the server answers with",
        arguments: [
            (HTTPParseError.malformedHeader, 400), (.unsupportedVersion, 505), (.unsupportedTransferCoding, 501),
            (.targetTooLong(limit: 1), 414), (.headerSectionTooLarge(limit: 1), 431), (.tooManyHeaders(limit: 1), 431),
            (.bodyTooLarge(limit: 8_388_608), 413),
        ])
    func statuses(error: HTTPParseError, status: Int) {
        #expect(error.status == status)
        #expect(!error.detail.isEmpty)
    }

    @Test("the body-limit detail names the limit and its setting")
    func bodyLimitDetail() {
        #expect(
            HTTPParseError.bodyTooLarge(limit: 8_388_608).detail == "request body exceeds 8388608 bytes (maxBodyBytes)")
    }
}

@Suite("HTTP router and headers")
struct HTTPRouterTests {
    @Test("routes capture parameters and label responses with their pattern")
    func parameters() async {
        var router = Router()
        router.add("GET", "/v1/runs/{id}/steps/{step}") { _, parameters in
            .text("\(parameters["id"] ?? "")-\(parameters["step"] ?? "")")
        }
        let response = await router.respond(to: HTTPRequest(method: "GET", target: "/v1/runs/a%20b/steps/2?x=1"))
        #expect(String(decoding: response.body, as: UTF8.self) == "a b-2")
        #expect(response.route == "/v1/runs/{id}/steps/{step}")
    }

    @Test("no match is 404 and a method mismatch is 405 with Allow, both problem+json labelled unmatched")
    func unmatched() async {
        var router = Router()
        router.add("POST", "/runs") { _, _ in HTTPResponse(status: 201) }
        router.add("GET", "/runs") { _, _ in HTTPResponse(status: 200) }
        let missing = await router.respond(to: HTTPRequest(method: "GET", target: "/nothing"))
        #expect(missing.status == 404)
        #expect(missing.route == "unmatched")
        let wrong = await router.respond(to: HTTPRequest(method: "DELETE", target: "/runs"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["allow"] == "GET, HEAD, POST")
        #expect(wrong.headers["Content-Type"] == "application/problem+json")
        let body = String(decoding: wrong.body, as: UTF8.self)
        #expect(body.hasPrefix("{\"type\":\"about:blank\",\"title\":\"Method Not Allowed\",\"status\":405,"))
    }

    @Test("headers keep order, replace all duplicates and compare names case-insensitively")
    func headers() {
        var headers: HTTPHeaders = ["A": "1", "b": "2"]
        headers.add("a", "3")
        #expect(headers.values(for: "A") == ["1", "3"])
        headers.replace("A", with: "4")
        #expect(headers.map(\.name) == ["A", "b"])
        #expect(headers["a"] == "4")
        headers["B"] = nil
        #expect(headers.count == 1)
    }
}
