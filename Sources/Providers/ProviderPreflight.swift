import Foundation

extension ProviderConfig {
    /// What stops every call to this provider before one is made: a configured key source that is
    /// unset, unreadable or empty, or a base URL that is not an http(s) URL with a host. Empty
    /// when the provider can be called. Reads the key exactly as a call does, never returns it.
    public func preflightProblems(in environment: ProviderEnvironment) -> [String] {
        var problems: [String] = []
        do {
            _ = try apiKeySource.resolve(in: environment)
        } catch {
            problems.append(error.description)
        }
        let url = resolvedBaseURL
        let components = URLComponents(string: url)
        let scheme = components?.scheme?.lowercased()
        if url.isEmpty || (scheme != "http" && scheme != "https") || (components?.host ?? "").isEmpty {
            problems.append("base URL \"\(url)\" is not an http:// or https:// URL with a host")
        }
        return problems
    }
}
