/// One line of a metric family: a sample name (the family name, or it plus a suffix such as
/// `_bucket`), its labels in order, and its value.
public struct MetricSample: Sendable, Equatable {
    public var name: String
    public var labels: [(name: String, value: String)]
    public var value: Double

    public init(name: String, labels: [(name: String, value: String)] = [], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }

    public static func == (lhs: MetricSample, rhs: MetricSample) -> Bool {
        lhs.name == rhs.name && lhs.value.bitPattern == rhs.value.bitPattern
            && lhs.labels.elementsEqual(rhs.labels) { $0.name == $1.name && $0.value == $1.value }
    }
}
