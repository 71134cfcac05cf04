/// Short renderings of user text for reasons, so that a reason never echoes megabytes.
package enum Quoting {
    /// Characters of a needle, value or match that a reason quotes before eliding the rest.
    package static let maxQuotedCharacters = 80

    /// `"text"`, or `"first 80 characters…" (N characters)` for longer text, with control
    /// characters escaped so that the reason stays on one line.
    package static func quote(_ text: String) -> String {
        if let plain = quotedAsIs(text) { return plain }
        var quoted = "\""
        var count = 0
        var truncated = false
        for character in text {
            if count == maxQuotedCharacters {
                truncated = true
                break
            }
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n", "\r\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default: quoted.append(character)
            }
            count += 1
        }
        quoted += truncated ? "…\" (\(text.count) characters)" : "\""
        return quoted
    }

    /// `"text"` when `text` is short printable ASCII without `"` or `\` (as most needles and
    /// patterns are): each byte is then one character that `quote` would keep as it is.
    private static func quotedAsIs(_ text: String) -> String? {
        let utf8 = text.utf8
        guard utf8.count <= maxQuotedCharacters,
            utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return "\"" + text + "\""
    }

    /// The first 80 characters of `text`, quoted, with `…` when there is more: how a reason
    /// shows what an output looks like without echoing all of it.
    package static func excerpt(_ text: String) -> String {
        let head = text.prefix(maxQuotedCharacters)
        let body = quote(String(head))
        return head.endIndex == text.endIndex ? body : body.dropLast() + "…\""
    }

    /// `"a", "b" and 3 more`: the first few quoted items of a list.
    package static func list(_ items: [String], limit: Int = 3) -> String {
        let shown = items.prefix(limit).map(quote).joined(separator: ", ")
        return items.count > limit ? "\(shown) and \(items.count - limit) more" : shown
    }
}
