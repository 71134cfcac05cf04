import Foundation

/// Serialises a response's status line and header section (RFC 9112 §4, §5) into a reusable byte buffer.
struct ResponseHead {
    /// Bodies up to this size are copied behind the head so the response goes out in one send; larger ones are
    /// sent from their own array with a gathered write. 16 KiB: one TLS record's worth, a common copy/gather cut-off.
    static let inlineBodyLimit = 16 * 1024

    /// How the connection continues after this response.
    enum Persistence {
        case keepAlive
        /// HTTP/1.0 clients must be told explicitly that the connection stays open.
        case keepAliveHTTP10
        case close
    }

    /// Writes the head for `response` into `buffer` (replacing its contents).
    static func write(
        _ response: HTTPResponse, bodyLength: Int, persistence: Persistence, date: [UInt8], into buffer: inout [UInt8]
    ) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: "HTTP/1.1 ".utf8)
        let status = (100...999).contains(response.status) ? response.status : 500
        appendDecimal(status, to: &buffer)
        buffer.append(HTTPBytes.space)
        buffer.append(contentsOf: HTTPStatusCodes.reasonPhrase(status).utf8)
        buffer.append(contentsOf: "\r\n".utf8)
        var hasDate = false
        for (name, value) in response.headers {
            switch name.utf8.count {
            case 4 where HTTPHeaders.namesMatch(name, "date"):
                hasDate = true
            case 10 where HTTPHeaders.namesMatch(name, "connection"),
                14 where HTTPHeaders.namesMatch(name, "content-length"),
                17 where HTTPHeaders.namesMatch(name, "transfer-encoding"):
                continue  // framing is the server's job
            default:
                break
            }
            // A field that would split the response is dropped rather than sent.
            guard name.utf8.allSatisfy(HTTPBytes.isToken),
                value.utf8.allSatisfy({ $0 != HTTPBytes.cr && $0 != HTTPBytes.lf && $0 != 0 })
            else { continue }
            buffer.append(contentsOf: name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            buffer.append(contentsOf: value.utf8)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        if !hasDate { buffer.append(contentsOf: date) }
        if !HTTPStatusCodes.forbidsBody(status) {
            buffer.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(bodyLength, to: &buffer)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        switch persistence {
        case .keepAlive: break
        case .keepAliveHTTP10: buffer.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        case .close: buffer.append(contentsOf: "Connection: close\r\n".utf8)
        }
        buffer.append(contentsOf: "\r\n".utf8)
    }

    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &buffer) }
        buffer.append(UInt8(truncatingIfNeeded: value % 10) &+ 0x30)
    }

    /// Whether the handler asked to close the connection.
    static func asksToClose(_ response: HTTPResponse) -> Bool {
        guard let connection = response.headers["Connection"] else { return false }
        return connection.split(separator: ",").contains {
            $0.trimmingCharacters(in: .whitespaces).lowercased() == "close"
        }
    }
}

/// The `Date: ...\r\n` header line (RFC 9110 §6.6.1, IMF-fixdate), rebuilt when the second changes.
struct DateHeaderCache {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private(set) var line: [UInt8] = []
    private var second = -1

    mutating func refresh() {
        let now = time(nil)
        guard now != second else { return }
        second = now
        var parts = tm()
        var seconds = now
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text =
            "Date: \(Self.days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(Self.months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT\r\n"
        line = Array(text.utf8)
    }
}
