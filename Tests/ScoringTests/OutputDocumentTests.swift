import AssayCore
import Testing

@testable import Scoring

@Suite("Output document")
struct OutputDocumentTests {
    @Test("the output is parsed once however many JSON criteria read it")
    func parsedOnce() throws {
        let card = try Scorecard.decode([
            ["type": "isJSON"],
            ["type": "jsonSchema", "schema": ["type": "object", "required": ["a"]]],
            ["type": "jsonSchema", "schema": ["properties": ["a": ["type": "number"]]]],
            ["type": "contains", "value": "a"],
        ])
        let context = EvaluationContext(output: "{\"a\": 1}")
        let outcome = card.evaluate(context)
        #expect(outcome.results.map(\.passed) == [true, true, true, true])
        #expect(context.outputDocument.parseCount == 1)
    }

    @Test("criteria that read the output with and without its code fence each get their own parse")
    func fenceReadingsKeptApart() throws {
        let card = try Scorecard.decode([
            ["type": "isJSON"],
            ["type": "isJSON", "extractFromCodeFence": false],
            ["type": "jsonSchema", "schema": ["type": "array"]],
        ])
        let context = EvaluationContext(output: "```json\n[1]\n```")
        let outcome = card.evaluate(context)
        #expect(outcome.results.map(\.passed) == [true, false, true])
        #expect(outcome.results[1].reason.contains("line 1, column 1"))
        #expect(context.outputDocument.parseCount == 2)
    }

    @Test("setting a new output replaces the parse of the old one")
    func newOutputNewParse() throws {
        let card = try Scorecard.decode([["type": "jsonSchema", "schema": ["type": "object"]]])
        var context = EvaluationContext(output: "{}")
        #expect(card.evaluate(context).passed)
        context.output = "[]"
        #expect(!card.evaluate(context).passed)
        #expect(context.outputDocument.output == "[]")
    }
}
