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
    /// Foundation's formatter cost more than the rest of a line.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendDateTime(now.tv_sec, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDigits(Int(now.tv_nsec) / 1_000_000, count: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `2026-01-02T03:04:05` for `seconds` since the epoch, in UTC.
    static func appendDateTime(_ seconds: Int, to bytes: inout [UInt8]) {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        appendDigits(Int(parts.tm_year) + 1900, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), count: 2, to: &bytes)
    }

    /// `value` (not negative) in exactly `count` decimal digits, zero-padded (higher digits dropped).
    static func appendDigits(_ value: Int, count: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<max(count, 1) { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(48 + (value / divisor) % 10))
            divisor /= 10
        }
    }

    private static func appendQuoted(_ text: String, to line: inout String) {
        line += JSONWriter.string(.string(text))
    }
}
