import AssayCore
import Foundation
import FoundationXML
import Testing

@testable import Evaluator
@testable import Scoring
@testable import Suites

/// The local runner's report formats, rendered from hand-built results.
@Suite("run reports: JSON, JUnit XML, HTML and progress")
struct RunReportFormatsTests {
    static let hostileID = "c<&\"'>\u{1}x"
    static let hostileReason = "expected <b>\"yes\"</b> & 'no'\u{0B}"

    /// Two targets, three cases: c1 passes on both, the hostile case fails `contains` on `a` and
    /// has a generation error on `b`, c3 passes on `a` and fails on `b`.
    static func fixture() -> (RunAggregates, [CaseResult]) {
        func pass(_ target: String) -> TargetResult {
            TargetResult(
                target: target, output: "yes", latencyMs: 1500, passed: true, score: 1,
                criteria: [CriterionScore(name: "contains", type: "contains", passed: true, score: 1, reason: "found")])
        }
        func fail(_ target: String, reason: String) -> TargetResult {
            TargetResult(
                target: target, output: "no <i>", latencyMs: 250, passed: false, score: 0,
                criteria: [CriterionScore(name: "contains", type: "contains", passed: false, score: 0, reason: reason)])
        }
        let cases = [
            CaseResult(caseID: "c1", targets: [pass("a"), pass("b")], consumer: "t"),
            CaseResult(
                caseID: hostileID,
                targets: [
                    fail("a", reason: hostileReason),
                    TargetResult(
                        target: "b", output: "", latencyMs: 10, passed: false, score: 0, criteria: [],
                        error: "every provider failed: <timeout> & \"429\""),
                ], consumer: "t"),
            CaseResult(caseID: "c3", targets: [pass("a"), fail("b", reason: "missing")], consumer: "t"),
        ]
        let info = RunInfo(
            id: RunID("run-1")!, suiteName: "tiny<suite>", total: 3, targets: ["a", "b"], criteria: ["contains"],
            passThreshold: 0.5)
        let counters: [String: Double] = [
            "cases": 3, "passed": 1,
            "t:a:passed": 2, "t:a:failed": 1, "t:a:c0:n": 3, "t:a:c0:passed": 2, "t:a:c0:score": 2,
            "t:b:passed": 1, "t:b:failed": 2, "t:b:errors": 1, "t:b:c0:n": 2, "t:b:c0:passed": 1, "t:b:c0:score": 1,
        ]
        let aggregates = RunAggregates(info: info, counters: counters, samples: [:], seeded: true, cancelled: false)
        return (aggregates, cases)
    }

    /// The fixture's analysis with the defaults (95%, every pair compared, no baseline).
    static func analysis(_ aggregates: RunAggregates, _ cases: [CaseResult]) -> RunAnalysis {
        RunAnalysis(
            aggregates, cases: cases,
            spec: EvaluationSuiteSpec(targets: [], dataset: .inline([]), criteria: [], passThreshold: 0.5))
    }

    @Test("JUnit XML parses and has one testsuite per target and one testcase per case and target")
    func junitStructure() throws {
        let (aggregates, cases) = Self.fixture()
        let document = try XMLDocument(
            xmlString: JUnitReport.xml(aggregates, cases: cases, analysis: Self.analysis(aggregates, cases)),
            options: [])
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "6")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        // Each testsuite carries the target's interval, comparison and top error reasons as properties.
        let properties = try root.nodes(forXPath: "testsuite/properties/property").compactMap { $0 as? XMLElement }
        let values = Dictionary(
            properties.map {
                ($0.attribute(forName: "name")?.stringValue ?? "", $0.attribute(forName: "value")?.stringValue ?? "")
            },
            uniquingKeysWith: { first, _ in first })
        #expect(values["passRate"] == "66.7% [20.8, 93.9]")
        #expect(values["comparison.a.b"]?.hasPrefix("a vs b: +33.3 pp [") == true)
        #expect(values["errorReason.1"] == "1× every provider failed: <timeout> & \"429\"")
        #expect(root.attribute(forName: "errors")?.stringValue == "1")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.map { $0.attribute(forName: "name")?.stringValue } == ["tiny<suite>.a", "tiny<suite>.b"])
        let a = suites[0]
        let b = suites[1]
        #expect(a.attribute(forName: "tests")?.stringValue == "3")
        #expect(a.attribute(forName: "failures")?.stringValue == "1")
        #expect(a.attribute(forName: "errors")?.stringValue == "0")
        #expect(a.attribute(forName: "time")?.stringValue == "3.250")
        #expect(b.attribute(forName: "failures")?.stringValue == "1")
        #expect(b.attribute(forName: "errors")?.stringValue == "1")
        let aCases = a.elements(forName: "testcase")
        #expect(aCases.count == 3)
        #expect(aCases.allSatisfy { $0.attribute(forName: "classname")?.stringValue == "tiny<suite>.a" })
        #expect(aCases[0].attribute(forName: "time")?.stringValue == "1.500")
        #expect(aCases[0].elements(forName: "failure").isEmpty)
        let bCases = b.elements(forName: "testcase")
        #expect(bCases[1].elements(forName: "error").count == 1)
        #expect(bCases[1].elements(forName: "failure").isEmpty)
        #expect(bCases[2].elements(forName: "failure").count == 1)
    }

    @Test("JUnit XML escapes quotes, apostrophes, <, > and & and strips characters XML 1.0 forbids")
    func junitEscaping() throws {
        let (aggregates, cases) = Self.fixture()
        let xml = JUnitReport.xml(aggregates, cases: cases, analysis: Self.analysis(aggregates, cases))
        #expect(!xml.unicodeScalars.contains { !ReportEscaping.isXMLCharacter($0) })
        #expect(xml.contains("name=\"c&lt;&amp;&quot;&apos;&gt;x\""))
        let document = try XMLDocument(xmlString: xml, options: [])
        let testcase = try #require(
            document.rootElement()?.elements(forName: "testsuite").first?.elements(forName: "testcase")[1])
        #expect(testcase.attribute(forName: "name")?.stringValue == "c<&\"'>x")
        let failure = try #require(testcase.elements(forName: "failure").first)
        #expect(failure.attribute(forName: "message")?.stringValue == "failed: contains")
        #expect(failure.stringValue == "contains (contains) score 0.0: expected <b>\"yes\"</b> & 'no'")
        let error = try #require(
            document.rootElement()?.elements(forName: "testsuite")[1].elements(forName: "testcase")[1]
                .elements(forName: "error").first)
        #expect(error.attribute(forName: "message")?.stringValue == "every provider failed: <timeout> & \"429\"")
    }

    @Test("the HTML report is self-contained, has its sections and escapes hostile text")
    func htmlReport() throws {
        let (aggregates, cases) = Self.fixture()
        let html = HTMLReport.html(aggregates, cases: cases, analysis: Self.analysis(aggregates, cases))
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<link"))
        #expect(!html.contains("url("))
        for id in ["id=\"overview\"", "id=\"criteria\"", "id=\"targets\"", "id=\"verdict\""] {
            #expect(html.contains(id), "missing \(id)")
        }
        #expect(html.contains("<td class=\"case\">c&lt;&amp;&quot;&apos;&gt;x</td>"))
        #expect(!html.contains(Self.hostileID))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("<i>"))
        #expect(html.contains("<figcaption>contains</figcaption>"))
        #expect(html.contains("<svg"))
        // The fixture's run is complete and both targets reach the 50% threshold... except b (33.3%).
        #expect(html.contains("<span class=\"badge fail\" id=\"verdict\">FAIL</span>"))
        #expect(html.contains("66.7%"))
        #expect(html.contains("33.3%"))
        #expect(!html.contains("id=\"truncated\""))
        // Intervals as text and error bars; the comparison and the error reasons have sections.
        #expect(html.contains("66.7% [20.8, 93.9]"))
        #expect(html.contains("class=\"errorbar\""))
        #expect(html.contains("id=\"comparisons\"") && html.contains("a vs b: +33.3 pp"))
        #expect(html.contains("id=\"errors\"") && html.contains("every provider failed: &lt;timeout&gt;"))
        // Each case row holds a cell per target.
        let rows = html.components(separatedBy: "<td class=\"case\">").count - 1
        #expect(rows == 3)
    }

    @Test("a target's bar takes its verdict's colour: above the threshold but failing on the lower bound is red")
    func htmlBarFollowsVerdict() {
        let (aggregates, cases) = Self.fixture()
        func rowBar(gate: GateSpec) -> Substring? {
            let analysis = RunAnalysis(
                aggregates, cases: cases,
                spec: EvaluationSuiteSpec(
                    targets: [], dataset: .inline([]), criteria: [], passThreshold: 0.5, gate: gate))
            let html = HTMLReport.html(aggregates, cases: cases, analysis: analysis)
            // Target a's row: 66.7% of 3 cases, Wilson lower bound 20.8%, under the 50% threshold.
            guard let row = html.range(of: "<tr><td>a</td>"),
                let end = html.range(of: "</svg>", range: row.upperBound..<html.endIndex)
            else { return nil }
            return html[row.upperBound..<end.lowerBound]
        }
        #expect(rowBar(gate: GateSpec(on: .estimate))?.contains("width=\"80\" height=\"10\" class=\"barpass\"") == true)
        #expect(rowBar(gate: GateSpec(on: .lowerBound))?.contains("class=\"barfail\"") == true)
    }

    @Test("with a baseline, the HTML report lists the newly failing cases first and marks them")
    func htmlNewlyFailingFirst() {
        let (aggregates, cases) = Self.fixture()
        // In the baseline every case passed on both targets: c3 (b) and the hostile case now fail.
        let passed = BaselineReport.Outcome(caseID: "c", passed: true, score: 1)
        let ids = cases.map(\.caseID)
        let baseline = BaselineReport(targets: [
            "a": Dictionary(uniqueKeysWithValues: ids.map { ($0, passed) }),
            "b": Dictionary(uniqueKeysWithValues: ids.map { ($0, passed) }),
        ])
        let analysis = RunAnalysis(
            aggregates, cases: cases,
            spec: EvaluationSuiteSpec(targets: [], dataset: .inline([]), criteria: [], passThreshold: 0.5),
            baseline: baseline)
        let html = HTMLReport.html(aggregates, cases: cases, analysis: analysis)
        let rows = html.components(separatedBy: "<td class=\"case\">").dropFirst().map { $0.prefix(80) }
        #expect(rows.count == 3)
        #expect(rows.last?.hasPrefix("c1</td>") == true, "\(rows)")
        #expect(rows.prefix(2).allSatisfy { $0.contains("NEWLY FAILING") })
        #expect(html.contains("id=\"baseline\"") && html.contains("newly failing:"))
    }

    @Test("the HTML report shows at most the first N cases and says when it left some out")
    func htmlTruncation() {
        let (aggregates, cases) = Self.fixture()
        let html = HTMLReport.html(
            aggregates, cases: cases, analysis: Self.analysis(aggregates, cases), maxCases: 2)
        #expect(html.components(separatedBy: "<td class=\"case\">").count - 1 == 2)
        #expect(html.contains("id=\"truncated\""))
        #expect(html.contains("first 2 of 3 cases"))
        #expect(!html.contains(">c3<"))
    }

    @Test("the JSON report holds the aggregates and every case")
    func jsonReport() throws {
        let (aggregates, cases) = Self.fixture()
        let text = RunReport.render(.json, aggregates, cases: cases, analysis: Self.analysis(aggregates, cases))
        #expect(text.hasPrefix("{\"id\""))
        #expect(text.hasSuffix("}\n"))
        let json = try JSONParser.parse(text)
        #expect(json["recorded"] == 3)
        guard case .array(let items)? = json["cases"] else {
            Issue.record("no cases array in \(text)")
            return
        }
        #expect(items.count == 3)
        #expect(items[1]["id"] == .string(Self.hostileID))
        #expect(try CaseResult.decode(items[2]) == cases[2])
        #expect(json["targets"]?.arrayValue?.first?["passRateInterval"]?["method"] == "wilson")
        #expect(json["comparisons"]?.arrayValue?.first?["test"] == "mcnemar-exact")
        #expect(json["targets"]?.arrayValue?.last?["errorReasons"]?.arrayValue?.first?["count"] == 1)
        #expect(json["verdict"] == "FAIL")
    }

    @Test("progress lines show counts, rate and ETA; the bar fills with the fraction done")
    func progressLines() {
        let plain = RunProgress.line(style: .lines, recorded: 10, total: 40, failed: 2, elapsed: .seconds(5))
        #expect(plain == "assay-evaluator: progress 10/40 cases (25.0%), 2 failing, 2.0 cases/s, ETA 0:15")
        let bar = RunProgress.line(style: .bar, recorded: 20, total: 40, failed: 0, elapsed: .seconds(4))
        #expect(bar.hasPrefix("[" + String(repeating: "#", count: 15) + String(repeating: "-", count: 15) + "] 20/40"))
        #expect(bar.hasSuffix("5.0 cases/s, ETA 0:04"))
        let start = RunProgress.line(style: .lines, recorded: 0, total: 40, failed: 0, elapsed: .zero)
        #expect(start.hasSuffix("ETA ?"))
        #expect(RunProgress(style: .bar).interval == .milliseconds(250))
        #expect(RunProgress(style: .lines).interval == .seconds(5))
    }
}
