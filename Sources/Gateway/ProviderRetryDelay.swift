import AssayHTTP
import AssayResilience
import Foundation

/// The delay a provider's 429 asks for.
enum ProviderRetryDelay {
    /// Longest delay honoured: a provider asking for more (or a bogus date) is taken as asking
    /// for this much, so one header cannot park a worker for days. An hour is the scale of the
    /// per-hour quotas providers reset.
    static let maxDelay: Duration = .seconds(3600)

    /// `retry-after-ms` (sent by OpenAI and Azure OpenAI) first, then `Retry-After` as seconds or
    /// an HTTP date (parsed by Resilience's ``RetryAfter``).
    static func delay(from response: ClientResponse, receivedAt: Date = Date()) -> Duration? {
        if let raw = response.header("retry-after-ms"), let ms = Double(raw.trimmingCharacters(in: .whitespaces)),
            ms >= 0, ms.isFinite
        {
            return min(.milliseconds(Int64(min(ms, 3_600_000))), maxDelay)
        }
        guard let value = response.header("retry-after"), let delay = RetryAfter.delay(value, receivedAt: receivedAt)
        else { return nil }
        return min(delay, maxDelay)
    }
}
