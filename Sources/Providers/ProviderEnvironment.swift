import AssayCore
import Glibc

/// Access to the process environment and files, injectable so tests need not mutate the
/// real environment (which `setenv` makes unsafe while other threads read it).
public struct ProviderEnvironment: Sendable {
    public var variable: @Sendable (String) -> String?
    public var readFile: @Sendable (String) -> [UInt8]?

    public init(
        variable: @escaping @Sendable (String) -> String?, readFile: @escaping @Sendable (String) -> [UInt8]?
    ) {
        self.variable = variable
        self.readFile = readFile
    }

    /// Key files are a few hundred bytes; anything past 64 KiB is not a key.
    static let maxKeyFileBytes = 64 << 10

    /// The real environment and file system.
    public static let process = ProviderEnvironment(
        variable: { name in getenv(name).map { String(cString: $0) } },
        readFile: { path in SmallFile.read(path, limit: maxKeyFileBytes) })
}
