import Foundation
import TestSupport
import Testing

/// The HTML report as a browser renders it: headless Chromium (Debian `chromium`) loads the page
/// written by `assay-evaluator run --output html`, dumps the rendered DOM and takes a screenshot.
@Suite("assay-evaluator run: HTML report in headless Chromium", .serialized)
struct RunReportBrowserTests {
    /// The `chromium` executable on `PATH`, if installed.
    static var chromium: URL? { BuiltExecutable.onPath("chromium").map { URL(fileURLWithPath: $0) } }

    /// Runs `executable` to its exit (killed after `timeout`), standard output in a file; returns
    /// the exit status and standard output. The exit is awaited through the termination handler.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL, timeout: Duration = .seconds(90))
        async throws -> (status: Int32, stdout: String)
    {
        let out = directory.appendingPathComponent("chromium-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exited.yield($0.terminationStatus) }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        var iterator = exits.makeAsyncIterator()
        let status = await iterator.next() ?? -1
        watchdog.cancel()
        return (status, try String(contentsOf: out, encoding: .utf8))
    }

    @Test("Chromium renders the report's verdict, overview, criteria and targets and screenshots the page")
    func rendersInChromium() async throws {
        guard let chromium = Self.chromium else {
            print("chromium not installed: skipped")
            return
        }
        let directory = try RunCommandTests.directory([:])
        let html = directory.appendingPathComponent("report.html")
        let report = try await RunReportCommandTests.run([
            RunCommandTests.samples("capitals.yaml"), "--output", "html", "--out", html.path,
        ])
        #expect(report.status == 0, "\(report.stdout)\n\(report.stderr)")
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu",
            "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
        ]

        let dom = try await Self.run(chromium, common + ["--dump-dom", html.absoluteString], in: directory)
        #expect(dom.status == 0)
        for id in ["verdict", "overview", "criteria", "targets"] {
            #expect(dom.stdout.contains("id=\"\(id)\""), "the rendered DOM has no element with id \(id)")
        }

        let png = directory.appendingPathComponent("report.png")
        let shot = try await Self.run(
            chromium, common + ["--screenshot=\(png.path)", "--window-size=1200,1600", html.absoluteString],
            in: directory)
        #expect(shot.status == 0)
        let image = try Data(contentsOf: png)
        #expect(image.count > 10_000, "a 1200x1600 screenshot of the report is only \(image.count) bytes")
        #expect(Array(image.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }
}
