import AssayCore

// The array and object keywords of ``SchemaEvaluator``.
extension SchemaEvaluator {
    mutating func evaluateArray<I: SchemaInstance>(
        _ index: Int, _ array: I, _ count: Int, _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        let node = nodes.baseAddress! + index
        if let limit = node.pointee.minItems, count < limit {
            valid = false
            guard fail("minItems", "must have at least \(limit) items, got \(count)") else { return false }
        }
        if let limit = node.pointee.maxItems, count > limit {
            valid = false
            guard fail("maxItems", "must have at most \(limit) items, got \(count)") else { return false }
        }
        if node.pointee.uniqueItems, budget.spend(count) {
            var firstIndex: [SchemaEquality.Key: Int] = [:]
            for (i, element) in array.elements.enumerated() {
                if let earlier = firstIndex.updateValue(i, forKey: SchemaEquality.Key(value: element.jsonValue)) {
                    valid = false
                    guard fail("uniqueItems", "items must be unique, but items \(earlier) and \(i) are equal") else {
                        return false
                    }
                    break
                }
            }
        }
        let prefixCount = node.pointee.prefixItems.count
        evaluated.leadingItems = max(evaluated.leadingItems, min(prefixCount, count))
        for (i, (sub, element)) in zip(node.pointee.prefixItems, array.elements).enumerated() {
            if !evaluate(sub, element, at: .index(i)) {
                valid = false
                if !reporting || isFull { return false }
            }
        }
        if node.pointee.items != nil { evaluated.allItems = true }
        if let sub = node.pointee.items, count > prefixCount {
            for (i, element) in array.elements.enumerated() where i >= prefixCount {
                if !evaluate(sub, element, at: .index(i)) {
                    valid = false
                    if !reporting || isFull { return false }
                }
            }
        }
        if let sub = node.pointee.contains {
            var matches = 0
            for (i, element) in array.elements.enumerated() {
                let saved = reporting
                reporting = false
                if evaluate(sub, element, at: .index(i)) {
                    matches += 1
                    if tracksEvaluated { evaluated.items.insert(i) }
                }
                reporting = saved
            }
            let least = node.pointee.minContains ?? 1
            if matches < least {
                valid = false
                guard
                    fail(
                        node.pointee.minContains == nil ? "contains" : "minContains",
                        "must contain at least \(least) item(s) matching the contains schema, found \(matches)")
                else { return false }
            }
            if let most = node.pointee.maxContains, matches > most {
                valid = false
                guard
                    fail(
                        "maxContains",
                        "must contain at most \(most) item(s) matching the contains schema, found \(matches)")
                else { return false }
            }
        }
        if let sub = node.pointee.unevaluatedItems {
            for (i, element) in array.elements.enumerated() where !evaluated.contains(item: i) {
                if !evaluate(sub, element, at: .index(i)) {
                    valid = false
                    if !reporting || isFull { return false }
                }
            }
            evaluated.allItems = true
        }
        return true
    }

    mutating func evaluateObject<I: SchemaInstance>(
        _ index: Int, _ object: I, _ count: Int, _ valid: inout Bool, _ evaluated: inout SchemaEvaluatedLocations
    ) -> Bool {
        let node = nodes.baseAddress! + index
        for name in node.pointee.required where object.member(name) == nil {
            valid = false
            guard fail("required", "missing required property \(SchemaFormat.json(.string(name)))") else {
                return false
            }
        }
        if let limit = node.pointee.minProperties, count < limit {
            valid = false
            guard fail("minProperties", "must have at least \(limit) properties, got \(count)") else {
                return false
            }
        }
        if let limit = node.pointee.maxProperties, count > limit {
            valid = false
            guard fail("maxProperties", "must have at most \(limit) properties, got \(count)") else {
                return false
            }
        }
        for (property, requires) in node.pointee.dependentRequired where object.member(property) != nil {
            for name in requires where object.member(name) == nil {
                valid = false
                guard
                    fail(
                        "dependentRequired",
                        "missing property \(SchemaFormat.json(.string(name))), which is required when "
                            + "\(SchemaFormat.json(.string(property))) is present")
                else { return false }
            }
        }
        let checksMembers =
            node.pointee.propertyNames != nil || !node.pointee.properties.isEmpty
            || !node.pointee.patternProperties.isEmpty
            || node.pointee.additionalProperties != nil || node.pointee.unevaluatedProperties != nil
        guard checksMembers else { return true }
        for (name, member) in object.members {
            if let sub = node.pointee.propertyNames {
                let saved = reporting
                reporting = false
                checkingNames += 1
                let accepted = evaluate(sub, JSONValue.string(name), at: .key(name))
                checkingNames -= 1
                reporting = saved
                if !accepted {
                    valid = false
                    let proceed = failAtProperty(
                        name, "propertyNames", "the property name \(SchemaFormat.json(.string(name))) is not allowed")
                    guard proceed else { return false }
                }
            }
            var matched = false
            if let sub = node.pointee.properties[name] {
                matched = true
                if tracksEvaluated { evaluated.properties.insert(name) }
                if !evaluate(sub, member, at: .key(name)) {
                    valid = false
                    if !reporting || isFull { return false }
                }
            }
            for (pattern, sub) in node.pointee.patternProperties {
                switch match(pattern, name) {
                case .noMatch: continue
                case .match:
                    matched = true
                    if tracksEvaluated { evaluated.properties.insert(name) }
                    if !evaluate(sub, member, at: .key(name)) {
                        valid = false
                        if !reporting || isFull { return false }
                    }
                case .undecided(let reason):
                    matched = true
                    valid = false
                    let proceed = failAtProperty(
                        name, "patternProperties",
                        "the property name could not be checked against "
                            + "\(SchemaFormat.json(.string(pattern.source))): \(reason)")
                    guard proceed else { return false }
                }
            }
            if !matched, let sub = node.pointee.additionalProperties {
                if tracksEvaluated { evaluated.properties.insert(name) }
                let proceed = applyToRemainingProperty(
                    sub, name, member, keyword: "additionalProperties",
                    refusal: "the schema allows no properties beyond those it lists", &valid)
                guard proceed else { return false }
            }
        }
        if let sub = node.pointee.unevaluatedProperties {
            for (name, member) in object.members where !evaluated.properties.contains(name) {
                let proceed = applyToRemainingProperty(
                    sub, name, member, keyword: "unevaluatedProperties",
                    refusal: "no keyword of the schema covers it", &valid)
                guard proceed else { return false }
                evaluated.properties.insert(name)
            }
        }
        return true
    }

    /// Applies `additionalProperties` or `unevaluatedProperties` (`keyword`, subschema `sub`) to
    /// the member `name`: a `false` subschema refuses it, saying why (`refusal`); any other is
    /// evaluated. Returns false when evaluation should stop.
    private mutating func applyToRemainingProperty<I: SchemaInstance>(
        _ sub: Int, _ name: String, _ member: I, keyword: String, refusal: String, _ valid: inout Bool
    ) -> Bool {
        if nodes[sub].verdict == false {
            valid = false
            return failAtProperty(
                name, keyword, "the property \(SchemaFormat.json(.string(name))) is not allowed (\(refusal))")
        }
        if !evaluate(sub, member, at: .key(name)) {
            valid = false
            if !reporting || isFull { return false }
        }
        return true
    }

    /// ``fail(_:_:)`` with the member `name` as the instance location.
    private mutating func failAtProperty(
        _ name: String, _ keyword: String, _ message: @autoclosure () -> String
    ) -> Bool {
        path.append(.key(name))
        defer { path.removeLast() }
        return fail(keyword, message())
    }
}
