import AssayCore
import Foundation

/// A label selector in the query-string syntax of `labelSelector=`: equality (`a=b`, `a==b`, `a!=b`),
/// sets (`a in (x,y)`, `a notin (x)`) and existence (`a`, `!a`), joined by commas (AND).
struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)

        func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case .equals(let k, let v): labels[k] == v
            case .notEquals(let k, let v): labels[k] != v
            case .isIn(let k, let values): labels[k].map(values.contains) ?? false
            case .notIn(let k, let values): labels[k].map { !values.contains($0) } ?? true
            case .exists(let k): labels[k] != nil
            case .doesNotExist(let k): labels[k] == nil
            }
        }
    }

    var requirements: [Requirement] = []

    static let everything = LabelSelector()

    init(requirements: [Requirement] = []) { self.requirements = requirements }

    init(parsing text: String) throws(APIError) {
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        for raw in parts {
            let part = raw.trimmingSpaces
            if part.isEmpty { continue }
            requirements.append(try Self.requirement(part))
        }
    }

    private static func requirement(_ part: String) throws(APIError) -> Requirement {
        func bad() -> APIError { .badRequest("unable to parse requirement: invalid label selector \"\(part)\"") }
        for (op, isIn) in [(" notin ", false), (" in ", true)] {
            if let range = part.range(of: op) {
                let key = String(part[..<range.lowerBound]).trimmingSpaces
                var rest = String(part[range.upperBound...]).trimmingSpaces
                guard rest.hasPrefix("("), rest.hasSuffix(")"), !key.isEmpty else { throw bad() }
                rest = String(rest.dropFirst().dropLast())
                let values = Set(rest.split(separator: ",").map { String($0).trimmingSpaces })
                return isIn ? .isIn(key, values) : .notIn(key, values)
            }
        }
        if let range = part.range(of: "!=") {
            return .notEquals(
                String(part[..<range.lowerBound]).trimmingSpaces, String(part[range.upperBound...]).trimmingSpaces)
        }
        if let range = part.range(of: "==") ?? part.range(of: "=") {
            return .equals(
                String(part[..<range.lowerBound]).trimmingSpaces, String(part[range.upperBound...]).trimmingSpaces)
        }
        if part.hasPrefix("!") { return .doesNotExist(String(part.dropFirst()).trimmingSpaces) }
        guard !part.contains(" ") else { throw bad() }
        return .exists(part)
    }

    /// A `metav1.LabelSelector` object (`matchLabels`, `matchExpressions`).
    init(object: JSONValue) {
        if let labels = object["matchLabels"]?.objectValue {
            for (k, v) in labels { requirements.append(.equals(k, v.stringValue ?? "")) }
        }
        for expression in object["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            switch expression["operator"]?.stringValue ?? "" {
            case "In": requirements.append(.isIn(key, values))
            case "NotIn": requirements.append(.notIn(key, values))
            case "Exists": requirements.append(.exists(key))
            default: requirements.append(.doesNotExist(key))
            }
        }
    }

    /// The query-string form (what `/scale` reports as `status.selector`).
    var text: String {
        requirements.map { requirement in
            switch requirement {
            case .equals(let k, let v): "\(k)=\(v)"
            case .notEquals(let k, let v): "\(k)!=\(v)"
            case .isIn(let k, let values): "\(k) in (\(values.sorted().joined(separator: ",")))"
            case .notIn(let k, let values): "\(k) notin (\(values.sorted().joined(separator: ",")))"
            case .exists(let k): k
            case .doesNotExist(let k): "!\(k)"
            }
        }.joined(separator: ",")
    }

    func matches(_ object: JSONValue) -> Bool {
        guard !requirements.isEmpty else { return true }
        var labels: [String: String] = [:]
        for (k, v) in object.at(["metadata", "labels"])?.objectValue ?? JSONObject() { labels[k] = v.stringValue }
        return requirements.allSatisfy { $0.matches(labels) }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
