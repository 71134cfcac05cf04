/// Finds the line of a field path (`spec.targets[0].providers[1].model`) in a suite's YAML text,
/// so that a validation error names the line as well as the field. Best effort: it follows block
/// mappings and sequences by indentation and falls back to the nearest parent it can find.
public enum YAMLFieldLocator {
    public static func line(of path: String, in text: String) -> Int? {
        let steps = parse(path)
        guard !steps.isEmpty else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var found: Int?
        var start = 0
        var end = lines.count
        var parentIndent = -1
        for step in steps {
            switch step {
            case .key(let key):
                guard
                    let index = (start..<end).first(where: { i in
                        let (indent, body) = split(lines[i])
                        return (indent > parentIndent && body.hasPrefix("\(key):"))
                            || (i == start && body.hasPrefix("- \(key):"))
                    })
                else { return found.map { $0 + 1 } }
                let (indent, body) = split(lines[index])
                let keyIndent = body.hasPrefix("- ") ? indent + 2 : indent
                found = index
                start = index + 1
                end = blockEnd(lines, from: start, indent: keyIndent)
                parentIndent = keyIndent
            case .index(let wanted):
                var count = -1
                var itemIndex: Int?
                var dashIndent: Int?
                for i in start..<end {
                    let (indent, body) = split(lines[i])
                    if body.hasPrefix("-"), indent >= parentIndent, indent == (dashIndent ?? indent) {
                        dashIndent = indent
                        count += 1
                        if count == wanted {
                            itemIndex = i
                            break
                        }
                    }
                }
                guard let itemIndex else { return found.map { $0 + 1 } }
                let (indent, _) = split(lines[itemIndex])
                found = itemIndex
                start = itemIndex
                end = blockEnd(lines, from: itemIndex + 1, indent: indent)
                parentIndent = indent
            }
        }
        return found.map { $0 + 1 }
    }

    private enum Step {
        case key(String)
        case index(Int)
    }

    private static func parse(_ path: String) -> [Step] {
        var steps: [Step] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { steps.append(.key(String(rest[..<bracket]))) }
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    if let index = Int(rest[rest.index(after: rest.startIndex)..<close]) { steps.append(.index(index)) }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                steps.append(.key(String(rest)))
            }
        }
        return steps
    }

    private static func split(_ line: String) -> (Int, Substring) {
        let indent = line.prefix { $0 == " " }.count
        return (indent, line.dropFirst(indent))
    }

    /// The first line after `from` indented at or left of `indent` (blank and comment lines skipped).
    private static func blockEnd(_ lines: [String], from: Int, indent: Int) -> Int {
        var i = from
        while i < lines.count {
            let (lineIndent, body) = split(lines[i])
            if !body.isEmpty, !body.hasPrefix("#"), lineIndent <= indent,
                !(lineIndent == indent && body.hasPrefix("- "))
            {
                return i
            }
            i += 1
        }
        return lines.count
    }
}
