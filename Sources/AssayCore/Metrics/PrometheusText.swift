/// The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` lines, then one
/// line per sample, `name{label="value",...} value`.
public enum PrometheusText {
    /// The `Content-Type` of a scrape response in this format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Writes the families in the order given.
    public static func render(_ families: [MetricFamilySnapshot]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(families.count * 256)
        for family in families {
            append("# HELP ", to: &out)
            append(family.name, to: &out)
            out.append(0x20)
            appendEscaped(family.help, quotes: false, to: &out)
            append("\n# TYPE ", to: &out)
            append(family.name, to: &out)
            out.append(0x20)
            append(family.type.rawValue, to: &out)
            out.append(0x0A)
            for sample in family.samples {
                append(sample.name, to: &out)
                if !sample.labels.isEmpty {
                    out.append(0x7B)  // {
                    for (index, label) in sample.labels.enumerated() {
                        if index > 0 { out.append(0x2C) }  // ,
                        append(label.name, to: &out)
                        append("=\"", to: &out)
                        appendEscaped(label.value, quotes: true, to: &out)
                        out.append(0x22)
                    }
                    out.append(0x7D)  // }
                }
                out.append(0x20)
                append(formatValue(sample.value), to: &out)
                out.append(0x0A)
            }
        }
        return out
    }

    /// A sample value: `+Inf`, `-Inf`, `NaN`, whole numbers without a fraction (`42`, `-3`), and
    /// otherwise the shortest text that reads back as the same Double (`0.005`, `1e-07`).
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(.towardZero) && abs(value) < maxExactInteger {
            return String(Int64(value))
        }
        return value.description
    }

    /// Beyond 2^53 not every integer is a Double; larger whole values use exponent notation.
    private static let maxExactInteger = 9_007_199_254_740_992.0

    /// Label values escape `\`, `"` and newline; HELP text escapes `\` and newline only.
    static func escape(_ text: String, quotes: Bool) -> String {
        var out: [UInt8] = []
        appendEscaped(text, quotes: quotes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    private static func appendEscaped(_ text: String, quotes: Bool, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])  // \ → \\
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])  // newline → \n
            case 0x22 where quotes: out.append(contentsOf: [0x5C, 0x22])  // " → \"
            default: out.append(byte)
            }
        }
    }
}
