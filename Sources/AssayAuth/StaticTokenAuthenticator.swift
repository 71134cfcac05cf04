import AssayCore
import Glibc

/// `--auth-token-file`: callers present a token of a ``StaticTokenFile``. The file is read at start
/// (a bad file stops the process) and again whenever it changes: a Kubernetes Secret rotated in
/// place swaps the mounted file, which changes its inode and times, so new tokens work and old
/// ones stop without a restart. A changed file that does not parse is ignored (with one warning)
/// and the previous tokens stay in force.
public final class StaticTokenAuthenticator: Authenticator {
    /// How often the file is looked at for a change: one `stat` a second is nothing, and a
    /// rotation takes effect within a second. (Our choice; the kubelet itself updates a mounted
    /// Secret only every minute or so.)
    public static let defaultCheckInterval = Duration.seconds(1)
    /// Token files are a line per caller; anything past this is not one. (Our choice.)
    static let maxFileBytes = 1 << 20

    /// What identifies one version of the file.
    struct Fingerprint: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var changed: Int64
    }

    private struct State {
        var tokens: StaticTokenFile
        var fingerprint: Fingerprint?
        var lastCheck: ContinuousClock.Instant
        var warnedAbout: Fingerprint?
    }

    public let path: String
    private let checkInterval: Duration
    private let clock: any MonotonicClock
    private let logger: Logger
    private let state: Guarded<State>

    /// Reads `path` now; throws when it is missing or invalid.
    public init(
        path: String, checkInterval: Duration = defaultCheckInterval, clock: any MonotonicClock = SystemClock(),
        logger: Logger = Logger(label: "auth")
    ) throws(TokenFileError) {
        self.path = path
        self.checkInterval = checkInterval
        self.clock = clock
        self.logger = logger
        let fingerprint = Self.fingerprint(path)
        let tokens = try Self.read(path)
        state = Guarded(State(tokens: tokens, fingerprint: fingerprint, lastCheck: clock.now))
    }

    /// Users in the file as last read.
    public var count: Int { state.withLock { $0.tokens.count } }

    public func authenticate(token: String) async -> AuthenticationResult {
        reloadIfChanged()
        let tokens = state.withLock { $0.tokens }
        guard let user = tokens.user(for: token) else { return .rejected }
        return .authenticated(user)
    }

    /// Re-reads the file when its fingerprint moved since the last read (looked at once per
    /// `checkInterval`).
    func reloadIfChanged() {
        let now = clock.now
        let due = state.withLock { state in
            guard now - state.lastCheck >= checkInterval else { return false }
            state.lastCheck = now
            return true
        }
        guard due else { return }
        let fingerprint = Self.fingerprint(path)
        guard fingerprint != state.withLock({ $0.fingerprint }) else { return }
        do {
            let tokens = try Self.read(path)
            state.withLock { state in
                state.tokens = tokens
                state.fingerprint = fingerprint
            }
            logger.info("token file reloaded", ["file": path, "users": String(tokens.count)])
        } catch {
            let first = state.withLock { state in
                defer { state.warnedAbout = fingerprint }
                return state.warnedAbout != fingerprint
            }
            if first {
                logger.warning(
                    "the changed token file is not usable; the previous tokens stay in force",
                    ["error": error.description])
            }
        }
    }

    static func read(_ path: String) throws(TokenFileError) -> StaticTokenFile {
        guard let bytes = SmallFile.read(path, limit: maxFileBytes) else {
            throw TokenFileError(description: "\(path): cannot read the token file (missing, unreadable or over 1 MiB)")
        }
        return try StaticTokenFile.parse(String(decoding: bytes, as: UTF8.self), source: path)
    }

    /// The file's identity and times, following symlinks (a mounted Secret is a symlink into its
    /// current data directory); `nil` when it cannot be read.
    static func fingerprint(_ path: String) -> Fingerprint? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Fingerprint(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }
}
