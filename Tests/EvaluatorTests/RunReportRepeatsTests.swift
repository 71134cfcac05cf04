import AssayCore
import Foundation
import FoundationXML
import Testing

@testable import Evaluator
@testable import Suites

/// With `spec.repeats`, the HTML and JUnit reports carry each target's pass^N and its flaky cases.
@Suite("run reports with repeats: pass^N and flaky cases in HTML and JUnit", .serialized)
struct RunReportRepeatsTests {
    /// 3 repeats of 4 cases on targets `a` and `b`: on `a`, c1 passes 2 of 3 and c2 1 of 3 (both
    /// flaky), c0 and c3 pass every repeat; `b` passes everything.
    static func fixture() -> (RunAggregates, [CaseResult], RunAnalysis) {
        var cases: [CaseResult] = []
        for repeatIndex in 1...3 {
            for index in 0..<4 {
                let passed = index == 1 ? repeatIndex < 3 : index == 2 ? repeatIndex == 1 : true
                cases.append(
                    CaseResult(
                        caseID: "c\(index)",
                        targets: [
                            TargetResult(target: "a", output: "x", passed: passed, score: passed ? 1 : 0, criteria: []),
                            TargetResult(target: "b", output: "x", passed: true, score: 1, criteria: []),
                        ], consumer: "t", repeat: repeatIndex))
            }
        }
        let info = RunInfo(
            id: RunID("run-repeats")!, suiteName: "flaky", total: 12, targets: ["a", "b"], criteria: [],
            passThreshold: 0.5, repeats: 3)
        let aggregates = RunTally(cases).aggregates(info: info, seeded: true, cancelled: false)
        let analysis = RunAnalysis(
            aggregates, cases: cases,
            spec: EvaluationSuiteSpec(targets: [], dataset: .inline([]), criteria: [], passThreshold: 0.5, repeats: 3))
        return (aggregates, cases, analysis)
    }

    @Test("JUnit: each testsuite has pass^N and its flaky cases as properties; every repeat of a flaky case says so")
    func junit() throws {
        let (aggregates, cases, analysis) = Self.fixture()
        let document = try XMLDocument(xmlString: JUnitReport.xml(aggregates, cases: cases, analysis: analysis))
        let root = try #require(document.rootElement())
        func properties(_ suite: String) throws -> [String: String] {
            let nodes = try root.nodes(forXPath: "testsuite[@name='flaky.\(suite)']/properties/property")
            return Dictionary(
                nodes.compactMap { $0 as? XMLElement }.map {
                    (
                        $0.attribute(forName: "name")?.stringValue ?? "",
                        $0.attribute(forName: "value")?.stringValue ?? ""
                    )
                }, uniquingKeysWith: { first, _ in first })
        }
        let a = try properties("a")
        #expect(a["repeats"] == "3")
        #expect(a["passAll"] == "50.0%")
        #expect(a["meanPassFraction"] == "75.0%")
        #expect(a["flaky"] == "2")
        #expect(a["flakyCases"] == "c1,c2")
        let b = try properties("b")
        #expect(b["passAll"] == "100.0%" && b["flaky"] == "0" && b["flakyCases"] == "")
        // c1's and c2's three testcases each, passed or failed, carry the mark; c0's do not.
        let marked = try root.nodes(forXPath: "testsuite[@name='flaky.a']/testcase[system-out]")
            .compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(
            marked.sorted() == [
                "c1 (repeat 1)", "c1 (repeat 2)", "c1 (repeat 3)", "c2 (repeat 1)", "c2 (repeat 2)", "c2 (repeat 3)",
            ], "each repeat is its own, named test case")
        let outs = try root.nodes(forXPath: "testsuite[@name='flaky.a']/testcase[starts-with(@name, 'c2 ')]/system-out")
            .map { $0.stringValue ?? "" }
        #expect(outs == Array(repeating: "flaky: passed 1 of 3 repeats", count: 3))
        #expect(try root.nodes(forXPath: "testsuite[@name='flaky.b']/testcase[system-out]").isEmpty)
        #expect(try root.nodes(forXPath: "testsuite[@name='flaky.a']/testcase[failure]").count == 3)
    }

    @Test("HTML in headless Chromium: a repeats line per target with pass^N and the flaky cases")
    func html() async throws {
        let (aggregates, cases, analysis) = Self.fixture()
        let page = HTMLReport.html(aggregates, cases: cases, analysis: analysis)
        #expect(page.contains("<section id=\"repeats\">"))
        #expect(
            page.contains("<td class=\"case\">c1 (repeat 2)</td>"), "the case table names which repeat a row is")
        guard let chromium = RunReportBrowserTests.chromium else {
            print("chromium not installed: the rendered DOM is not checked")
            return
        }
        let directory = try RunCommandTests.directory(["report.html": page])
        let dom = try await RunReportBrowserTests.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=\(directory.appendingPathComponent("profile").path)", "--dump-dom",
                directory.appendingPathComponent("report.html").absoluteString,
            ], in: directory)
        #expect(dom.status == 0)
        func row(_ target: String) -> String {
            let start = dom.stdout.range(of: "<tr class=\"repeats\" data-target=\"\(target)\">")
            guard let start, let end = dom.stdout[start.upperBound...].range(of: "</tr>") else { return "" }
            return String(dom.stdout[start.lowerBound..<end.upperBound])
        }
        #expect(dom.stdout.contains("<h2>Repeats (3 per case)</h2>"))
        #expect(row("a").contains("<td class=\"pass-all\">50.0% (2 of 4 cases)</td>"), "\(row("a"))")
        #expect(row("a").contains("<td class=\"flaky-count\">2</td><td class=\"flaky\">c1, c2</td>"))
        #expect(row("b").contains("<td class=\"pass-all\">100.0% (4 of 4 cases)</td>"))
        #expect(row("b").contains("<td class=\"flaky-count\">0</td><td class=\"flaky\"></td>"))
    }

    @Test("without repeats the reports have no repeats section or properties")
    func noRepeats() throws {
        let cases = [
            CaseResult(
                caseID: "c0", targets: [TargetResult(target: "a", output: "", passed: true, score: 1, criteria: [])],
                consumer: "t")
        ]
        let info = RunInfo(
            id: RunID("run-once")!, suiteName: "once", total: 1, targets: ["a"], criteria: [], passThreshold: 0.5)
        let aggregates = RunTally(cases).aggregates(info: info, seeded: true, cancelled: false)
        let analysis = RunAnalysis(
            aggregates, cases: cases,
            spec: EvaluationSuiteSpec(targets: [], dataset: .inline([]), criteria: [], passThreshold: 0.5))
        #expect(!HTMLReport.html(aggregates, cases: cases, analysis: analysis).contains("id=\"repeats\""))
        let xml = JUnitReport.xml(aggregates, cases: cases, analysis: analysis)
        #expect(!xml.contains("passAll") && !xml.contains("system-out"))
        #expect(xml.contains("<testcase name=\"c0\" "), "without repeats a test case is named by its case id alone")
    }
}
