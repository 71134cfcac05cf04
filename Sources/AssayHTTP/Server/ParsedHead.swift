/// The request line and header fields of one request, parsed from a complete head (ending in CRLF CRLF) whose
/// line endings the parser has already checked.
struct ParsedHead {
    var request: HTTPRequest
    var contentLength: Int?
    var isChunked = false
    var expectsContinue = false

    init(_ head: UnsafeBufferPointer<UInt8>, limits: HTTPParserLimits) throws(HTTPParseError) {
        // Request line: method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
        var index = 0
        let methodStart = index
        while index < head.count, head[index] != HTTPBytes.space {
            guard HTTPBytes.isToken(head[index]) else {
                throw head[index] == HTTPBytes.cr ? .malformedRequestLine : .invalidMethod
            }
            index += 1
        }
        guard index > methodStart, index < head.count else { throw .malformedRequestLine }
        let methodEnd = index
        index += 1
        let targetStart = index
        var queryMark: Int?
        while index < head.count, head[index] != HTTPBytes.space {
            let byte = head[index]
            guard HTTPBytes.isTargetByte(byte) else {
                throw byte == HTTPBytes.cr ? .malformedRequestLine : .invalidTarget
            }
            if byte == HTTPBytes.questionMark, queryMark == nil { queryMark = index }
            index += 1
        }
        guard index > targetStart, index < head.count else { throw .malformedRequestLine }
        let targetEnd = index
        if targetEnd - targetStart > limits.maxURLLength { throw .targetTooLong(limit: limits.maxURLLength) }
        index += 1
        let version = try Self.parseVersion(head, at: index)
        index += 10  // "HTTP/1.1" CRLF

        let method = Self.string(head, methodStart..<methodEnd)
        let target = Self.string(head, targetStart..<targetEnd)
        request = HTTPRequest(method: method, target: target, path: "", query: nil, version: version)
        if let queryMark {
            request.path = Self.string(head, targetStart..<queryMark)
            request.query = Self.string(head, queryMark + 1..<targetEnd)
        } else {
            request.path = target
        }

        // Header fields: field-name ":" OWS field-value OWS CRLF (RFC 9112 §5).
        var headers = HTTPHeaders()
        var fieldCount = 0
        var hostCount = 0
        var connectionClose = false
        var connectionKeepAlive = false
        var transferEncoding: [UInt8]?
        while index < head.count {
            if head[index] == HTTPBytes.cr { break }  // the blank line ending the head
            if head[index] == HTTPBytes.space || head[index] == HTTPBytes.tab { throw .obsoleteLineFolding }
            let nameStart = index
            while index < head.count, head[index] != HTTPBytes.colon {
                guard HTTPBytes.isToken(head[index]) else { throw .malformedHeader }
                index += 1
            }
            guard index > nameStart, index < head.count else { throw .malformedHeader }
            let nameEnd = index
            index += 1
            while index < head.count, head[index] == HTTPBytes.space || head[index] == HTTPBytes.tab { index += 1 }
            let valueStart = index
            while index < head.count, head[index] != HTTPBytes.cr {
                guard HTTPBytes.isFieldValueByte(head[index]) else { throw .malformedHeader }
                index += 1
            }
            var valueEnd = index
            while valueEnd > valueStart, head[valueEnd - 1] == HTTPBytes.space || head[valueEnd - 1] == HTTPBytes.tab {
                valueEnd -= 1
            }
            index += 2  // CRLF

            fieldCount += 1
            if fieldCount > limits.maxHeaderCount { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
            let name = UnsafeBufferPointer(rebasing: head[nameStart..<nameEnd])
            let value = UnsafeBufferPointer(rebasing: head[valueStart..<valueEnd])
            switch name.count {
            case 4 where HTTPBytes.equalsIgnoringCase(name, "host"):
                hostCount += 1
            case 6 where HTTPBytes.equalsIgnoringCase(name, "expect"):
                if HTTPBytes.equalsIgnoringCase(value, "100-continue") { expectsContinue = true }
            case 10 where HTTPBytes.equalsIgnoringCase(name, "connection"):
                Self.forEachListMember(value) { member in
                    if HTTPBytes.equalsIgnoringCase(member, "close") { connectionClose = true }
                    if HTTPBytes.equalsIgnoringCase(member, "keep-alive") { connectionKeepAlive = true }
                }
            case 14 where HTTPBytes.equalsIgnoringCase(name, "content-length"):
                guard contentLength == nil else { throw .invalidContentLength }
                let length = try Self.parseContentLength(value)
                if length > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
                contentLength = length
            case 17 where HTTPBytes.equalsIgnoringCase(name, "transfer-encoding"):
                guard transferEncoding == nil else { throw .invalidTransferEncoding }
                transferEncoding = Array(value)
            default:
                break
            }
            headers.add(Self.string(head, nameStart..<nameEnd), Self.string(head, valueStart..<valueEnd))
        }
        request.headers = headers

        if version == .http1_1 {
            guard hostCount > 0 else { throw .missingHost }
        }
        guard hostCount <= 1 else { throw .duplicateHost }
        if let transferEncoding {
            guard contentLength == nil else { throw .conflictingFraming }
            guard version == .http1_1 else { throw .invalidTransferEncoding }
            try transferEncoding.withUnsafeBufferPointer { (coding) throws(HTTPParseError) in
                var members: [UnsafeBufferPointer<UInt8>] = []
                Self.forEachListMember(coding) { members.append($0) }
                guard let last = members.last, HTTPBytes.equalsIgnoringCase(last, "chunked") else {
                    throw .invalidTransferEncoding
                }
                guard members.count == 1 else { throw .unsupportedTransferCoding }
            }
            isChunked = true
        }
        request.isKeepAlive = version == .http1_1 ? !connectionClose : connectionKeepAlive && !connectionClose
        if version == .http1_0 || (contentLength ?? 0) == 0 && !isChunked { expectsContinue = false }
    }

    /// "HTTP/" DIGIT "." DIGIT followed by CRLF.
    private static func parseVersion(_ head: UnsafeBufferPointer<UInt8>, at index: Int) throws(HTTPParseError)
        -> HTTPVersion
    {
        guard index + 10 <= head.count, head[index + 8] == HTTPBytes.cr,
            head[index] == 0x48, head[index + 1] == 0x54, head[index + 2] == 0x54, head[index + 3] == 0x50,
            head[index + 4] == 0x2F, head[index + 6] == 0x2E
        else { throw .malformedRequestLine }
        let major = head[index + 5]
        let minor = head[index + 7]
        guard (0x30...0x39).contains(major), (0x30...0x39).contains(minor) else { throw .malformedRequestLine }
        guard major == 0x31 else { throw .unsupportedVersion }
        return minor == 0x30 ? .http1_0 : .http1_1
    }

    /// 1*DIGIT without sign, list or overflow (RFC 9110 §8.6).
    private static func parseContentLength(_ value: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        guard !value.isEmpty, value.count <= 18 else { throw .invalidContentLength }
        var length = 0
        for byte in value {
            guard (0x30...0x39).contains(byte) else { throw .invalidContentLength }
            length = length * 10 + Int(byte - 0x30)
        }
        return length
    }

    /// Calls `body` with each non-empty member of a comma-separated list, without surrounding whitespace.
    private static func forEachListMember(
        _ value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var start = 0
        var index = 0
        while index <= value.count {
            if index == value.count || value[index] == HTTPBytes.comma {
                var lower = start
                var upper = index
                while lower < upper, value[lower] == HTTPBytes.space || value[lower] == HTTPBytes.tab { lower += 1 }
                while upper > lower, value[upper - 1] == HTTPBytes.space || value[upper - 1] == HTTPBytes.tab {
                    upper -= 1
                }
                if upper > lower { body(UnsafeBufferPointer(rebasing: value[lower..<upper])) }
                start = index + 1
            }
            index += 1
        }
    }

    private static func string(_ head: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: head[range]), as: UTF8.self)
    }
}
