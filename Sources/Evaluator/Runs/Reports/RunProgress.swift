import Foundation
import Scoring

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local runner's progress on standard error: a redrawn bar with counts, rate and ETA when
/// standard output is a terminal, plain periodic lines otherwise. Never written to standard
/// output or to the `--out` file.
struct RunProgress: Sendable {
    enum Style: Sendable { case bar, lines }

    var style: Style
    /// How often a line is drawn: 250 ms for the bar, 5 s for plain lines.
    var interval: Duration

    init(style: Style) {
        self.style = style
        interval = style == .bar ? .milliseconds(250) : .seconds(5)
    }

    /// The style for this process: a bar when file descriptor 1 is a terminal.
    static func forStandardOutput() -> RunProgress {
        RunProgress(style: isatty(1) == 1 ? .bar : .lines)
    }

    /// One progress line (without its terminator) for `recorded` of `total` cases after `elapsed`.
    static func line(style: Style, recorded: Int, total: Int, failed: Int, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(recorded) / seconds : 0
        let remaining = max(0, total - recorded)
        let eta = rate > 0 ? clock(Double(remaining) / rate) : "?"
        let fraction = total == 0 ? 1 : min(1, Double(recorded) / Double(total))
        let counts =
            "\(recorded)/\(total) cases (\(ReportEscaping.percent(fraction))), \(failed) failing, "
            + "\(rate1(rate)) cases/s, ETA \(eta)"
        switch style {
        case .bar:
            let width = 30
            let filled = Int((fraction * Double(width)).rounded(.down))
            return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                + counts
        case .lines:
            return "assay-evaluator: progress " + counts
        }
    }

    /// Draws until cancelled, reading the counts from `read` every `interval`.
    func run(read: @Sendable () async -> (recorded: Int, total: Int, failed: Int)?) async {
        let start = ContinuousClock.now
        var drewBar = false
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            guard let counts = await read() else { continue }
            let text = Self.line(
                style: style, recorded: counts.recorded, total: counts.total, failed: counts.failed,
                elapsed: ContinuousClock.now - start)
            switch style {
            case .bar:
                write("\r" + text + "\u{1B}[K")
                drewBar = true
            case .lines:
                write(text + "\n")
            }
        }
        if drewBar { write("\r\u{1B}[K") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func rate1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(rest))" : "\(minutes):\(two(rest))"
    }
}
