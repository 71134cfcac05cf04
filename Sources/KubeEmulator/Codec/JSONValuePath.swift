import AssayCore

/// Reading and writing nested object members by key path (`["metadata", "name"]`), the way the
/// emulator touches Kubernetes objects.
extension JSONValue {
    /// The member at `path`, or nil when any step is missing or not an object.
    func at(_ path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard case .object(let object) = current, let next = object[key] else { return nil }
            current = next
        }
        return current
    }

    /// Sets the member at `path`, creating objects on the way; `nil` removes it. A step that is
    /// not an object is replaced by one.
    mutating func set(_ path: [String], _ value: JSONValue?) {
        guard let key = path.first else {
            self = value ?? .null
            return
        }
        var object = objectValue ?? JSONObject()
        if path.count == 1 {
            object[key] = value
        } else {
            var child = object[key] ?? .object(JSONObject())
            if child.objectValue == nil { child = .object(JSONObject()) }
            if value == nil && object[key] == nil { return }
            child.set(Array(path.dropFirst()), value)
            object[key] = child
        }
        self = .object(object)
    }
}

extension JSONValue {
    /// The number as an integer when it is one exactly (Kubernetes' int32/int64 fields).
    var intValue: Int? {
        guard case .number(let d) = self, d.rounded() == d, abs(d) < 9.007_199_254_740_992e15 else { return nil }
        return Int(d)
    }
}

extension JSONCodec {
    /// A number as the API writes it in messages: integers without a fraction.
    static func formatNumber(_ value: Double) -> String {
        JSONWriter.string(.number(value))
    }
}
