import Glibc

/// The standard `process_*` metrics of the official Go and Python clients, read from procfs at each
/// scrape: CPU time, resident and virtual memory, open and maximum file descriptors, start time.
/// A file that cannot be read (not Linux, or a restricted procfs) leaves its metrics out.
public struct ProcessMetrics: MetricsCollector {
    /// Where procfs is mounted; tests point this at a directory laid out like it.
    public let procRoot: String
    /// Clock ticks per second, the unit of CPU times and start time in `/proc/<pid>/stat`.
    public let ticksPerSecond: Double
    /// Bytes per page, the unit of the resident set size in `/proc/<pid>/stat`.
    public let pageSize: Double

    public init(procRoot: String = "/proc") {
        self.init(
            procRoot: procRoot,
            ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
            pageSize: Double(sysconf(Int32(_SC_PAGESIZE))))
    }

    public init(procRoot: String, ticksPerSecond: Double, pageSize: Double) {
        self.procRoot = procRoot
        self.ticksPerSecond = ticksPerSecond
        self.pageSize = pageSize
    }

    public func collect() -> [MetricFamilySnapshot] {
        var families: [MetricFamilySnapshot] = []
        func add(_ name: String, _ help: String, _ type: MetricType, _ value: Double?) {
            guard let value else { return }
            families.append(
                MetricFamilySnapshot(
                    name: name, help: help, type: type, samples: [MetricSample(name: name, value: value)]))
        }
        let stat = readText(procRoot + "/self/stat").flatMap(Self.statFields)
        let bootTime = readText(procRoot + "/stat").flatMap(Self.bootTime)
        if let stat {
            add(
                "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter,
                (stat.userTicks + stat.systemTicks) / ticksPerSecond)
            add(
                "process_resident_memory_bytes", "Resident memory size in bytes.", .gauge, stat.residentPages * pageSize
            )
            add("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge, stat.virtualBytes)
            if let bootTime {
                add(
                    "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge,
                    bootTime + stat.startTicks / ticksPerSecond)
            }
        }
        add("process_open_fds", "Number of open file descriptors.", .gauge, countEntries(procRoot + "/self/fd"))
        add(
            "process_max_fds", "Maximum number of open file descriptors.", .gauge,
            readText(procRoot + "/self/limits").flatMap(Self.maxOpenFiles))
        return families
    }

    /// The fields of `/proc/<pid>/stat` used here, in their raw units.
    public struct StatFields: Sendable, Equatable {
        public var userTicks: Double
        public var systemTicks: Double
        public var startTicks: Double
        public var virtualBytes: Double
        public var residentPages: Double
    }

    /// Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may itself hold
    /// spaces or parentheses, so fields are counted from the last `)`.
    public static func statFields(_ text: String) -> StatFields? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is at index 0, so field n is at index n - 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return index < fields.count ? Double(fields[index]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        return StatFields(
            userTicks: user, systemTicks: system, startTicks: start, virtualBytes: virtual, residentPages: resident)
    }

    /// The `btime` line of `/proc/stat`: boot time in seconds since the epoch.
    public static func bootTime(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            let words = line.split(separator: " ")
            return words.count == 2 ? Double(words[1]) : nil
        }
        return nil
    }

    /// The soft limit of the `Max open files` line of `/proc/<pid>/limits` (`+Inf` if unlimited).
    public static func maxOpenFiles(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("Max open files") {
            let words = line.split(separator: " ")
            guard words.count > 3 else { return nil }
            return words[3] == "unlimited" ? .infinity : Double(words[3])
        }
        return nil
    }

    private func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return count == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Entries of a directory other than `.` and `..`; for `/proc/self/fd` this includes the
    /// descriptor used to list it, as in the official clients.
    private func countEntries(_ path: String) -> Double? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == 0x2E && (name[1] == 0 || (name[1] == 0x2E && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return Double(count)
    }
}
