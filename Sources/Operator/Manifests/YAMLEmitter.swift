import AssayCore
import Foundation

/// Writes a ``JSONValue`` as block-style YAML in document order, quoting every string that a
/// YAML 1.1 reader could take for something else (`yes`, `1.0`, `null`, `- x`, `a: b`, ...), so
/// the output reads back as the same JSON value in kubectl, libyaml and PyYAML.
enum YAMLEmitter {
    static func document(_ value: JSONValue) -> String {
        var out = ""
        emit(value, indent: 0, into: &out)
        return out
    }

    /// Several documents separated by `---`.
    static func stream(_ values: [JSONValue]) -> String {
        values.map(document).joined(separator: "---\n")
    }

    private static func emit(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let object) where !object.isEmpty:
            for (key, member) in object {
                out += pad + scalarKey(key) + ":"
                emitMember(member, indent: indent, into: &out)
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                out += pad + "-"
                switch item {
                case .object(let object) where !object.isEmpty:
                    // The first member shares the dash's line; the rest align under it.
                    var body = ""
                    emit(item, indent: indent + 2, into: &body)
                    out += " " + body.dropFirst(indent + 2)
                case .array(let nested) where !nested.isEmpty:
                    out += "\n"
                    emit(item, indent: indent + 2, into: &out)
                default:
                    out += " " + inline(item) + "\n"
                }
            }
        default:
            out += pad + inline(value) + "\n"
        }
    }

    private static func emitMember(_ member: JSONValue, indent: Int, into out: inout String) {
        switch member {
        case .object(let object) where !object.isEmpty:
            out += "\n"
            emit(member, indent: indent + 2, into: &out)
        case .array(let items) where !items.isEmpty:
            out += "\n"
            emit(member, indent: indent, into: &out)
        default:
            out += " " + inline(member) + "\n"
        }
    }

    private static func inline(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number: JSONWriter.string(value)
        case .string(let text): scalar(text)
        case .array: "[]"
        case .object: "{}"
        }
    }

    private static func scalarKey(_ key: String) -> String { scalar(key) }

    /// Words YAML 1.1 reads as booleans or null.
    private static let reserved: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "",
    ]

    static func scalar(_ text: String) -> String {
        needsQuotes(text) ? JSONWriter.string(.string(text)) : text
    }

    private static func needsQuotes(_ text: String) -> Bool {
        if reserved.contains(text.lowercased()) { return true }
        if Double(text) != nil || text.first.map({ "0123456789+-.".contains($0) }) == true { return true }
        if let first = text.first, "-?:,[]{}#&*!|>'\"%@`= ".contains(first) { return true }
        if text.last == " " || text.contains(": ") || text.contains(" #") || text.hasSuffix(":") { return true }
        return text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value > 0x7E }
    }
}
