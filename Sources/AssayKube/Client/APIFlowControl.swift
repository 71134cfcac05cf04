import Foundation

/// What the client does when the API server sheds load. kube-apiserver's max-in-flight filter and
/// API Priority and Fairness answer `429 Too Many Requests` with `Retry-After: 1` and a plain-text
/// body ("Too many requests, please try again later."); other paths (storage, webhooks, an
/// aggregated server) send a `Status` with reason `TooManyRequests` or `ServiceUnavailable` and
/// `details.retryAfterSeconds`. client-go's rest client waits the `Retry-After` and sends the
/// request again, up to ten times; so does ``KubeClient`` (``ClientRateLimiter/wait(retryAfter:)``,
/// with up to half the wait again as jitter so refused requests do not return together).
public enum APIFlowControl {
    /// Retries of one request after 429 or 503 with a wait: client-go's `rest.Request` default
    /// (`maxRetries` 10). After them the error reaches the caller (a reconcile's backoff).
    public static let maxRetries = 10
    /// Waits asked for above this are cut to it: a server asking for minutes means an outage,
    /// which the caller's own backoff handles better than one sleeping request.
    public static let maxWait: Duration = .seconds(30)
    /// The wait after a 429 that names none (kube-apiserver's filters always send 1 s).
    public static let defaultWait: Duration = .seconds(1)

    /// How long to wait before sending again, or `nil` when the answer is not one to retry: a 429
    /// always is (the `Retry-After` header, else `details.retryAfterSeconds`, else 1 s); a 5xx only
    /// with one of those two (client-go's `checkWait`), since without it a 500 is a failure, not a
    /// request to come back.
    public static func retryDelay(status: Int, headers: [(name: String, value: String)], error: KubeStatusError)
        -> Duration?
    {
        guard status == 429 || (500..<600).contains(status) else { return nil }
        let header = headers.first { $0.name.lowercased() == "retry-after" }.flatMap { seconds($0.value) }
        let asked = header ?? error.retryAfterSeconds.map { Duration.seconds(max(0, $0)) }
        guard let wait = asked ?? (status == 429 ? defaultWait : nil) else { return nil }
        return min(wait, maxWait)
    }

    /// The delay-seconds form of `Retry-After` (RFC 9110 §10.2.3), the one the API server sends;
    /// an HTTP date is not read (client-go reads neither).
    static func seconds(_ value: String) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 9, let seconds = Int(trimmed), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
