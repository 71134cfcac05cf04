import Foundation

/// Structured logs: one JSON object a line on standard error, the shape log collectors in a
/// cluster (Fluent Bit, Vector, Loki's promtail) parse without configuration.
///
/// Never pass secrets in `fields`: nothing here redacts them.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let label: String
    public let minimumLevel: Level
    private let sink: @Sendable (String) -> Void

    /// - Parameter sink: where finished lines go; standard error unless a test captures them.
    public init(label: String, minimumLevel: Level = .info, sink: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.minimumLevel = minimumLevel
        self.sink = sink ?? { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.debug, message(), fields)
    }

    public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.info, message(), fields)
    }

    public func warning(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warning, message(), fields)
    }

    public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.error, message(), fields)
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String>) {
        guard level >= minimumLevel else { return }
        var line = "{\"time\":\""
        line += Self.timestamp()
        line += "\",\"level\":\"\(level.name)\",\"logger\":"
        Self.appendQuoted(label, to: &line)
        line += ",\"msg\":"
        Self.appendQuoted(message(), to: &line)
        for (key, value) in fields {
            line += ","
            Self.appendQuoted(key, to: &line)
            line += ":"
            Self.appendQuoted(value, to: &line)
        }
        line += "}\n"
        sink(line)
    }

    /// Now in RFC 3339 UTC with milliseconds (`2026-01-02T03:04:05.678Z`), what
    /// `Date.ISO8601FormatStyle(includingFractionalSeconds: true)` writes, formatted by hand:
    /// Foundation's formatter cost more than the rest of a line, which the access log writes per
    /// request.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, at offset: Int, digits: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[index] = UInt8(48 + value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, at: 0, digits: 4)
        put(Int(parts.tm_mon) + 1, at: 5, digits: 2)
        put(Int(parts.tm_mday), at: 8, digits: 2)
        put(Int(parts.tm_hour), at: 11, digits: 2)
        put(Int(parts.tm_min), at: 14, digits: 2)
        put(Int(parts.tm_sec), at: 17, digits: 2)
        put(Int(now.tv_nsec) / 1_000_000, at: 20, digits: 3)
        for (offset, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] {
            bytes[offset] = UInt8(ascii: Unicode.Scalar(separator)!)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendQuoted(_ text: String, to line: inout String) {
        line += JSONWriter.string(.string(text))
    }
}
