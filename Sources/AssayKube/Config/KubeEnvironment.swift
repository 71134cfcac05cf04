import Foundation

/// Reads the process environment once per call, so that configuration loaders can take the
/// environment as a parameter (tests pass a dictionary) without touching global state.
public enum KubeEnvironment {
    public static var current: [String: String] { ProcessInfo.processInfo.environment }
}
