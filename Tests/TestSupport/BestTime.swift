/// The shortest of `repetitions` runs of `body`, in seconds: the best time filters out scheduling
/// noise in the throughput tests that print numbers.
public func bestSeconds(repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<repetitions {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return best
}
