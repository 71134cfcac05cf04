/// Flags for the project's executables: every `--flag` can also come from an `ASSAY_*`
/// environment variable (how a Deployment configures a pod), flags win over the environment,
/// and `--help` lists every option with its variable and default.
///
/// ```swift
/// var parser = OptionParser(command: "assay-evaluator serve", summary: "Runs the evaluation API.")
/// parser.option("port", env: "ASSAY_PORT", default: "8080", help: "TCP port to listen on")
/// let values = try parser.parse(arguments, environment: ProcessInfo.processInfo.environment)
/// let port = try values.int("port")
/// ```
public struct OptionParser: Sendable {
    public struct Option: Sendable {
        public var name: String
        public var env: String?
        public var defaultValue: String?
        public var help: String
        public var isFlag: Bool
    }

    public let command: String
    public let summary: String
    public private(set) var options: [Option] = []
    public private(set) var positionalHelp: String?

    public init(command: String, summary: String) {
        self.command = command
        self.summary = summary
    }

    public mutating func option(_ name: String, env: String? = nil, default defaultValue: String? = nil, help: String) {
        options.append(Option(name: name, env: env, defaultValue: defaultValue, help: help, isFlag: false))
    }

    /// A boolean switch: `--name` sets it; the variable accepts `1`, `true`, `yes`.
    public mutating func flag(_ name: String, env: String? = nil, help: String) {
        options.append(Option(name: name, env: env, defaultValue: nil, help: help, isFlag: true))
    }

    public mutating func positional(_ help: String) { positionalHelp = help }

    public func parse(_ arguments: [String], environment: [String: String]) throws(OptionError) -> OptionValues {
        var values: [String: String] = [:]
        var positionals: [String] = []
        for option in options {
            if let env = option.env, let value = environment[env], !value.isEmpty {
                values[option.name] = value
            } else if let value = option.defaultValue {
                values[option.name] = value
            }
        }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--help" || argument == "-h" { throw OptionError.helpRequested(usage) }
            guard argument.hasPrefix("--") else {
                positionals.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw OptionError.unknownOption(argument, usage)
            }
            if option.isFlag {
                values[name] = inlineValue ?? "true"
                continue
            }
            if let inlineValue {
                values[name] = inlineValue
            } else if index < arguments.count {
                values[name] = arguments[index]
                index += 1
            } else {
                throw OptionError.missingValue("--\(name)")
            }
        }
        return OptionValues(values: values, positionals: positionals)
    }

    public var usage: String {
        var text = "Usage: \(command) [options]\(positionalHelp.map { " \($0)" } ?? "")\n\n\(summary)\n\nOptions:\n"
        let width = (options.map { $0.name.count + ($0.isFlag ? 2 : 10) }.max() ?? 10) + 2
        for option in options {
            let head = option.isFlag ? "--\(option.name)" : "--\(option.name) <value>"
            var line = "  " + head + String(repeating: " ", count: max(1, width - head.count)) + option.help
            var notes: [String] = []
            if let env = option.env { notes.append("env \(env)") }
            if let value = option.defaultValue { notes.append("default \(value)") }
            if !notes.isEmpty { line += " (" + notes.joined(separator: ", ") + ")" }
            text += line + "\n"
        }
        text += "  --help" + String(repeating: " ", count: max(1, width - 6)) + "Show this help\n"
        return text
    }
}

public struct OptionValues: Sendable {
    public let values: [String: String]
    public let positionals: [String]

    public func string(_ name: String) -> String? { values[name] }

    public func int(_ name: String) throws(OptionError) -> Int? {
        guard let raw = values[name] else { return nil }
        guard let value = Int(raw) else {
            throw OptionError.invalidValue(name: name, value: raw, expected: "an integer")
        }
        return value
    }

    public func double(_ name: String) throws(OptionError) -> Double? {
        guard let raw = values[name] else { return nil }
        guard let value = Double(raw), value.isFinite else {
            throw OptionError.invalidValue(name: name, value: raw, expected: "a number")
        }
        return value
    }

    /// An integer of at least `minimum`, or nil when the option is unset.
    public func int(_ name: String, atLeast minimum: Int) throws(OptionError) -> Int? {
        guard let value = try int(name) else { return nil }
        guard value >= minimum else {
            throw OptionError.invalidValue(
                name: name, value: values[name] ?? "", expected: minimum == 0 ? "0 or more" : "at least \(minimum)")
        }
        return value
    }

    /// The longest duration a seconds option takes: ten years. Every duration option of the tools
    /// (timeouts, intervals, result lifetimes of a week by default) is far below it, and a larger
    /// value is a typo; unbounded, `1e300` would overflow the conversion to milliseconds.
    public static let maximumSeconds: Double = 315_360_000

    /// A number of seconds above zero and at most ``maximumSeconds`` (fractions allowed), or nil
    /// when the option is unset.
    public func positiveSeconds(_ name: String) throws(OptionError) -> Duration? {
        guard let seconds = try double(name) else { return nil }
        guard seconds > 0, seconds <= Self.maximumSeconds else {
            throw OptionError.invalidValue(
                name: name, value: values[name] ?? "",
                expected: "a positive number of seconds, at most \(Int(Self.maximumSeconds)) (ten years)")
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    public func bool(_ name: String) throws(OptionError) -> Bool {
        guard let raw = values[name]?.lowercased() else { return false }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw OptionError.invalidValue(name: name, value: raw, expected: "true or false")
        }
    }
}

public enum OptionError: Error, Sendable, CustomStringConvertible {
    case helpRequested(String)
    case unknownOption(String, String)
    case missingValue(String)
    case invalidValue(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .helpRequested(let usage): usage
        case .unknownOption(let option, let usage): "unknown option \(option)\n\n\(usage)"
        case .missingValue(let option): "\(option) needs a value"
        case .invalidValue(let name, let value, let expected): "--\(name) must be \(expected), got '\(value)'"
        }
    }
}
