import AssayCore

/// Command-line configuration of `assay-provider-emulator`; every flag also reads an
/// `ASSAY_EMULATOR_*` variable.
struct EmulatorOptions: Sendable {
    /// Loopback by default: the emulator is for tests and local demos, not for exposure.
    static let defaultHost = "127.0.0.1"
    /// A fixed port next to the evaluator's 8080, so a local config can name it; 0 picks a free one.
    static let defaultPort = 8090
    /// Fixed seed so fault injection is reproducible run to run unless asked otherwise.
    static let defaultSeed: UInt64 = 1

    var host = defaultHost
    var port = defaultPort
    var behaviour = EmulatorBehaviour()
    var apiKey: String?
    var seed = defaultSeed

    static var parser: OptionParser {
        var p = OptionParser(
            command: "assay-provider-emulator",
            summary:
                "Serves the OpenAI, Azure OpenAI, Anthropic and Gemini wire formats on loopback with injectable faults."
        )
        p.option("host", env: "ASSAY_EMULATOR_HOST", default: defaultHost, help: "address to bind")
        p.option("port", env: "ASSAY_EMULATOR_PORT", default: String(defaultPort), help: "TCP port; 0 picks a free one")
        p.option("latency-ms", env: "ASSAY_EMULATOR_LATENCY_MS", help: "fixed delay before each answer")
        p.option("latency-jitter-ms", env: "ASSAY_EMULATOR_LATENCY_JITTER_MS", help: "extra random delay, 0...N ms")
        p.option("error-rate", env: "ASSAY_EMULATOR_ERROR_RATE", help: "probability (0...1) of an injected error")
        p.option("error-status", env: "ASSAY_EMULATOR_ERROR_STATUS", help: "status of injected errors (500, 503, ...)")
        p.option("rate-limit-rate", env: "ASSAY_EMULATOR_RATE_LIMIT_RATE", help: "probability of a 429")
        p.option("retry-after-seconds", env: "ASSAY_EMULATOR_RETRY_AFTER_SECONDS", help: "Retry-After on 429s")
        p.flag("hang", env: "ASSAY_EMULATOR_HANG", help: "never answer provider requests")
        p.option("slow-body-ms", env: "ASSAY_EMULATOR_SLOW_BODY_MS", help: "extra delay before the body")
        p.option("malformed-rate", env: "ASSAY_EMULATOR_MALFORMED_RATE", help: "probability of truncated JSON")
        p.option("api-key", env: "ASSAY_EMULATOR_API_KEY", help: "require this key on provider routes (default: none)")
        p.option("seed", env: "ASSAY_EMULATOR_SEED", default: String(defaultSeed), help: "seed for injected faults")
        return p
    }

    /// Parses arguments; behaviour flags go through the same validation as the control endpoint.
    static func parse(_ arguments: [String], environment: [String: String]) throws(EmulatorOptionsError)
        -> EmulatorOptions
    {
        let values: OptionValues
        do {
            values = try parser.parse(arguments, environment: environment)
        } catch {
            throw .options(error)
        }
        var options = EmulatorOptions()
        var patch = JSONObject()
        do throws(OptionError) {
            options.host = values.string("host") ?? defaultHost
            options.port = try values.int("port") ?? defaultPort
            guard (0...65535).contains(options.port) else {
                throw OptionError.invalidValue(name: "port", value: String(options.port), expected: "0...65535")
            }
            for (flag, key) in [
                ("latency-ms", "latencyMs"), ("latency-jitter-ms", "latencyJitterMs"), ("error-status", "errorStatus"),
                ("retry-after-seconds", "retryAfterSeconds"), ("slow-body-ms", "slowBodyMs"),
            ] {
                if let v = try values.int(flag) { patch[key] = .number(Double(v)) }
            }
            for (flag, key) in [
                ("error-rate", "errorRate"), ("rate-limit-rate", "rateLimitRate"), ("malformed-rate", "malformedRate"),
            ] {
                if let v = try values.double(flag) { patch[key] = .number(v) }
            }
            if try values.bool("hang") { patch["hang"] = true }
            options.apiKey = values.string("api-key")
            if let raw = values.string("seed") {
                guard let seed = UInt64(raw) else {
                    throw OptionError.invalidValue(name: "seed", value: raw, expected: "a non-negative integer")
                }
                options.seed = seed
            }
        } catch {
            throw .options(error)
        }
        do {
            options.behaviour = try EmulatorBehaviour().patched(with: .object(patch))
        } catch {
            throw .behaviour(error)
        }
        return options
    }
}

/// Why the emulator could not start.
enum EmulatorOptionsError: Error, CustomStringConvertible {
    case options(OptionError)
    case behaviour(FieldError)
    case server(String)

    var description: String {
        switch self {
        case .options(let e): e.description
        case .behaviour(let e): "invalid behaviour flag: \(e)"
        case .server(let m): "cannot start: \(m)"
        }
    }
}
