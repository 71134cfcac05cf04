import AssayCore
import Foundation
import Testing

@Suite("Process metrics from procfs")
struct MetricsProcessTests {
    private static let fakeStat =
        "1234 (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 12345 104857600 2560 "
        + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
    private static let fakeLimits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            1024                 524288               files
        Max locked memory         8388608              8388608              bytes

        """

    private func values(_ families: [MetricFamilySnapshot]) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0.samples[0].value) })
    }

    @Test("values come from stat (after the last parenthesis), btime, limits and the fd directory")
    func fakeProc() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-proc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fdDir = root.appendingPathComponent("self/fd")
        try FileManager.default.createDirectory(at: fdDir, withIntermediateDirectories: true)
        for fd in ["0", "1", "2"] {
            try Data().write(to: fdDir.appendingPathComponent(fd))
        }
        try Self.fakeStat.write(to: root.appendingPathComponent("self/stat"), atomically: true, encoding: .utf8)
        try Self.fakeLimits.write(to: root.appendingPathComponent("self/limits"), atomically: true, encoding: .utf8)
        try "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n".write(
            to: root.appendingPathComponent("stat"), atomically: true, encoding: .utf8)

        let collected = ProcessMetrics(procRoot: root.path, ticksPerSecond: 100, pageSize: 4096).collect()
        let expected: [String: Double] = [
            "process_cpu_seconds_total": 3,
            "process_resident_memory_bytes": 10_485_760,
            "process_virtual_memory_bytes": 104_857_600,
            "process_start_time_seconds": 1_700_000_123.45,
            "process_open_fds": 3,
            "process_max_fds": 1024,
        ]
        #expect(values(collected) == expected)
        #expect(collected.first { $0.name == "process_cpu_seconds_total" }?.type == .counter)
    }

    @Test("an unlimited open-files limit is +Inf, and a missing procfs yields no metrics instead of failing")
    func edgeCases() {
        #expect(ProcessMetrics.maxOpenFiles("Max open files  unlimited  unlimited  files\n") == .infinity)
        #expect(ProcessMetrics(procRoot: "/nonexistent-proc").collect().isEmpty)
    }

    @Test("this process's real values are plausible")
    func realProc() {
        let collected = values(ProcessMetrics().collect())
        let now = Date().timeIntervalSince1970
        #expect(collected.count == 6)
        #expect((collected["process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #expect((collected["process_virtual_memory_bytes"] ?? 0) >= (collected["process_resident_memory_bytes"] ?? 0))
        #expect((collected["process_open_fds"] ?? 0) >= 3)
        #expect((collected["process_max_fds"] ?? 0) >= (collected["process_open_fds"] ?? 0))
        let start = collected["process_start_time_seconds"] ?? 0
        #expect(start > now - 3600 && start <= now + 1)
        #expect((collected["process_cpu_seconds_total"] ?? -1) >= 0)
    }
}
