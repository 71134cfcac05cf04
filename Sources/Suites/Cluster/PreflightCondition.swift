/// The condition an evaluator pod sets on its suite when its preflight fails (a provider's
/// Secret key missing, a malformed URL): type `Preflight`, status `False`, reason
/// `PreflightFailed`, the problems as the message, for the run's generation. The operator reads it
/// to end the run as `Failed` with the same reason and message on `Ready`.
public enum PreflightCondition {
    public static let type = "Preflight"
    public static let failedReason = "PreflightFailed"
    /// metav1.Condition's message limit.
    public static let maxMessageLength = 32768
}
