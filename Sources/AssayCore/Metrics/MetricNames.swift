/// Name rules of the Prometheus data model, checked when a family is registered (a bad name is a
/// programmer error, caught on the first run rather than at the first scrape).
enum MetricNames {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isValidMetricName(_ name: String) -> Bool {
        isValid(name, allowColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__` (reserved for Prometheus itself).
    static func isValidLabelName(_ name: String) -> Bool {
        isValid(name, allowColon: false) && !name.hasPrefix("__")
    }

    private static func isValid(_ name: String, allowColon: Bool) -> Bool {
        var first = true
        for byte in name.utf8 {
            let letter = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
            let digit = byte >= 0x30 && byte <= 0x39
            let colon = allowColon && byte == 0x3A
            guard letter || colon || (digit && !first) else { return false }
            first = false
        }
        return !first
    }

    /// Checks a family's names; the registry calls this before creating it.
    static func check(name: String, labels: [String], reserved: Set<String> = []) {
        precondition(isValidMetricName(name), "invalid metric name '\(name)'")
        precondition(Set(labels).count == labels.count, "duplicate label name in \(labels) of \(name)")
        for label in labels {
            precondition(isValidLabelName(label), "invalid label name '\(label)' of \(name)")
            precondition(!reserved.contains(label), "label name '\(label)' is reserved in \(name)")
        }
    }
}
