import AssayCore
import Foundation
import Testing

@Suite("JSONLargeDocument")
struct JSONLargeDocumentTests {
    @Test("a 1 MB escape-heavy body parses to what Foundation's JSONSerialization reads")
    func matchesFoundation() throws {
        let body = JSONTestDocuments.requestBody()
        #expect(body.count >= 990_000)
        let ours = try JSONParser.parse(body)
        let oracle = JSONTestDocuments.foundationValue(try JSONSerialization.jsonObject(with: Data(body)))
        #expect(ours == oracle)
        let expectedOutput = JSONTestDocuments.modelOutput(size: JSONTestDocuments.largeBodySize - 400)
        #expect(ours["output"]?.stringValue == expectedOutput)
        #expect(ours["criteria"]?.arrayValue?[1]["pattern"] == #"^\d+$"#)
    }

    @Test("a 1 MB body survives write then parse unchanged")
    func roundTrip() throws {
        let value = try JSONParser.parse(JSONTestDocuments.requestBody())
        let written = JSONWriter.bytes(value)
        #expect(try JSONParser.parse(written) == value)
        let oracle = JSONTestDocuments.foundationValue(try JSONSerialization.jsonObject(with: Data(written)))
        #expect(oracle == value)
    }
}
