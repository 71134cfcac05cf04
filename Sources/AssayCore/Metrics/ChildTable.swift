/// The children of one labelled family, one per tuple of label values, created on first use.
/// Callers on a hot path look a child up once and keep it: updates on a child take no lock.
final class ChildTable<Child: AnyObject & Sendable>: Sendable {
    let name: String
    let labelNames: [String]
    private let make: @Sendable () -> Child
    private let children = Guarded<[[String]: Child]>([:])

    init(name: String, labelNames: [String], make: @escaping @Sendable () -> Child) {
        self.name = name
        self.labelNames = labelNames
        self.make = make
        if labelNames.isEmpty {
            // A family without labels has exactly one child; it is exposed (at zero) from the start.
            _ = child(for: [])
        }
    }

    func child(for values: [String]) -> Child {
        precondition(
            values.count == labelNames.count,
            "\(name) has labels \(labelNames) but got \(values.count) values")
        return children.withLock { table in
            if let existing = table[values] { return existing }
            let created = make()
            table[values] = created
            return created
        }
    }

    /// Every child with its label pairs, ordered by label values so that output is deterministic.
    func sorted() -> [(labels: [(name: String, value: String)], child: Child)] {
        let entries = children.withLock { Array($0) }
        return entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { entry in
            (Array(zip(labelNames, entry.key)).map { (name: $0.0, value: $0.1) }, entry.value)
        }
    }
}
