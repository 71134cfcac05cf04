/// A metric family as it stands at one scrape: what registered families and collectors hand to the
/// exposition writer.
public struct MetricFamilySnapshot: Sendable, Equatable {
    public var name: String
    public var help: String
    public var type: MetricType
    public var samples: [MetricSample]

    public init(name: String, help: String, type: MetricType, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }
}
