import AssayCore

/// How values are quoted in violation messages.
enum SchemaFormat {
    /// Longest JSON excerpt quoted in a message; longer values are cut with `...`, so that a
    /// message about a 1 MB string stays readable.
    static let maxQuotedLength = 80

    static func number(_ value: Double) -> String { JSONWriter.string(.number(value)) }

    static func json(_ value: JSONValue) -> String {
        let text = JSONWriter.string(value)
        guard text.count > maxQuotedLength else { return text }
        return text.prefix(maxQuotedLength) + "..."
    }

    /// `"a", "b" and "c"`-style lists, cut after a few entries.
    static func list(_ values: [JSONValue], limit: Int = 10) -> String {
        let shown = values.prefix(limit).map(json).joined(separator: ", ")
        return values.count > limit ? shown + ", ... (\(values.count) in all)" : shown
    }
}
