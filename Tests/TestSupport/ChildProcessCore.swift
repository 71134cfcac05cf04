import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The process's shared state: captured lines, whether it was reaped, and the observers to wake
/// on each change.
final class ChildProcessCore: @unchecked Sendable {
    struct Snapshot {
        var lines: [String]
        var termination: ChildProcess.Termination?
    }

    struct Slice {
        var newLines: ArraySlice<String>
        var nextLine: Int
        var termination: ChildProcess.Termination?
    }

    private let lock = NSLock()
    private var lines: [String] = []
    /// The absolute number of `lines[0]` (older lines were dropped).
    private var firstLine = 0
    private var isReaped = false
    private var termination: ChildProcess.Termination?
    private var observers: [UUID: AsyncStream<Void>.Continuation] = [:]
    private let onLine: (@Sendable (String) -> Void)?

    init(onLine: (@Sendable (String) -> Void)?) { self.onLine = onLine }

    func append(_ new: [String]) {
        for line in new { onLine?(line) }
        lock.withLock {
            lines.append(contentsOf: new)
            if lines.count > ChildProcess.keptLines {
                let dropped = lines.count - ChildProcess.keptLines
                lines.removeFirst(dropped)
                firstLine += dropped
            }
            for observer in observers.values { observer.yield() }
        }
    }

    func reaped() { lock.withLock { isReaped = true } }

    func finish(_ value: ChildProcess.Termination) {
        lock.withLock {
            termination = value
            for observer in observers.values { observer.yield() }
        }
    }

    /// Sends a signal under the lock that marks the process reaped, so a reused pid is never hit.
    func signal(_ pid: Int32, _ number: Int32) {
        lock.withLock {
            guard !isReaped else { return }
            _ = Glibc.kill(pid, number)
        }
    }

    func snapshot() -> Snapshot { lock.withLock { Snapshot(lines: lines, termination: termination) } }

    func snapshot(from absolute: Int) -> Slice {
        lock.withLock {
            let start = max(absolute - firstLine, 0)
            return Slice(newLines: lines[start...], nextLine: firstLine + lines.count, termination: termination)
        }
    }

    /// A stream that yields once at once and again after every change, until the caller stops.
    func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        lock.withLock { observers[id] = continuation }
        continuation.yield()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.observers.removeValue(forKey: id) }
        }
        return stream
    }
}

/// glibc functions the Glibc module does not export (they need `_GNU_SOURCE`), looked up at run
/// time, with portable fallbacks.
enum LibC {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let pipe2: Pipe2? = symbol("pipe2")
    static let closeFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let changeDirectory: AddChangeDirectory? = symbol(
        "posix_spawn_file_actions_addchdir_np")

    static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }

    /// A pipe whose ends are closed on exec.
    static func pipe(_ ends: UnsafeMutablePointer<Int32>) -> Int32 {
        if let pipe2 { return pipe2(ends, O_CLOEXEC) }
        guard Glibc.pipe(ends) == 0 else { return -1 }
        for end in [ends[0], ends[1]] { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return 0
    }

    /// Closes every descriptor from `lowest` up in the child.
    static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) {
        if let closeFrom, closeFrom(actions, lowest) == 0 { return }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd >= lowest { posix_spawn_file_actions_addclose(actions, fd) }
    }

    static func addChangeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Int32
    {
        guard let changeDirectory else { return ENOSYS }
        return changeDirectory(actions, path)
    }
}
