import Testing

@testable import Suites

@Suite("Dataset files")
struct DatasetParsingTests {
    @Test("JSONL: one case per line, blank lines skipped, numbers become text")
    func jsonl() throws {
        let text = """
            {"id": "c1", "input": "France", "reference": "Paris"}

            {"id": 2, "input": "Spain", "output": "Madrid", "difficulty": 3}
            """
        let dataset = try Dataset.parse(text, format: .jsonl, source: "cases.jsonl")
        #expect(dataset.cases.map(\.id) == ["c1", "2"])
        #expect(dataset.cases[1].output == "Madrid")
        #expect(dataset.cases[1].field("difficulty") == "3")
    }

    @Test(
        "malformed datasets name the line and what is wrong",
        arguments: [
            (DatasetFormat.jsonl, "{\"id\": \"a\"}\n{\"id\": \"b\"\n", 2, "is not valid JSON"),
            (.jsonl, "{\"id\": \"a\"}\n\n[1, 2]\n", 3, "must be an object"),
            (.jsonl, "{\"input\": \"x\"}\n", 1, "id: is required"),
            (.jsonl, "{\"id\": \"a\"}\n{\"id\": \"a\"}\n", 2, "also the id of the case on line 1"),
            (.jsonl, "{\"id\": \"a\", \"input\": [1]}\n", 1, "input: must be a string"),
            (.jsonl, "\n\n", 0, "contains no cases"),
            (.csv, "id,input\na,1\nb,2,3\n", 3, "has 3 columns; the header has 2"),
            (.csv, "id,input\na,\"never closed\n", 2, "never closed"),
            (.csv, "id,id\na,b\n", 1, "twice"),
            (.csv, "id,input\na,x\"y\n", 2, "quote inside an unquoted field"),
        ])
    func malformed(format: DatasetFormat, text: String, line: Int, message: String) {
        #expect {
            try Dataset.parse(text, format: format, source: "cases")
        } throws: { error in
            guard let error = error as? DatasetError else { return false }
            return error.line == line && error.message.contains(message) && error.source == "cases"
        }
    }

    @Test("CSV: header names fields; quoted fields keep commas, quotes and newlines; lines stay right")
    func csv() throws {
        let text = "id,input,reference\r\nc1,\"Paris, France\",\"say \"\"hi\"\"\"\r\nc2,\"two\nlines\",x\nc3,plain,\n"
        let dataset = try Dataset.parse(text, format: .csv, source: "cases.csv")
        #expect(dataset.cases.map(\.id) == ["c1", "c2", "c3"])
        #expect(dataset.cases[0].input == "Paris, France")
        #expect(dataset.cases[0].reference == "say \"hi\"")
        #expect(dataset.cases[1].input == "two\nlines")
        #expect(dataset.cases[2].reference == nil)
        #expect {
            try Dataset.parse(text + "c1,dup,x\n", format: .csv, source: "cases.csv")
        } throws: { error in
            (error as? DatasetError)?.line == 6
        }
    }

    @Test(
        "the format follows the file's extension", arguments: [("a.jsonl", true), ("b.CSV", true), ("c.json", false)])
    func formats(path: String, known: Bool) {
        #expect((DatasetFormat(path: path) != nil) == known)
    }
}
