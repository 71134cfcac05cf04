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
