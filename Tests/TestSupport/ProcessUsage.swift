import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process's CPU time and memory, read from `/proc/<pid>` (Linux), for tests that check that
/// work stops or stays within a memory bound.
public enum ProcessUsage {
    /// User plus system CPU seconds the process has used so far; `nil` once it is gone.
    public static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3 of stat(5), utime 14 and stime 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The CPU share (1.0 = one core) the process used over `interval`, measured now.
    public static func cpuShare(_ pid: Int32, over interval: Duration) async throws -> Double? {
        guard let before = cpuSeconds(pid) else { return nil }
        let start = ContinuousClock.now
        try await Task.sleep(for: interval)
        guard let after = cpuSeconds(pid) else { return nil }
        let elapsed = ContinuousClock.now - start
        return (after - before) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// A `/proc/<pid>/status` memory field (`VmRSS`, `VmHWM` for the peak) in MiB.
    public static func memoryMiB(_ pid: Int32, _ field: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kib = Double(parts[1]) { return kib / 1024 }
        }
        return nil
    }
}
