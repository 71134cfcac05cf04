/// The limits a parser enforces while reading a request.
public struct HTTPParserLimits: Sendable, Equatable {
    public var maxBodyBytes: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxURLLength: Int

    public init(
        maxBodyBytes: Int = HTTPServerConfiguration.defaultMaxBodyBytes,
        maxHeaderBytes: Int = HTTPServerConfiguration.defaultMaxHeaderBytes,
        maxHeaderCount: Int = HTTPServerConfiguration.defaultMaxHeaderCount,
        maxURLLength: Int = HTTPServerConfiguration.defaultMaxURLLength
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxURLLength = maxURLLength
    }
}

/// What the parser produced from the bytes it consumed.
public enum HTTPParseStep: Sendable {
    /// Everything offered was consumed and the request is not complete yet.
    case needMoreData
    /// The head is complete, carries `Expect: 100-continue`, and the body has not been read yet: the caller may
    /// send `100 Continue` and then keep feeding bytes.
    case continueExpected
    /// A complete request; bytes after it belong to the next (pipelined) request.
    case request(HTTPRequest)
}

/// An incremental HTTP/1.1 request parser (RFC 9112), independent of sockets.
///
/// Feed bytes as they arrive with `parse(_:)`; it stops after each complete request so that pipelined requests
/// are answered one at a time, in order. After an error the parser must be discarded with its connection.
///
/// Deliberate strictness, all answered with 400: a bare LF or CR as a line terminator (RFC 9112 §2.2 allows
/// accepting a bare LF, but lenient line endings are a request-smuggling vector), obs-fold continuation lines,
/// whitespace between a field name and its colon, Content-Length together with Transfer-Encoding, repeated
/// Content-Length fields (even equal ones) and Transfer-Encoding in HTTP/1.0. Empty lines before the request line
/// are skipped (RFC 9112 §2.2). Field values that are not UTF-8 are decoded with replacement characters.
public struct HTTPRequestParser: Sendable {
    /// Room for the method, two spaces and the version around a request target of maxURLLength bytes;
    /// 32 bytes of method is longer than any registered method (the longest, UPDATEREDIRECTREF, is 17).
    static let requestLineOverhead = 32 + 2 + 8 + 2
    /// A chunk-size line (size plus extensions) longer than this is rejected; nginx and Go bound it similarly
    /// by their line buffers (4 KiB).
    static let maxChunkLineBytes = 4096

    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkExtension
        case chunkSizeLineFeed
        case chunkData(remaining: Int)
        case chunkDataCarriageReturn
        case chunkDataLineFeed
        case trailerLineStart
        case trailerLine
        case trailerLineFeed
        case trailerEndLineFeed
    }

    public let limits: HTTPParserLimits
    private var state = State.head
    private var headBytes: [UInt8] = []
    /// How much of "\r\n\r\n" ends the head bytes so far.
    private var terminatorMatched = 0
    /// Length of the request line including CRLF, once its LF has been seen.
    private var requestLineLength: Int?
    private var pending: HTTPRequest?
    private var body: [UInt8] = []
    /// Storage from an earlier body that is no longer referenced, reused for the next body that fits.
    private var spareBody: [UInt8] = []
    private var chunkSizeValue = 0
    private var chunkSizeDigits = 0
    private var chunkLineBytes = 0
    private var trailerBytes = 0

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Whether some bytes of a request (other than empty lines before it) have been consumed.
    public var hasPartialRequest: Bool {
        if case .head = state { return !headBytes.isEmpty }
        return true
    }

    /// Whether the head of the current request has been parsed and its body is being read.
    public var isReadingBody: Bool {
        if case .head = state { return false }
        return true
    }

    /// Offers storage for the next body: an array whose contents are no longer needed. Large bodies then skip
    /// allocating (and faulting in) fresh memory for every request on a keep-alive connection.
    public mutating func recycleBodyStorage(_ storage: [UInt8]) {
        spareBody = storage
    }

    /// Parses a prefix of `input`, stopping after a complete request or a 100-continue point.
    /// - Returns: how many bytes were consumed and what they completed.
    public mutating func parse(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> (
        consumed: Int, step: HTTPParseStep
    ) {
        let bytes = input.bindMemory(to: UInt8.self)
        var offset = 0
        while offset < bytes.count {
            switch state {
            case .head:
                let (used, done) = try consumeHead(UnsafeBufferPointer(rebasing: bytes[offset...]))
                offset += used
                guard done else { return (offset, .needMoreData) }
                let expectsContinue = try finishHead()
                if case .head = state { return (offset, .request(takeRequest())) }
                if expectsContinue { return (offset, .continueExpected) }
            case .fixedBody(let remaining):
                let take = min(remaining, bytes.count - offset)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[offset..<offset + take]))
                offset += take
                if take == remaining { return (offset, .request(takeRequest())) }
                state = .fixedBody(remaining: remaining - take)
            case .chunkData(let remaining):
                let take = min(remaining, bytes.count - offset)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[offset..<offset + take]))
                offset += take
                state = take == remaining ? .chunkDataCarriageReturn : .chunkData(remaining: remaining - take)
            default:
                let byte = bytes[offset]
                offset += 1
                if try consumeChunkFraming(byte) { return (offset, .request(takeRequest())) }
            }
        }
        return (offset, .needMoreData)
    }

    /// Convenience for tests and tools: parses from an array.
    public mutating func parse(_ bytes: [UInt8]) throws(HTTPParseError) -> (consumed: Int, step: HTTPParseStep) {
        var result: Result<(consumed: Int, step: HTTPParseStep), HTTPParseError> = .success((0, .needMoreData))
        bytes.withUnsafeBytes { raw in
            do throws(HTTPParseError) {
                result = .success(try parse(raw))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    // MARK: Head

    /// Appends head bytes up to and including the blank line; returns bytes used and whether the head is complete.
    private mutating func consumeHead(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (Int, Bool) {
        var index = 0
        if headBytes.isEmpty {
            while index < bytes.count, bytes[index] == HTTPBytes.cr || bytes[index] == HTTPBytes.lf { index += 1 }
        }
        let start = index
        var matched = terminatorMatched
        var done = false
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == HTTPBytes.cr {
                if matched == 1 || matched == 3 { throw .bareLineFeed }
                matched = matched == 2 ? 3 : 1
            } else if byte == HTTPBytes.lf {
                guard matched == 1 || matched == 3 else { throw .bareLineFeed }
                if requestLineLength == nil { requestLineLength = headBytes.count + index - start }
                if matched == 3 {
                    done = true
                    break
                }
                matched = 2
            } else {
                if matched == 1 || matched == 3 { throw .bareLineFeed }
                matched = 0
            }
        }
        terminatorMatched = matched
        let total = headBytes.count + index - start
        let requestLineLimit = limits.maxURLLength + Self.requestLineOverhead
        if let requestLineLength {
            if requestLineLength > requestLineLimit { throw .targetTooLong(limit: limits.maxURLLength) }
            if total - requestLineLength > limits.maxHeaderBytes {
                throw .headerSectionTooLarge(limit: limits.maxHeaderBytes)
            }
        } else if total > requestLineLimit {
            throw .targetTooLong(limit: limits.maxURLLength)
        }
        headBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        return (index, done)
    }

    /// Parses the complete head, sets up body framing and returns whether the client waits for 100 Continue.
    private mutating func finishHead() throws(HTTPParseError) -> Bool {
        defer {
            headBytes.removeAll(keepingCapacity: headBytes.capacity <= 4096)
            terminatorMatched = 0
            requestLineLength = nil
        }
        let head = try headBytes.withUnsafeBufferPointer { (buffer) throws(HTTPParseError) in
            try ParsedHead(buffer, limits: limits)
        }
        pending = head.request
        if let length = head.contentLength {
            if length > 0 {
                if spareBody.capacity >= length {
                    swap(&body, &spareBody)
                    body.removeAll(keepingCapacity: true)
                } else {
                    body.reserveCapacity(length)
                }
                state = .fixedBody(remaining: length)
            }
        } else if head.isChunked {
            state = .chunkSize
            chunkSizeValue = 0
            chunkSizeDigits = 0
            chunkLineBytes = 0
            trailerBytes = 0
        }
        if case .head = state { return false }
        return head.expectsContinue
    }

    private mutating func takeRequest() -> HTTPRequest {
        var request = pending!
        pending = nil
        request.body = body
        body = []
        state = .head
        return request
    }

    // MARK: Chunked framing

    /// Consumes one byte of chunk framing; returns true when the request (including trailers) is complete.
    private mutating func consumeChunkFraming(_ byte: UInt8) throws(HTTPParseError) -> Bool {
        switch state {
        case .chunkSize, .chunkExtension:
            chunkLineBytes += 1
            if chunkLineBytes > Self.maxChunkLineBytes { throw .malformedChunk }
            if byte == HTTPBytes.cr {
                guard chunkSizeDigits > 0 else { throw .malformedChunk }
                state = .chunkSizeLineFeed
            } else if case .chunkSize = state, let digit = HTTPBytes.hexValue(byte) {
                chunkSizeValue = chunkSizeValue &* 16 &+ digit
                chunkSizeDigits += 1
                if chunkSizeValue > limits.maxBodyBytes - body.count {
                    throw .bodyTooLarge(limit: limits.maxBodyBytes)
                }
            } else if byte == HTTPBytes.semicolon || byte == HTTPBytes.space || byte == HTTPBytes.tab {
                guard chunkSizeDigits > 0 else { throw .malformedChunk }
                state = .chunkExtension
            } else if case .chunkExtension = state, HTTPBytes.isFieldValueByte(byte) {
                break
            } else {
                throw byte == HTTPBytes.lf ? .bareLineFeed : .malformedChunk
            }
        case .chunkSizeLineFeed:
            guard byte == HTTPBytes.lf else { throw .bareLineFeed }
            if chunkSizeValue == 0 {
                state = .trailerLineStart
            } else {
                // Grows geometrically (bounded by the body limit): reserving each chunk's exact size would copy
                // the body so far once per chunk, quadratic in the number of chunks.
                if body.capacity < body.count + chunkSizeValue {
                    body.reserveCapacity(max(body.count + chunkSizeValue, min(2 * body.capacity, limits.maxBodyBytes)))
                }
                state = .chunkData(remaining: chunkSizeValue)
            }
            chunkSizeValue = 0
            chunkSizeDigits = 0
            chunkLineBytes = 0
        case .chunkDataCarriageReturn:
            guard byte == HTTPBytes.cr else { throw .malformedChunk }
            state = .chunkDataLineFeed
        case .chunkDataLineFeed:
            guard byte == HTTPBytes.lf else { throw .bareLineFeed }
            state = .chunkSize
        case .trailerLineStart:
            try countTrailerByte()
            if byte == HTTPBytes.cr {
                state = .trailerEndLineFeed
            } else if byte == HTTPBytes.space || byte == HTTPBytes.tab {
                throw .obsoleteLineFolding
            } else if HTTPBytes.isToken(byte) {
                state = .trailerLine
            } else {
                throw byte == HTTPBytes.lf ? .bareLineFeed : .malformedHeader
            }
        case .trailerLine:
            try countTrailerByte()
            if byte == HTTPBytes.cr {
                state = .trailerLineFeed
            } else if !HTTPBytes.isFieldValueByte(byte) {
                throw byte == HTTPBytes.lf ? .bareLineFeed : .malformedHeader
            }
        case .trailerLineFeed:
            try countTrailerByte()
            guard byte == HTTPBytes.lf else { throw .bareLineFeed }
            state = .trailerLineStart
        case .trailerEndLineFeed:
            guard byte == HTTPBytes.lf else { throw .bareLineFeed }
            return true
        case .head, .fixedBody, .chunkData:
            preconditionFailure("bulk states are handled by parse(_:)")
        }
        return false
    }

    /// Trailer fields are read and discarded (RFC 9112 §7.1.2 allows it) but count against maxHeaderBytes.
    private mutating func countTrailerByte() throws(HTTPParseError) {
        trailerBytes += 1
        if trailerBytes > limits.maxHeaderBytes { throw .headerSectionTooLarge(limit: limits.maxHeaderBytes) }
    }
}
