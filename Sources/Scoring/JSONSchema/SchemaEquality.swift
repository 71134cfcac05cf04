import AssayCore

/// JSON equality as JSON Schema defines it for `const`, `enum` and `uniqueItems`: numbers by
/// value (`1` equals `1.0`), objects whatever their member order, and strings by code points.
///
/// `JSONValue`'s own `==` compares strings the Swift way, by canonical equivalence, so it
/// takes a precomposed "ñ" (U+00F1) and "n" + combining tilde (U+0303) as equal; the
/// specification, and every other validator, treats them as different strings.
enum SchemaEquality {
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        default: return false
        }
    }

    /// A value hashed and compared by ``equal(_:_:)``, for finding duplicates in one pass.
    struct Key: Hashable {
        let value: JSONValue

        static func == (lhs: Key, rhs: Key) -> Bool { SchemaEquality.equal(lhs.value, rhs.value) }

        func hash(into hasher: inout Hasher) { Self.hash(value, into: &hasher) }

        private static func hash(_ value: JSONValue, into hasher: inout Hasher) {
            switch value {
            case .null: hasher.combine(0)
            case .bool(let b): hasher.combine(b)
            case .number(let d): hasher.combine(d)
            case .string(let s): combine(s, into: &hasher)
            case .array(let elements):
                hasher.combine(elements.count)
                for element in elements { hash(element, into: &hasher) }
            case .object(let object):
                // Member order must not matter, so members are combined by a commutative sum.
                var sum = 0
                for (key, value) in object {
                    var member = Hasher()
                    combine(key, into: &member)
                    hash(value, into: &member)
                    sum = sum &+ member.finalize()
                }
                hasher.combine(object.count)
                hasher.combine(sum)
            }
        }

        /// Hashes the UTF-8 bytes: Swift's own String hash follows canonical equivalence.
        private static func combine(_ string: String, into hasher: inout Hasher) {
            var string = string
            string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(string.utf8.count)
        }
    }
}
