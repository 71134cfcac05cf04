import AssayCore
import Foundation

/// A compiled `x-kubernetes-validations` rule: the subset of CEL that CRD rules use in practice —
/// field selection and indexing, `has()`, `size()`, comparisons, arithmetic, `in`, boolean logic with
/// CEL's error-absorbing `&&`/`||`, the conditional operator, string functions (`startsWith`,
/// `endsWith`, `contains`, `matches`, `lowerAscii`, `upperAscii`), conversions (`int`, `uint`,
/// `double`, `string`), and the macros `all`, `exists`, `exists_one`, `map`, `filter`.
struct CELProgram: Sendable, Equatable {
    struct EvaluationError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    let source: String
    private let expression: CELExpression

    init(_ source: String) throws(EvaluationError) {
        self.source = source
        var parser = CELParser(tokens: try CELLexer.tokens(source))
        expression = try parser.parseAll()
    }

    var usesOldSelf: Bool { source.contains("oldSelf") }

    func evaluate(self value: JSONValue, oldSelf: JSONValue?) throws(EvaluationError) -> JSONValue {
        var bindings: [String: CELValue] = ["self": CELValue(value)]
        if let oldSelf { bindings["oldSelf"] = CELValue(oldSelf) }
        return try expression.evaluate(bindings).json
    }

    static func == (lhs: CELProgram, rhs: CELProgram) -> Bool { lhs.source == rhs.source }
}

/// A CEL runtime value.
enum CELValue: Sendable, Equatable {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    case list([CELValue])
    case map([String: CELValue])

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let d): self = d == d.rounded() && abs(d) < 9e18 ? .int(Int64(d)) : .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(CELValue.init))
        case .object(let o):
            var map: [String: CELValue] = [:]
            for (k, v) in o { map[k] = CELValue(v) }
            self = .map(map)
        }
    }

    var json: JSONValue {
        switch self {
        case .int(let i): .number(Double(i))
        case .uint(let u): .number(Double(u))
        case .double(let d): .number(d)
        case .string(let s): .string(s)
        case .bool(let b): .bool(b)
        case .null: .null
        case .list(let l): .array(l.map(\.json))
        case .map(let m): .object(JSONObject(m.keys.sorted().map { ($0, m[$0]!.json) }))
        }
    }

    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .uint(let u): Double(u)
        case .double(let d): d
        default: nil
        }
    }

    var typeName: String {
        switch self {
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bool: "bool"
        case .null: "null_type"
        case .list: "list"
        case .map: "map"
        }
    }

    /// CEL equality, with numbers compared across int, uint and double.
    func equals(_ other: CELValue) -> Bool {
        if let a = number, let b = other.number { return a == b }
        switch (self, other) {
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.equals($1) }
        case (.map(let a), .map(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map(value.equals) ?? false }
        default: return self == other
        }
    }
}

private enum CELToken: Equatable {
    case number(String)
    case string(String)
    case identifier(String)
    case symbol(String)
}

private enum CELLexer {
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

private indirect enum CELExpression: Sendable {
    case literal(CELValue)
    case identifier(String)
    case select(CELExpression, String)
    case has(CELExpression, String)
    case index(CELExpression, CELExpression)
    case call(String, target: CELExpression?, arguments: [CELExpression])
    case macro(String, target: CELExpression, variable: String, body: CELExpression, transform: CELExpression?)
    case unary(String, CELExpression)
    case binary(String, CELExpression, CELExpression)
    case conditional(CELExpression, CELExpression, CELExpression)
    case list([CELExpression])
    case map([(CELExpression, CELExpression)])
}

private struct CELParser {
    let tokens: [CELToken]
    var position = 0

    init(tokens: [CELToken]) { self.tokens = tokens }

    typealias Failure = CELProgram.EvaluationError

    var peek: CELToken? { position < tokens.count ? tokens[position] : nil }

    mutating func accept(_ symbol: String) -> Bool {
        if peek == .symbol(symbol) {
            position += 1
            return true
        }
        return false
    }

    mutating func expect(_ symbol: String) throws(Failure) {
        guard accept(symbol) else { throw .init(description: "Syntax error: expected '\(symbol)'") }
    }

    mutating func parseAll() throws(Failure) -> CELExpression {
        let expression = try conditional()
        guard position == tokens.count else { throw .init(description: "Syntax error: unexpected trailing input") }
        return expression
    }

    mutating func conditional() throws(Failure) -> CELExpression {
        let condition = try binary(0)
        if accept("?") {
            let then = try conditional()
            try expect(":")
            return .conditional(condition, then, try conditional())
        }
        return condition
    }

    static let levels: [[String]] = [
        ["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">=", "in"], ["+", "-"],
        ["*", "/", "%"],
    ]

    mutating func binary(_ level: Int) throws(Failure) -> CELExpression {
        guard level < Self.levels.count else { return try unary() }
        var left = try binary(level + 1)
        while let token = peek {
            let op: String
            switch token {
            case .symbol(let s) where Self.levels[level].contains(s): op = s
            case .identifier("in") where level == 2: op = "in"
            default: return left
            }
            position += 1
            left = .binary(op, left, try binary(level + 1))
        }
        return left
    }

    mutating func unary() throws(Failure) -> CELExpression {
        if accept("!") { return .unary("!", try unary()) }
        if accept("-") { return .unary("-", try unary()) }
        return try postfix()
    }

    mutating func arguments() throws(Failure) -> [CELExpression] {
        var args: [CELExpression] = []
        if accept(")") { return args }
        repeat { args.append(try conditional()) } while accept(",")
        try expect(")")
        return args
    }

    static let macros: Set<String> = ["all", "exists", "exists_one", "map", "filter"]

    mutating func postfix() throws(Failure) -> CELExpression {
        var expression = try primary()
        while true {
            if accept(".") {
                guard case .identifier(let name) = peek else {
                    throw .init(description: "Syntax error: expected field")
                }
                position += 1
                if accept("(") {
                    let args = try arguments()
                    if Self.macros.contains(name), args.count >= 2, case .identifier(let variable) = args[0] {
                        expression = .macro(
                            name, target: expression, variable: variable, body: args[args.count == 3 ? 2 : 1],
                            transform: args.count == 3 ? args[1] : nil)
                    } else {
                        expression = .call(name, target: expression, arguments: args)
                    }
                } else {
                    expression = .select(expression, name)
                }
            } else if accept("[") {
                let index = try conditional()
                try expect("]")
                expression = .index(expression, index)
            } else {
                return expression
            }
        }
    }

    mutating func primary() throws(Failure) -> CELExpression {
        guard let token = peek else { throw .init(description: "Syntax error: unexpected end of expression") }
        position += 1
        switch token {
        case .number(let text):
            if text.hasSuffix("u"), let u = UInt64(text.dropLast()) { return .literal(.uint(u)) }
            if text.hasPrefix("0x"), let i = Int64(text.dropFirst(2), radix: 16) { return .literal(.int(i)) }
            if let i = Int64(text) { return .literal(.int(i)) }
            if let d = Double(text) { return .literal(.double(d)) }
            throw .init(description: "Syntax error: invalid number \(text)")
        case .string(let s): return .literal(.string(s))
        case .identifier("true"): return .literal(.bool(true))
        case .identifier("false"): return .literal(.bool(false))
        case .identifier("null"): return .literal(.null)
        case .identifier(let name):
            if accept("(") {
                let args = try arguments()
                if name == "has" {
                    guard args.count == 1, case .select(let target, let field) = args[0] else {
                        throw .init(description: "invalid argument to has() macro")
                    }
                    return .has(target, field)
                }
                return .call(name, target: nil, arguments: args)
            }
            return .identifier(name)
        case .symbol("("):
            let inner = try conditional()
            try expect(")")
            return inner
        case .symbol("["):
            var items: [CELExpression] = []
            if !accept("]") {
                repeat { items.append(try conditional()) } while accept(",")
                try expect("]")
            }
            return .list(items)
        case .symbol("{"):
            var entries: [(CELExpression, CELExpression)] = []
            if !accept("}") {
                repeat {
                    let key = try conditional()
                    try expect(":")
                    entries.append((key, try conditional()))
                } while accept(",")
                try expect("}")
            }
            return .map(entries)
        default:
            throw .init(description: "Syntax error: unexpected token")
        }
    }
}

extension CELExpression {
    typealias Failure = CELProgram.EvaluationError

    func evaluate(_ bindings: [String: CELValue]) throws(Failure) -> CELValue {
        switch self {
        case .literal(let value): return value
        case .identifier(let name):
            guard let value = bindings[name] else { throw .init(description: "undeclared reference to '\(name)'") }
            return value
        case .select(let target, let field):
            guard case .map(let map) = try target.evaluate(bindings) else {
                throw .init(description: "type does not support field selection")
            }
            guard let value = map[field] else { throw .init(description: "no such key: \(field)") }
            return value
        case .has(let target, let field):
            guard case .map(let map) = try target.evaluate(bindings) else {
                throw .init(description: "invalid type for has()")
            }
            return .bool(map[field] != nil)
        case .index(let target, let index):
            let container = try target.evaluate(bindings)
            let key = try index.evaluate(bindings)
            switch (container, key) {
            case (.list(let items), _):
                guard let n = key.number, n == n.rounded(), Int(n) >= 0, Int(n) < items.count else {
                    throw .init(description: "index out of range")
                }
                return items[Int(n)]
            case (.map(let map), .string(let k)):
                guard let value = map[k] else { throw .init(description: "no such key: \(k)") }
                return value
            default: throw .init(description: "no such overload for index")
            }
        case .unary(let op, let operand):
            let value = try operand.evaluate(bindings)
            switch (op, value) {
            case ("!", .bool(let b)): return .bool(!b)
            case ("-", .int(let i)): return .int(-i)
            case ("-", .double(let d)): return .double(-d)
            default: throw .init(description: "no such overload for \(op)\(value.typeName)")
            }
        case .conditional(let condition, let then, let otherwise):
            guard case .bool(let b) = try condition.evaluate(bindings) else {
                throw .init(description: "no matching overload for conditional")
            }
            return try (b ? then : otherwise).evaluate(bindings)
        case .list(let items):
            var values: [CELValue] = []
            for item in items { values.append(try item.evaluate(bindings)) }
            return .list(values)
        case .map(let entries):
            var map: [String: CELValue] = [:]
            for (key, value) in entries {
                guard case .string(let k) = try key.evaluate(bindings) else {
                    throw .init(description: "map keys must be strings here")
                }
                map[k] = try value.evaluate(bindings)
            }
            return .map(map)
        case .binary(let op, let lhs, let rhs):
            return try Self.binary(op, lhs, rhs, bindings)
        case .call(let name, let target, let arguments):
            var args: [CELValue] = []
            if let target { args.append(try target.evaluate(bindings)) }
            for argument in arguments { args.append(try argument.evaluate(bindings)) }
            return try Self.function(name, args)
        case .macro(let name, let target, let variable, let body, let transform):
            let range: [CELValue]
            switch try target.evaluate(bindings) {
            case .list(let items): range = items
            case .map(let map): range = map.keys.sorted().map { .string($0) }
            default: throw .init(description: "macro \(name) needs a list or map")
            }
            var scoped = bindings
            var results: [CELValue] = []
            var count = 0
            for element in range {
                scoped[variable] = element
                if name == "map" {
                    if let transform {
                        guard case .bool(true) = try transform.evaluate(scoped) else { continue }
                    }
                    results.append(try body.evaluate(scoped))
                    continue
                }
                guard case .bool(let b) = try body.evaluate(scoped) else {
                    throw .init(description: "macro \(name) predicate must be bool")
                }
                if b { count += 1 }
                if name == "filter", b { results.append(element) }
                if name == "all", !b { return .bool(false) }
                if name == "exists", b { return .bool(true) }
            }
            switch name {
            case "all": return .bool(true)
            case "exists": return .bool(false)
            case "exists_one": return .bool(count == 1)
            default: return .list(results)
            }
        }
    }

    private static func binary(
        _ op: String, _ lhs: CELExpression, _ rhs: CELExpression, _ bindings: [String: CELValue]
    ) throws(Failure) -> CELValue {
        if op == "&&" || op == "||" {
            // CEL's logical operators absorb an error on one side when the other side decides.
            let decisive = op == "||"
            var firstError: Failure?
            do throws(Failure) {
                guard case .bool(let b) = try lhs.evaluate(bindings) else {
                    throw Failure(description: "no such overload for \(op)")
                }
                if b == decisive { return .bool(decisive) }
            } catch { firstError = error }
            guard case .bool(let right) = try rhs.evaluate(bindings) else {
                throw .init(description: "no such overload for \(op)")
            }
            if right == decisive { return .bool(decisive) }
            if let firstError { throw firstError }
            return .bool(!decisive)
        }
        let a = try lhs.evaluate(bindings)
        let b = try rhs.evaluate(bindings)
        switch op {
        case "==": return .bool(a.equals(b))
        case "!=": return .bool(!a.equals(b))
        case "in":
            switch b {
            case .list(let items): return .bool(items.contains { $0.equals(a) })
            case .map(let map):
                guard case .string(let key) = a else { return .bool(false) }
                return .bool(map[key] != nil)
            default: throw .init(description: "no such overload for in")
            }
        case "<", "<=", ">", ">=":
            let order: Int
            if let x = a.number, let y = b.number {
                order = x < y ? -1 : (x > y ? 1 : 0)
            } else if case .string(let x) = a, case .string(let y) = b {
                order = x < y ? -1 : (x > y ? 1 : 0)
            } else if case .bool(let x) = a, case .bool(let y) = b {
                order = x == y ? 0 : (x ? 1 : -1)
            } else {
                throw .init(description: "no such overload for \(a.typeName) \(op) \(b.typeName)")
            }
            switch op {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        default: break
        }
        switch (a, b) {
        case (.int(let x), .int(let y)):
            switch op {
            case "+": return .int(x &+ y)
            case "-": return .int(x &- y)
            case "*": return .int(x &* y)
            case "/", "%":
                guard y != 0 else { throw .init(description: op == "/" ? "division by zero" : "modulus by zero") }
                return .int(op == "/" ? x / y : x % y)
            default: break
            }
        case (.uint(let x), .uint(let y)):
            switch op {
            case "+": return .uint(x &+ y)
            case "-":
                guard x >= y else { throw .init(description: "unsigned integer overflow") }
                return .uint(x - y)
            case "*": return .uint(x &* y)
            case "/", "%":
                guard y != 0 else { throw .init(description: "division by zero") }
                return .uint(op == "/" ? x / y : x % y)
            default: break
            }
        case (.string(let x), .string(let y)) where op == "+": return .string(x + y)
        case (.list(let x), .list(let y)) where op == "+": return .list(x + y)
        default:
            if let x = a.number, let y = b.number {
                switch op {
                case "+": return .double(x + y)
                case "-": return .double(x - y)
                case "*": return .double(x * y)
                case "/": return .double(x / y)
                default: break
                }
            }
        }
        throw .init(description: "no such overload for \(a.typeName) \(op) \(b.typeName)")
    }

    private static func function(_ name: String, _ args: [CELValue]) throws(Failure) -> CELValue {
        switch (name, args.count) {
        case ("size", 1):
            switch args[0] {
            case .string(let s): return .int(Int64(s.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            default: break
            }
        case ("startsWith", 2), ("endsWith", 2), ("contains", 2), ("matches", 2):
            if case .string(let s) = args[0], case .string(let t) = args[1] {
                switch name {
                case "startsWith": return .bool(s.hasPrefix(t))
                case "endsWith": return .bool(s.hasSuffix(t))
                case "contains": return .bool(t.isEmpty || s.contains(t))
                default: return .bool(s.range(of: t, options: .regularExpression) != nil)
                }
            }
        case ("lowerAscii", 1), ("upperAscii", 1):
            if case .string(let s) = args[0] { return .string(name == "lowerAscii" ? s.lowercased() : s.uppercased()) }
        case ("int", 1):
            switch args[0] {
            case .int: return args[0]
            case .uint(let u): return .int(Int64(u))
            case .double(let d): return .int(Int64(d))
            case .string(let s): if let i = Int64(s) { return .int(i) }
            default: break
            }
        case ("uint", 1):
            if let n = args[0].number, n >= 0 { return .uint(UInt64(n)) }
        case ("double", 1):
            if let n = args[0].number { return .double(n) }
            if case .string(let s) = args[0], let d = Double(s) { return .double(d) }
        case ("string", 1):
            switch args[0] {
            case .string: return args[0]
            case .int(let i): return .string(String(i))
            case .uint(let u): return .string(String(u))
            case .double(let d): return .string(String(d))
            case .bool(let b): return .string(String(b))
            default: break
            }
        default: break
        }
        throw .init(
            description: "found no matching overload for '\(name)' applied to '("
                + args.map(\.typeName).joined(separator: ", ") + ")'")
    }
}
