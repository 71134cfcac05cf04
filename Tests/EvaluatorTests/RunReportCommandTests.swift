import AssayCore
import Foundation
import FoundationXML
import TestSupport
import Testing

/// `assay-evaluator run --output … --out …` as a user runs it, standard output and standard
/// error read apart.
@Suite("assay-evaluator run: report outputs")
struct RunReportCommandTests {
    /// Runs the built command (killed after 60 s) with its standard output and error read apart;
    /// returns both.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let evaluator = try #require(BuiltExecutable.path(BuiltExecutable.evaluator))
        let result = try Command.run(evaluator, ["run"] + arguments, timeout: .seconds(60))
        return (result.status, result.output, result.error)
    }

    /// A suite of four given outputs, two of which pass; `ids` names the cases.
    static func suite(ids: [String] = ["c1", "c2", "c3", "c4"]) throws -> URL {
        let cases = ids.enumerated().map { index, id in
            let output = index % 2 == 1 ? "yes" : "no"
            return JSONWriter.string(["id": .string(id), "output": .string(output)])
        }
        let directory = try RunCommandTests.directory([
            "suite.yaml": RunCommandTests.suite.replacingOccurrences(of: "THRESHOLD", with: "0.5"),
            "cases.jsonl": cases.joined(separator: "\n"),
        ])
        return directory
    }

    @Test("--output junit --out writes JUnit XML to the file and a one-line summary to standard output")
    func junitToFile() async throws {
        let directory = try Self.suite(ids: ["c1", "c<&\"'>2", "c3", "c4"])
        let file = directory.appendingPathComponent("report.xml")
        let (status, stdout, stderr) = try await Self.run([
            directory.appendingPathComponent("suite.yaml").path, "--output", "junit", "--out", file.path,
        ])
        #expect(status == 0, "\(stdout)\n\(stderr)")
        let lines = stdout.split(separator: "\n")
        #expect(lines.count == 1, "\(stdout)")
        #expect(stdout.hasPrefix("PASS suite tiny"))
        #expect(stdout.contains("junit report written to \(file.path)"))
        let document = try XMLDocument(contentsOf: file, options: [])
        let root = try #require(document.rootElement())
        #expect(root.attribute(forName: "tests")?.stringValue == "4")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        let testcases = root.elements(forName: "testsuite").flatMap { $0.elements(forName: "testcase") }
        #expect(testcases.count == 4)
        #expect(
            Set(testcases.compactMap { $0.attribute(forName: "name")?.stringValue })
                == ["c1", "c<&\"'>2", "c3", "c4"])
        #expect(testcases.allSatisfy { $0.attribute(forName: "classname")?.stringValue == "tiny.given" })
        #expect(!stderr.contains("<testsuites"))

        // The JUnit format as CI systems read it: validated by xmllint against our schema of it.
        let schema = Repository.path("Tests/EvaluatorTests/Fixtures/junit/junit.xsd")
        let xmllint = try Command.run("/usr/bin/xmllint", ["--noout", "--schema", schema, file.path])
        #expect(xmllint.status == 0, "xmllint: \(xmllint.error)")
    }

    @Test("--output html --out writes a self-contained page; --format stays an alias printing to stdout")
    func htmlAndAlias() async throws {
        let directory = try Self.suite()
        let suite = directory.appendingPathComponent("suite.yaml").path
        let file = directory.appendingPathComponent("report.html")
        let html = try await Self.run([suite, "--output", "html", "--out", file.path])
        #expect(html.status == 0, "\(html.stdout)\n\(html.stderr)")
        let page = try String(contentsOf: file, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("id=\"overview\"") && page.contains("id=\"criteria\"") && page.contains("id=\"targets\""))
        #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"))

        let junit = try await Self.run([suite, "--format", "junit"])
        #expect(junit.status == 0)
        #expect(junit.stdout.hasPrefix("<?xml"))
        _ = try XMLDocument(xmlString: junit.stdout, options: [])

        let json = try await Self.run([suite, "--output", "json"])
        let parsed = try JSONParser.parse(json.stdout)
        guard case .array(let cases)? = parsed["cases"] else {
            Issue.record("no cases in \(json.stdout)")
            return
        }
        #expect(cases.count == 4)
    }

    @Test("an unknown --output or an --out in a missing directory exits 2 before running")
    func invalidOutput() async throws {
        let directory = try Self.suite()
        let suite = directory.appendingPathComponent("suite.yaml").path
        let unknown = try await Self.run([suite, "--output", "pdf"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("output"))
        let alias = try await Self.run([suite, "--format", "pdf"])
        #expect(alias.status == 2)
        #expect(alias.stderr.contains("format"))
        let missing = try await Self.run([suite, "--out", directory.appendingPathComponent("no/such/file").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("out"))
        #expect(!missing.stderr.contains("cases queued"))
    }

    @Test("without a terminal, progress goes to standard error as plain periodic lines, never to stdout")
    func plainProgress() async throws {
        let directory = try Self.suite()
        let (status, stdout, stderr) = try await Self.run([
            directory.appendingPathComponent("suite.yaml").path, "--output", "json", "--concurrency", "1",
            "--case-delay-ms", "1600",
        ])
        #expect(status == 0, "\(stdout)\n\(stderr)")
        let progress = stderr.split(separator: "\n").filter { $0.hasPrefix("assay-evaluator: progress ") }
        #expect(!progress.isEmpty, "\(stderr)")
        #expect(progress.allSatisfy { $0.contains("/4 cases") && $0.contains("cases/s, ETA") })
        #expect(!stderr.contains("\r"))
        #expect(!stdout.contains("progress"))
        #expect(try JSONParser.parse(stdout)["recorded"] == 4)
    }
}
