import AssayCore

/// A parsed CEL expression; ``CELProgram`` evaluates it against `self` and `oldSelf`.
indirect enum CELExpression: Sendable {
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

/// Tokens to an expression tree, by precedence climbing: conditional, binary levels, unary,
/// postfix (selection, indexing, calls and macros) and primaries.
struct CELParser {
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
