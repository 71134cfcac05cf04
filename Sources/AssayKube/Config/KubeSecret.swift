/// A credential (bearer token, private key, password) that never shows up in logs, errors or
/// descriptions: `print`, string interpolation, `dump` and `String(reflecting:)` all print
/// `<redacted>`. Read ``revealed`` only where the bytes go on the wire.
public struct KubeSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let revealed: [UInt8]

    public init(_ bytes: [UInt8]) { self.revealed = bytes }

    public init(_ text: String) { self.revealed = Array(text.utf8) }

    /// The secret as text (tokens are ASCII).
    public var revealedText: String { String(decoding: revealed, as: UTF8.self) }

    public var isEmpty: Bool { revealed.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
