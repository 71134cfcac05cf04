import AssayCore
import Foundation

/// The id of one run of a suite, shared by every process working on it: from the resource's UID
/// and generation in a cluster (an edited suite is a new run), or from a hash of the suite's and
/// dataset's content when run from a file (the same files share a run; any edit starts a new one).
public struct RunID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts ids as they appear in URLs and Redis keys: 1 to 128 of `[A-Za-z0-9._-]`.
    public init?(_ rawValue: String) {
        guard !rawValue.isEmpty, rawValue.count <= 128,
            rawValue.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else { return nil }
        self.rawValue = rawValue
    }

    /// `<uid>-g<generation>`, for a suite read from the cluster.
    public static func resource(uid: String, generation: Int) -> RunID {
        RunID(sanitize("\(uid)-g\(generation)"))!
    }

    /// `<name>-<16 hex digits of SHA-1 over the documents>`, for a suite run from files.
    public static func content(name: String, documents: [String]) -> RunID {
        var bytes: [UInt8] = []
        for document in documents {
            bytes.append(contentsOf: document.utf8)
            bytes.append(0)
        }
        let digest = SHA1.hexDigest(bytes).prefix(16)
        return RunID(sanitize(String(name.prefix(100))) + "-" + digest)!
    }

    public var description: String { rawValue }

    /// The suite UID of a ``resource(uid:generation:)`` id (everything before the last
    /// `-g<generation>`); `nil` for a file's id, whose hex digest never follows `-g`.
    public var resourceUID: String? {
        guard let match = rawValue.wholeMatch(of: /(.+)-g[0-9]+/) else { return nil }
        return String(match.1)
    }

    private static func sanitize(_ text: String) -> String {
        let mapped = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "-" })
        return mapped.isEmpty ? "run" : mapped
    }
}
