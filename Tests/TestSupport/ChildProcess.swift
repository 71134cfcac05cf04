import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A long-running child process (a server, an emulator, an evaluator pod) whose standard output and
/// error are captured line by line and, when `logFile` is given, copied to that file.
///
/// It is started with `posix_spawn`, with an empty signal mask and default signal actions: a child
/// spawned from one of Swift concurrency's threads would otherwise inherit that thread's blocked
/// signals and never see SIGTERM. Its other file descriptors are closed, so children never hold
/// each other's pipes. A reader thread drains the output and a waiter thread reaps the process, so
/// tests wait on events (a line, the exit) instead of sleeping.
public final class ChildProcess: Sendable {
    /// How a process ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        /// The shell's convention: the exit code, or 128 + the signal.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signalled(let signal): "signal \(signal)"
            }
        }

        init(waitStatus: Int32) {
            let signal = waitStatus & 0x7f
            self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(signal)
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case spawn(String, Int32)
        case exited(String, Termination, tail: String)
        case timedOut(String, tail: String)

        public var description: String {
            switch self {
            case .spawn(let path, let code): "cannot start \(path): \(String(cString: strerror(code)))"
            case .exited(let what, let termination, let tail):
                "the process ended (\(termination)) before \(what); its last output:\n\(tail)"
            case .timedOut(let what, let tail): "timed out waiting for \(what); the process's last output:\n\(tail)"
            }
        }
    }

    /// The test's environment without `ASSAY_*` variables and `KUBECONFIG`, so a child is configured
    /// only by what the test passes it (and still finds `PATH`, `HOME`, coverage settings).
    public static func cleanEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ASSAY_") && $0.key != "KUBECONFIG" }
    }

    /// Lines kept in memory; the log file has all of them.
    public static let keptLines = 5000
    /// How long the waiter gives the reader to drain what the process wrote before it exited.
    static let drainTimeout = 2.0

    /// The executable's file name, for messages.
    public let name: String
    public let pid: Int32
    public let logFile: String?
    private let core: ChildProcessCore

    /// Starts `executable` with exactly `environment` (nothing is inherited). `directory` is its
    /// working directory. `onLine` sees every output line (stdout and stderr interleaved as
    /// written), `onExit` the termination, both on the process's own reader and waiter threads.
    public init(
        executable: String, arguments: [String], environment: [String: String], directory: String? = nil,
        logFile: String? = nil, onLine: (@Sendable (String) -> Void)? = nil,
        onExit: (@Sendable (Termination) -> Void)? = nil
    ) throws {
        name = URL(fileURLWithPath: executable).lastPathComponent
        self.logFile = logFile
        var ends: [Int32] = [-1, -1]
        guard LibC.pipe(&ends) == 0 else { throw Failure.spawn(executable, errno) }
        let readEnd = ends[0]
        let writeEnd = ends[1]
        var log: Int32 = -1
        if let logFile {
            log = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard log >= 0 else {
                let code = errno
                close(readEnd)
                close(writeEnd)
                throw Failure.spawn(logFile, code)
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        if let directory { _ = LibC.addChangeDirectory(&actions, directory) }
        LibC.addCloseFrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, executable, &actions, &attributes, argv, envp)
        close(writeEnd)
        guard result == 0 else {
            close(readEnd)
            if log >= 0 { close(log) }
            throw Failure.spawn(executable, result)
        }
        let child = spawned
        pid = child
        let core = ChildProcessCore(onLine: onLine)
        self.core = core
        let drained = DispatchSemaphore(value: 0)
        let reader = Thread { [log] in
            Self.drain(readEnd, into: core, log: log)
            drained.signal()
        }
        reader.name = "child-output-\(child)"
        reader.start()
        let waiter = Thread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0, errno == EINTR {}
            core.reaped()
            _ = drained.wait(timeout: .now() + Self.drainTimeout)
            let termination = Termination(waitStatus: status)
            core.finish(termination)
            onExit?(termination)
        }
        waiter.name = "child-wait-\(child)"
        waiter.start()
    }

    /// Starts one of the package's executables (`BuiltExecutable.evaluator`, ...) as found by
    /// ``BuiltExecutable/path(_:)``, with ``cleanEnvironment()`` plus `environment` (an empty
    /// value still overrides, so a flag's variable can be set to nothing). Throws
    /// ``Failure/spawn(_:_:)`` with `ENOENT` when it is not built.
    public convenience init(
        built name: String, arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        logFile: String? = nil
    ) throws {
        guard let executable = BuiltExecutable.path(name) else { throw Failure.spawn(name, ENOENT) }
        try self.init(
            executable: executable, arguments: arguments,
            environment: Self.cleanEnvironment().merging(environment) { $1 }, directory: directory,
            logFile: logFile)
    }

    deinit {
        core.signal(pid, SIGKILL)
    }

    /// Copies the pipe to the log file and the captured lines until end of file.
    private static func drain(_ fd: Int32, into core: ChildProcessCore, log: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var partial: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            if log >= 0 {
                var offset = 0
                while offset < count {
                    let written = buffer[offset..<count].withUnsafeBytes { write(log, $0.baseAddress, $0.count) }
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
            partial.append(contentsOf: buffer[..<count])
            var lines: [String] = []
            var start = 0
            while let newline = partial[start...].firstIndex(of: 10) {
                lines.append(String(decoding: partial[start..<newline], as: UTF8.self))
                start = newline + 1
            }
            if start > 0 { partial.removeFirst(start) }
            if !lines.isEmpty { core.append(lines) }
        }
        if !partial.isEmpty { core.append([String(decoding: partial, as: UTF8.self)]) }
        close(fd)
        if log >= 0 { close(log) }
    }

    // MARK: State

    /// `nil` while the process runs (or is being reaped).
    public var termination: Termination? { core.snapshot().termination }
    public var isRunning: Bool { termination == nil }

    /// The captured lines (the last ``keptLines``).
    public var output: [String] { core.snapshot().lines }

    /// The last `count` lines, joined.
    public func tail(_ count: Int = 40) -> String { output.suffix(count).joined(separator: "\n") }

    // MARK: Signals

    /// Sends `number` unless the process has already been reaped.
    public func signal(_ number: Int32) { core.signal(pid, number) }

    /// SIGKILL, then waits (blocking, bounded) until the process is reaped.
    @discardableResult
    public func kill() -> Termination? {
        signal(SIGKILL)
        return waitForExitBlocking(timeout: .seconds(10))
    }

    /// SIGTERM, then waits up to `grace` for the exit, then SIGKILL.
    @discardableResult
    public func terminate(grace: Duration = .seconds(10)) async -> Termination {
        signal(SIGTERM)
        if let termination = try? await waitForExit(timeout: grace) { return termination }
        signal(SIGKILL)
        while true {
            if let termination = try? await waitForExit(timeout: .seconds(60)) { return termination }
        }
    }

    // MARK: Waiting

    /// Waits until an output line satisfies `predicate` and returns it; throws if the process ends
    /// first or `timeout` passes.
    public func waitForLine(
        _ what: String, timeout: Duration = .seconds(20), where predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        let core = core
        let tail: @Sendable () -> String = { [self] in self.tail() }
        do {
            return try await withDeadline(timeout, what) {
                var next = 0
                for await _ in core.changes() {
                    let state = core.snapshot(from: next)
                    if let line = state.newLines.first(where: predicate) { return line }
                    next = state.nextLine
                    if let termination = state.termination { throw Failure.exited(what, termination, tail: tail()) }
                }
                throw CancellationError()
            }
        } catch is DeadlineExceeded {
            throw Failure.timedOut(what, tail: self.tail())
        }
    }

    /// ``waitForLine(_:timeout:where:)`` for synchronous callers: polls every 5 ms.
    public func waitForLineBlocking(
        _ what: String, timeout: Duration = .seconds(20), where predicate: (String) -> Bool
    ) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var next = 0
        while true {
            let state = core.snapshot(from: next)
            if let line = state.newLines.first(where: predicate) { return line }
            next = state.nextLine
            if let termination = state.termination { throw Failure.exited(what, termination, tail: tail()) }
            guard ContinuousClock.now < deadline else { throw Failure.timedOut(what, tail: tail()) }
            usleep(5000)
        }
    }

    /// Waits until the process has exited and returns how.
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Termination {
        let core = core
        do {
            return try await withDeadline(timeout, "\(name) to exit") {
                for await _ in core.changes() {
                    if let termination = core.snapshot().termination { return termination }
                }
                throw CancellationError()
            }
        } catch is DeadlineExceeded {
            throw Failure.timedOut("\(name) to exit", tail: tail())
        }
    }

    /// ``waitForExit(timeout:)`` for synchronous callers; `nil` on timeout.
    public func waitForExitBlocking(timeout: Duration = .seconds(30)) -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let termination = core.snapshot().termination { return termination }
            usleep(2000)
        }
        return core.snapshot().termination
    }
}
