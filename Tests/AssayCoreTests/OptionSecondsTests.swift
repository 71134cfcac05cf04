import Testing

@testable import AssayCore

@Suite("Seconds options")
struct OptionSecondsTests {
    private static func value(_ raw: String) throws(OptionError) -> Duration? {
        var parser = OptionParser(command: "assay-test", summary: "Reads one duration.")
        parser.option("timeout-seconds", help: "a duration")
        return try parser.parse(["--timeout-seconds", raw], environment: [:]).positiveSeconds("timeout-seconds")
    }

    @Test(
        "a positive number of seconds up to ten years is read as milliseconds",
        arguments: [
            ("1", Duration.seconds(1)),
            ("0.25", .milliseconds(250)),
            ("604800", .seconds(604_800)),
            ("315360000", .seconds(315_360_000)),
        ] as [(String, Duration)])
    func accepted(raw: String, expected: Duration) throws {
        #expect(try Self.value(raw) == expected)
    }

    @Test(
        "zero, negative, huge and non-numbers are refused with the option's name instead of crashing",
        arguments: ["0", "-3", "315360000.5", "1e300", "1e19", "nan", "inf", "soon"])
    func refused(raw: String) {
        #expect {
            _ = try Self.value(raw)
        } throws: { error in
            guard case OptionError.invalidValue(let name, let value, _) = error else { return false }
            return name == "timeout-seconds" && value == raw
        }
    }

    @Test("an unset option is nil")
    func unset() throws {
        var parser = OptionParser(command: "assay-test", summary: "Reads one duration.")
        parser.option("timeout-seconds", help: "a duration")
        #expect(try parser.parse([], environment: [:]).positiveSeconds("timeout-seconds") == nil)
    }
}
