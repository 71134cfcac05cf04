/// One CEL token.
enum CELToken: Equatable {
    case number(String)
    case string(String)
    case identifier(String)
    case symbol(String)
}

/// CEL source text to tokens: numbers, strings (with escapes), identifiers and symbols.
enum CELLexer {
    static let symbols = [
        "&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".",
        ",", "(", ")", "[", "]", "{", "}",
    ]

    static func tokens(_ source: String) throws(CELProgram.EvaluationError) -> [CELToken] {
        let chars = Array(source)
        var i = 0
        var out: [CELToken] = []
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
                continue
            }
            if c.isNumber {
                var text = ""
                while i < chars.count,
                    chars[i].isNumber || chars[i] == "." || chars[i] == "e" || chars[i] == "x"
                        || chars[i].isHexDigit || chars[i] == "u"
                {
                    if chars[i] == ".", i + 1 < chars.count, !chars[i + 1].isNumber { break }
                    text.append(chars[i])
                    i += 1
                }
                out.append(.number(text))
                continue
            }
            if c == "\"" || c == "'" {
                var text = ""
                i += 1
                while i < chars.count, chars[i] != c {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                        switch chars[i] {
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        default: text.append(chars[i])
                        }
                    } else {
                        text.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { throw .init(description: "unterminated string literal") }
                i += 1
                out.append(.string(text))
                continue
            }
            if c.isLetter || c == "_" {
                var text = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" {
                    text.append(chars[i])
                    i += 1
                }
                out.append(.identifier(text))
                continue
            }
            let two = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
            if symbols.contains(two) {
                out.append(.symbol(two))
                i += 2
            } else if symbols.contains(String(c)) {
                out.append(.symbol(String(c)))
                i += 1
            } else {
                throw .init(description: "Syntax error: token recognition error at: '\(c)'")
            }
        }
        return out
    }
}
