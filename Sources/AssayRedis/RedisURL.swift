/// Where a Redis server is: `redis://[:password@]host[:port][/db]`.
///
/// A user name before the colon (`redis://user:password@...`, Redis 6 ACLs) is accepted and sent
/// with `AUTH user password`. `description` never shows the password.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    /// Redis's registered port (IANA).
    public static let defaultPort = 6379

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int

    public init(
        host: String, port: Int = RedisURL.defaultPort, username: String? = nil, password: String? = nil,
        database: Int = 0
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`; IPv6 hosts in brackets (`[::1]`).
    public init(parsing text: String) throws(RedisError) {
        let prefix = "redis://"
        guard text.hasPrefix(prefix) else {
            throw .invalidURL(reason: "it must start with \(prefix)")
        }
        var rest = Substring(text.dropFirst(prefix.count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : String(user)
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                password = Self.percentDecoded(credentials)
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let db = Int(path), db >= 0 else {
                    throw .invalidURL(reason: "the database after / must be a non-negative number, got '\(path)'")
                }
                database = db
            }
        }
        var host = rest
        var port = Self.defaultPort
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw .invalidURL(reason: "an IPv6 host must be closed with ]")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = Int(after.dropFirst()) else {
                    throw .invalidURL(reason: "the port after the IPv6 host must be a number")
                }
                port = parsed
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let parsed = Int(rest[rest.index(after: colon)...]) else {
                throw .invalidURL(reason: "the port must be a number, got '\(rest[rest.index(after: colon)...])'")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw .invalidURL(reason: "the host is missing") }
        guard (1...65535).contains(port) else { throw .invalidURL(reason: "the port must be 1-65535, got \(port)") }
        self.init(host: String(host), port: port, username: username, password: password, database: database)
    }

    /// `host:port`, for error messages and logs.
    public var server: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL with the password masked.
    public var description: String {
        let credentials =
            password == nil ? "" : "\(username ?? ""):***@"
        return "redis://\(credentials)\(server)/\(database)"
    }

    private static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
