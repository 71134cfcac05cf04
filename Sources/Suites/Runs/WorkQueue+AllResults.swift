extension WorkQueue {
    /// Every recorded case result, read `pageSize` at a time in recording order.
    public func allResults(pageSize: Int = 500) async throws -> [CaseResult] {
        var all: [CaseResult] = []
        while true {
            let page = try await results(offset: all.count, limit: pageSize)
            all += page
            if page.count < pageSize { return all }
        }
    }
}
