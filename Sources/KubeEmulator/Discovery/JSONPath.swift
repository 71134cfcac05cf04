import AssayCore

/// The JSONPath subset printer columns and scale subresources use: `.a.b`, `.a[0]`, `.a[*].b`,
/// `['key.with.dots']`, and filters `[?(@.type=="Ready")]`. Results are every match, in order.
enum JSONPath {
    static func evaluate(_ path: String, in value: JSONValue) -> [JSONValue] {
        var current: [JSONValue] = [value]
        var text = Substring(path.trimmingSpaces)
        if text.hasPrefix("{"), text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("$") { text = text.dropFirst() }
        while !text.isEmpty {
            if text.hasPrefix(".") {
                text = text.dropFirst()
                let name = text.prefix { $0 != "." && $0 != "[" }
                text = text.dropFirst(name.count)
                if name.isEmpty { continue }
                current = current.flatMap { v -> [JSONValue] in
                    if name == "*" { return v.objectValue.map { $0.map(\.value) } ?? v.arrayValue ?? [] }
                    return v[String(name)].map { [$0] } ?? []
                }
            } else if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]") else { return [] }
                var inner = String(text[text.index(after: text.startIndex)..<close])
                text = text[text.index(after: close)...]
                if inner.hasPrefix("?(") {
                    // A filter may itself contain ']' only inside quotes, which our columns never do.
                    inner = String(inner.dropFirst(2).dropLast())
                    current = current.flatMap { v in (v.arrayValue ?? []).filter { matches(filter: inner, $0) } }
                } else if inner == "*" {
                    current = current.flatMap { $0.arrayValue ?? $0.objectValue.map { $0.map(\.value) } ?? [] }
                } else if let index = Int(inner) {
                    current = current.compactMap { v -> JSONValue? in
                        guard let a = v.arrayValue else { return nil }
                        let i = index < 0 ? a.count + index : index
                        return a.indices.contains(i) ? a[i] : .none
                    }
                } else {
                    let key = inner.trimming("'\"")
                    current = current.compactMap { $0[key] }
                }
            } else {
                return []
            }
        }
        return current
    }

    private static func matches(filter: String, _ element: JSONValue) -> Bool {
        for op in ["==", "!="] {
            guard let range = filter.range(of: op) else { continue }
            let lhs = String(filter[..<range.lowerBound]).trimmingSpaces
            let rhs = String(filter[range.upperBound...]).trimmingSpaces.trimming("'\"")
            guard lhs.hasPrefix("@") else { return false }
            let found = evaluate(String(lhs.dropFirst()), in: element).first
            let text = found.map { $0.stringValue ?? JSONCodec.string($0) }
            return (text == rhs) == (op == "==")
        }
        return !evaluate(String(filter.trimmingSpaces.dropFirst()), in: element).isEmpty
    }

    /// Path segments for a plain dotted path such as `.spec.replicas` (scale subresource paths).
    static func segments(_ path: String) -> [String] {
        path.split(separator: ".").map(String.init)
    }
}

extension String {
    func trimming(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
