import AssayCore
import Foundation

/// The OpenAPI v3 schema of a CustomResourceDefinition version, as the API server uses it: unknown
/// fields are pruned (or reported, for `fieldValidation=Strict`), defaults applied, values validated
/// (types, required, enum, bounds, lengths, patterns), and `x-kubernetes-validations` rules evaluated.
struct StructuralSchema: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var rule: String
        var message: String?
        var fieldPath: String?
        var reason: String?
        var program: CELProgram
    }

    var type: String?
    var properties: [String: StructuralSchema] = [:]
    var required: [String] = []
    /// `additionalProperties` as a schema (maps); empty when absent.
    var additionalPropertiesSchema: [StructuralSchema] = []
    var additionalPropertiesAllowed = false
    var itemsSchema: [StructuralSchema] = []
    var enumValues: [JSONValue]? = nil
    var minimum: Double? = nil
    var maximum: Double? = nil
    var exclusiveMinimum = false
    var exclusiveMaximum = false
    var minLength: Int? = nil
    var maxLength: Int? = nil
    var minItems: Int? = nil
    var maxItems: Int? = nil
    var minProperties: Int? = nil
    var maxProperties: Int? = nil
    var pattern: String? = nil
    var nullable = false
    var defaultValue: JSONValue? = nil
    var preserveUnknownFields = false
    var intOrString = false
    var embeddedResource = false
    var rules: [Rule] = []

    var items: StructuralSchema? { itemsSchema.first }
    var additionalProperties: StructuralSchema? { additionalPropertiesSchema.first }

    /// Compiles a schema; problems are reported as causes at `path` (for the CRD's 422).
    init(json: JSONValue, path: String, causes: inout [APIError.Cause]) {
        guard let object = json.objectValue else {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: must be an object", field: path))
            return
        }
        type = object["type"]?.stringValue
        intOrString = object["x-kubernetes-int-or-string"]?.boolValue ?? false
        preserveUnknownFields = object["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        embeddedResource = object["x-kubernetes-embedded-resource"]?.boolValue ?? false
        nullable = object["nullable"]?.boolValue ?? false
        defaultValue = object["default"]
        enumValues = object["enum"]?.arrayValue
        minimum = object["minimum"]?.doubleValue
        maximum = object["maximum"]?.doubleValue
        exclusiveMinimum = object["exclusiveMinimum"]?.boolValue ?? false
        exclusiveMaximum = object["exclusiveMaximum"]?.boolValue ?? false
        minLength = object["minLength"]?.intValue
        maxLength = object["maxLength"]?.intValue
        minItems = object["minItems"]?.intValue
        maxItems = object["maxItems"]?.intValue
        minProperties = object["minProperties"]?.intValue
        maxProperties = object["maxProperties"]?.intValue
        pattern = object["pattern"]?.stringValue
        required = (object["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        if type == nil, !intOrString, !preserveUnknownFields {
            causes.append(
                .init(
                    reason: "FieldValueRequired", message: "Required value: must not be empty for specified fields",
                    field: "\(path).type"))
        }
        for (name, child) in object["properties"]?.objectValue ?? JSONObject() {
            properties[name] = StructuralSchema(json: child, path: "\(path).properties[\(name)]", causes: &causes)
        }
        switch object["additionalProperties"] {
        case .bool(let allowed): additionalPropertiesAllowed = allowed
        case .object(let child):
            additionalPropertiesSchema = [
                StructuralSchema(json: .object(child), path: "\(path).additionalProperties", causes: &causes)
            ]
        default: break
        }
        if let items = object["items"] {
            itemsSchema = [StructuralSchema(json: items, path: "\(path).items", causes: &causes)]
        } else if type == "array" {
            causes.append(
                .init(
                    reason: "FieldValueRequired", message: "Required value: must be specified", field: "\(path).items"))
        }
        for (index, entry) in (object["x-kubernetes-validations"]?.arrayValue ?? []).enumerated() {
            let rulePath = "\(path).x-kubernetes-validations[\(index)].rule"
            guard let text = entry["rule"]?.stringValue else {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: rulePath))
                continue
            }
            do {
                let program = try CELProgram(text)
                rules.append(
                    Rule(
                        rule: text, message: entry["message"]?.stringValue,
                        fieldPath: entry["fieldPath"]?.stringValue, reason: entry["reason"]?.stringValue,
                        program: program))
            } catch {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \(JSONCodec.string(.string(text))): compilation failed: \(error)",
                        field: rulePath))
            }
        }
    }

    init() {}

    // MARK: Pruning

    /// Drops fields the schema does not declare, recording their paths.
    func prune(_ value: JSONValue, path: String, unknown: inout [String], root: Bool = false) -> JSONValue {
        switch value {
        case .object(let object):
            if preserveUnknownFields && properties.isEmpty && additionalProperties == nil { return value }
            var out = JSONObject()
            for (key, member) in object {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if root, ["apiVersion", "kind", "metadata"].contains(key) {
                    out[key] = member
                } else if let child = properties[key] {
                    out[key] = child.prune(member, path: childPath, unknown: &unknown)
                } else if let child = additionalProperties {
                    out[key] = child.prune(member, path: childPath, unknown: &unknown)
                } else if preserveUnknownFields || additionalPropertiesAllowed {
                    out[key] = member
                } else {
                    unknown.append(childPath)
                }
            }
            return .object(out)
        case .array(let elements):
            guard let items else { return value }
            return .array(
                elements.enumerated().map { items.prune($1, path: "\(path)[\($0)]", unknown: &unknown) })
        default: return value
        }
    }

    // MARK: Defaults

    func applyDefaults(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            for key in properties.keys.sorted() {
                let child = properties[key]!
                if object[key] == nil, let defaultValue = child.defaultValue {
                    object[key] = child.applyDefaults(defaultValue)
                } else if let member = object[key] {
                    object[key] = child.applyDefaults(member)
                }
            }
            if let child = additionalProperties {
                for (key, member) in object where properties[key] == nil { object[key] = child.applyDefaults(member) }
            }
            return .object(object)
        case .array(let elements):
            guard let items else { return value }
            return .array(elements.map(items.applyDefaults))
        default: return value
        }
    }

    // MARK: Validation

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .object: "\"object\""
        case .array: "\"array\""
        default: JSONCodec.string(value)
        }
    }

    func validate(_ value: JSONValue, path: String, causes: inout [APIError.Cause], root: Bool = false) {
        func invalid(_ message: String) {
            causes.append(
                .init(
                    reason: "FieldValueInvalid", message: "Invalid value: \(Self.render(value)): \(message)",
                    field: path))
        }
        /// A type mismatch shows the value's type, not the value, as the API server does.
        func typeInvalid(_ expected: String, _ actual: String) {
            causes.append(
                .init(
                    reason: "FieldValueTypeInvalid",
                    message:
                        "Invalid value: \"\(actual)\": \(shown) in body must be of type \(expected): \"\(actual)\"",
                    field: path))
        }
        let shown = path.isEmpty ? "body" : path
        if case .null = value {
            if !nullable { typeInvalid(type ?? "object", "null") }
            return
        }
        if intOrString {
            if value.stringValue == nil, value.intValue == nil {
                typeInvalid("integer-or-string", value.typeName)
                return
            }
        } else if let type {
            let matches: Bool
            switch type {
            case "object": matches = value.objectValue != nil
            case "array": matches = value.arrayValue != nil
            case "string": matches = value.stringValue != nil
            case "boolean": matches = value.boolValue != nil
            case "integer": matches = value.intValue != nil
            case "number": matches = value.doubleValue != nil
            default: matches = true
            }
            if !matches {
                typeInvalid(type, value.doubleValue != nil && type == "integer" ? "number" : value.typeName)
                return
            }
        }
        if let enumValues, !enumValues.contains(value) {
            causes.append(
                .init(
                    reason: "FieldValueNotSupported",
                    message: "Unsupported value: \(JSONCodec.string(value)): supported values: "
                        + enumValues.map(JSONCodec.string).joined(separator: ", "), field: path))
        }
        if let number = value.doubleValue {
            let n = JSONCodec.formatNumber
            if let minimum, exclusiveMinimum ? number <= minimum : number < minimum {
                invalid(
                    "\(shown) in body should be greater than \(exclusiveMinimum ? "" : "or equal to ")\(n(minimum))")
            }
            if let maximum, exclusiveMaximum ? number >= maximum : number > maximum {
                invalid("\(shown) in body should be less than \(exclusiveMaximum ? "" : "or equal to ")\(n(maximum))")
            }
        }
        if let string = value.stringValue {
            if let maxLength, string.count > maxLength {
                causes.append(
                    .init(
                        reason: "FieldValueTooLong", message: "Too long: may not be longer than \(maxLength)",
                        field: path))
            }
            if let minLength, string.count < minLength {
                invalid("\(shown) in body should be at least \(minLength) chars long")
            }
            if let pattern, string.range(of: pattern, options: .regularExpression) == nil {
                invalid("\(shown) in body should match '\(pattern)'")
            }
        }
        if let elements = value.arrayValue {
            if let maxItems, elements.count > maxItems {
                causes.append(
                    .init(
                        reason: "FieldValueTooMany",
                        message: "Too many: \(elements.count): must have at most \(maxItems) items", field: path))
            }
            if let minItems, elements.count < minItems {
                invalid("\(shown) in body should have at least \(minItems) items")
            }
            if let items {
                for (index, element) in elements.enumerated() {
                    items.validate(element, path: "\(path)[\(index)]", causes: &causes)
                }
            }
        }
        if let object = value.objectValue {
            if let maxProperties, object.count > maxProperties {
                invalid("\(shown) in body should have at most \(maxProperties) properties")
            }
            if let minProperties, object.count < minProperties {
                invalid("\(shown) in body should have at least \(minProperties) properties")
            }
            for name in required where object[name] == nil {
                causes.append(
                    .init(
                        reason: "FieldValueRequired", message: "Required value",
                        field: path.isEmpty ? name : "\(path).\(name)"))
            }
            for (key, member) in object {
                if root, ["apiVersion", "kind", "metadata"].contains(key) { continue }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if let child = properties[key] {
                    child.validate(member, path: childPath, causes: &causes)
                } else if let child = additionalProperties {
                    child.validate(member, path: "\(path)[\(key)]", causes: &causes)
                }
            }
        }
    }

    // MARK: CEL rules

    /// Evaluates `x-kubernetes-validations` bottom-up. Rules that mention `oldSelf` run only on updates
    /// where an old value exists at the same place (transition rules).
    func validateRules(_ value: JSONValue, old: JSONValue?, path: String, causes: inout [APIError.Cause]) {
        if let object = value.objectValue {
            for (key, member) in object {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if let child = properties[key] {
                    child.validateRules(member, old: old?[key], path: childPath, causes: &causes)
                } else if let child = additionalProperties {
                    child.validateRules(member, old: old?[key], path: "\(path)[\(key)]", causes: &causes)
                }
            }
        }
        if let elements = value.arrayValue, let items {
            for (index, element) in elements.enumerated() {
                items.validateRules(element, old: nil, path: "\(path)[\(index)]", causes: &causes)
            }
        }
        for rule in rules {
            if rule.program.usesOldSelf && old == nil { continue }
            var field = path
            if let fieldPath = rule.fieldPath {
                field = path + (fieldPath.hasPrefix(".") ? fieldPath : ".\(fieldPath)")
                if field.hasPrefix(".") { field.removeFirst() }
            }
            do {
                let result = try rule.program.evaluate(self: value, oldSelf: old)
                if result != .bool(true) {
                    let message = rule.message ?? "failed rule: \(rule.rule)"
                    causes.append(
                        .init(
                            reason: rule.reason ?? "FieldValueInvalid", message: "Invalid value: \(message)",
                            field: field))
                }
            } catch {
                causes.append(
                    .init(
                        reason: "FieldValueInvalid",
                        message: "Invalid value: \(Self.render(value)): rule evaluation error: \(error)", field: field))
            }
        }
    }
}
