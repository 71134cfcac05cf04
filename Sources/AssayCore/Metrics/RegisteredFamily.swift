/// What the registry keeps of each family: its identity (to detect conflicting registrations) and
/// how to snapshot it at scrape time.
protocol RegisteredFamily: AnyObject, Sendable {
    var name: String { get }
    var help: String { get }
    var type: MetricType { get }
    var labelNames: [String] { get }
    /// Anything else that must match for a second registration to return this family.
    var shape: [Double] { get }
    func snapshot() -> MetricFamilySnapshot
}
