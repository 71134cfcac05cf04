/// Why a request could not be parsed; each case maps to the status the server answers with before closing.
public enum HTTPParseError: Error, Sendable, Equatable {
    case malformedRequestLine
    case invalidMethod
    case invalidTarget
    case unsupportedVersion
    case malformedHeader
    case obsoleteLineFolding
    case bareLineFeed
    case missingHost
    case duplicateHost
    case invalidContentLength
    case conflictingFraming
    case invalidTransferEncoding
    case unsupportedTransferCoding
    case malformedChunk
    case targetTooLong(limit: Int)
    case headerSectionTooLarge(limit: Int)
    case tooManyHeaders(limit: Int)
    case bodyTooLarge(limit: Int)

    /// The response status for this error.
    public var status: Int {
        switch self {
        case .unsupportedVersion: 505
        case .unsupportedTransferCoding: 501
        case .targetTooLong: 414
        case .headerSectionTooLarge, .tooManyHeaders: 431
        case .bodyTooLarge: 413
        default: 400
        }
    }

    /// A sentence for the problem document telling the client what to fix.
    public var detail: String {
        switch self {
        case .malformedRequestLine:
            "the request line must be 'METHOD target HTTP/1.1' separated by single spaces and ending in CRLF"
        case .invalidMethod: "the method contains a character that is not allowed in a token"
        case .invalidTarget: "the request target contains a space, control or non-HTTPBytes byte; percent-encode it"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .malformedHeader:
            "a header line must be 'name: value' with a token name, no space before the colon and no control bytes"
        case .obsoleteLineFolding: "header values folded onto continuation lines are not accepted (RFC 9112 §5.2)"
        case .bareLineFeed: "lines must end in CRLF; a bare LF or CR is not accepted"
        case .missingHost: "HTTP/1.1 requests must carry a Host header"
        case .duplicateHost: "the request carries more than one Host header"
        case .invalidContentLength: "Content-Length must be a single non-negative decimal number"
        case .conflictingFraming: "the request carries both Content-Length and Transfer-Encoding"
        case .invalidTransferEncoding: "Transfer-Encoding must end in 'chunked' and is not allowed in HTTP/1.0"
        case .unsupportedTransferCoding: "only the 'chunked' transfer coding is supported"
        case .malformedChunk: "the chunked body is malformed (chunk size must be hex followed by CRLF)"
        case .targetTooLong(let limit): "the request target exceeds \(limit) bytes (maxURLLength)"
        case .headerSectionTooLarge(let limit): "the header section exceeds \(limit) bytes (maxHeaderBytes)"
        case .tooManyHeaders(let limit): "the request has more than \(limit) header fields (maxHeaderCount)"
        case .bodyTooLarge(let limit): "request body exceeds \(limit) bytes (maxBodyBytes)"
        }
    }
}
