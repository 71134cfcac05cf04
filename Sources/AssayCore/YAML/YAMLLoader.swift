import CYAML

/// Limits on a YAML document, so that a hostile or broken file cannot exhaust memory or time.
public struct YAMLLimits: Sendable {
    /// Nesting depth of collections. Real suites and kubeconfigs stay under 20; 64 leaves room.
    public var maxDepth: Int = 64
    /// Nodes built, counting every alias expansion in full: this is what stops "billion laughs"
    /// documents (nested aliases that expand exponentially). A 10,000-case inline dataset with a
    /// dozen fields per case is about 150,000 nodes.
    public var maxNodes: Int = 1_000_000
    /// Alias references (`*name`) in one document. Hand-written suites use a handful.
    public var maxAliases: Int = 1_000

    public static let `default` = YAMLLimits()

    public init() {}
}

/// An error in a YAML document, with the 1-based line and column where libyaml found it.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public var description: String { "line \(line), column \(column): \(reason)" }
}

/// Reads YAML (1.1 as libyaml parses it; scalars resolved by the YAML 1.2 core schema, as
/// Kubernetes' sigs.k8s.io/yaml does in practice) into ``JSONValue``, so that a suite file and a
/// JSON body go through one decoder.
///
/// Anchors and aliases are supported and bounded by ``YAMLLimits``; merge keys (`<<`) are not.
public enum YAMLLoader {
    /// The first document of `text` (an empty stream is `null`).
    public static func load(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> JSONValue {
        try loadAll(text, limits: limits).first ?? .null
    }

    /// Every non-empty document of a multi-document stream (`---` separated), as `kubectl apply -f`
    /// reads it: empty documents are skipped.
    public static func loadAll(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> [JSONValue] {
        let parser = YAMLEventParser(text)
        var builder = Builder(limits: limits)
        return try builder.documents(from: parser)
    }

    private struct Builder {
        let limits: YAMLLimits
        var anchors: [String: (JSONValue, Int)] = [:]
        var nodes = 0
        var aliases = 0

        init(limits: YAMLLimits) { self.limits = limits }

        mutating func documents(from parser: YAMLEventParser) throws(YAMLError) -> [JSONValue] {
            var documents: [JSONValue] = []
            while true {
                let event = try parser.next()
                switch event.kind {
                case .streamStart, .documentEnd: continue
                case .streamEnd: return documents.filter { $0 != .null }
                case .documentStart:
                    anchors = [:]
                    aliases = 0
                    let first = try parser.next()
                    if first.kind == .documentEnd {
                        documents.append(.null)
                    } else {
                        documents.append(try node(first, parser: parser, depth: 0).0)
                    }
                default:
                    throw YAMLError(line: event.line, column: event.column, reason: "unexpected \(event.kind)")
                }
            }
        }

        /// Builds one node; returns it with the number of nodes it contains.
        mutating func node(_ event: YAMLEvent, parser: YAMLEventParser, depth: Int) throws(YAMLError) -> (
            JSONValue, Int
        ) {
            guard depth <= limits.maxDepth else {
                throw YAMLError(
                    line: event.line, column: event.column,
                    reason: "nesting deeper than \(limits.maxDepth) levels")
            }
            let result: (JSONValue, Int)
            switch event.kind {
            case .alias:
                aliases += 1
                guard aliases <= limits.maxAliases else {
                    throw YAMLError(
                        line: event.line, column: event.column,
                        reason: "more than \(limits.maxAliases) aliases in one document")
                }
                guard let anchor = event.anchor, let target = anchors[anchor] else {
                    throw YAMLError(
                        line: event.line, column: event.column,
                        reason: "alias *\(event.anchor ?? "") refers to no anchor defined before it")
                }
                try count(target.1, event)
                return target
            case .scalar:
                try count(1, event)
                result = (Self.resolve(event), 1)
            case .sequenceStart:
                try count(1, event)
                var items: [JSONValue] = []
                var total = 1
                while true {
                    let next = try parser.next()
                    if next.kind == .sequenceEnd { break }
                    let (item, n) = try node(next, parser: parser, depth: depth + 1)
                    items.append(item)
                    total += n
                }
                result = (.array(items), total)
            case .mappingStart:
                try count(1, event)
                var object = JSONObject()
                var total = 1
                while true {
                    let keyEvent = try parser.next()
                    if keyEvent.kind == .mappingEnd { break }
                    let (key, _) = try node(keyEvent, parser: parser, depth: depth + 1)
                    let keyText: String
                    switch key {
                    case .string(let s): keyText = s
                    case .number, .bool, .null: keyText = keyEvent.value ?? ""
                    default:
                        throw YAMLError(
                            line: keyEvent.line, column: keyEvent.column,
                            reason: "mapping keys must be scalars")
                    }
                    if keyText == "<<" && keyEvent.style == YAML_PLAIN_SCALAR_STYLE {
                        throw YAMLError(
                            line: keyEvent.line, column: keyEvent.column,
                            reason: "merge keys (<<) are not supported; write the fields out")
                    }
                    let (value, n) = try node(try parser.next(), parser: parser, depth: depth + 1)
                    object[keyText] = value
                    total += n
                }
                result = (.object(object), total)
            default:
                throw YAMLError(line: event.line, column: event.column, reason: "unexpected \(event.kind)")
            }
            if let anchor = event.anchor { anchors[anchor] = result }
            return result
        }

        mutating func count(_ n: Int, _ event: YAMLEvent) throws(YAMLError) {
            nodes += n
            guard nodes <= limits.maxNodes else {
                throw YAMLError(
                    line: event.line, column: event.column,
                    reason: "document expands to more than \(limits.maxNodes) nodes (aliases count in full)")
            }
        }

        /// YAML 1.2 core schema for plain scalars; quoted scalars and `!!str` stay strings.
        static func resolve(_ event: YAMLEvent) -> JSONValue {
            let text = event.value ?? ""
            if let tag = event.tag {
                switch tag {
                case "tag:yaml.org,2002:str": return .string(text)
                case "tag:yaml.org,2002:null": return .null
                case "tag:yaml.org,2002:bool": return .bool(text.lowercased() == "true")
                case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
                    return Double(text).map(JSONValue.number) ?? .string(text)
                default: break
                }
            }
            guard event.style == YAML_PLAIN_SCALAR_STYLE else { return .string(text) }
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
            case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
            case ".nan", ".NaN", ".NAN": return .number(.nan)
            default: break
            }
            if let number = parseNumber(text) { return .number(number) }
            return .string(text)
        }

        /// Integers (decimal, 0x hex, 0o octal) and floats as the core schema writes them.
        static func parseNumber(_ text: String) -> Double? {
            guard let first = text.utf8.first,
                first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                    || first == UInt8(ascii: ".") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
            else { return nil }
            if text.hasPrefix("0x"), let v = Int(text.dropFirst(2), radix: 16) { return Double(v) }
            if text.hasPrefix("0o"), let v = Int(text.dropFirst(2), radix: 8) { return Double(v) }
            let allowed = text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e")
                    || $0 == UInt8(ascii: "E")
            }
            guard allowed, text != "." else { return nil }
            return Double(text)
        }
    }
}
