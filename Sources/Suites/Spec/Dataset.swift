import AssayCore

/// A suite's cases, parsed and checked (ids present and unique), in dataset order.
public struct Dataset: Sendable, Hashable {
    /// The most cases one run holds. Each is a stream entry and a result in Redis (a few KB each),
    /// so this keeps one run's Redis memory within a few hundred MB. (Our choice.)
    public static let maxCases = 100_000

    public var cases: [SuiteCase]

    public init(cases: [SuiteCase]) { self.cases = cases }

    /// Parses a dataset file's text; `source` names it in errors.
    public static func parse(_ text: String, format: DatasetFormat, source: String) throws(DatasetError) -> Dataset {
        let rows: [(line: Int, json: JSONValue)]
        switch format {
        case .jsonl: rows = try jsonLines(text, source: source)
        case .csv: rows = try csvRows(text, source: source)
        }
        guard !rows.isEmpty else { throw DatasetError(source: source, line: 0, message: "contains no cases") }
        guard rows.count <= maxCases else {
            throw DatasetError(
                source: source, line: 0, message: "has \(rows.count) cases; at most \(maxCases) are allowed in one run")
        }
        var cases: [SuiteCase] = []
        var seen: [String: Int] = [:]
        for row in rows {
            let suiteCase: SuiteCase
            do {
                suiteCase = try SuiteCase.decode(row.json, at: "")
            } catch {
                throw DatasetError(source: source, line: row.line, message: error.description)
            }
            if let first = seen[suiteCase.id] {
                throw DatasetError(
                    source: source, line: row.line,
                    message: "id \"\(suiteCase.id)\" is also the id of the case on line \(first); ids must be unique")
            }
            seen[suiteCase.id] = row.line
            cases.append(suiteCase)
        }
        return Dataset(cases: cases)
    }

    private static func jsonLines(_ text: String, source: String) throws(DatasetError) -> [(line: Int, json: JSONValue)]
    {
        var rows: [(line: Int, json: JSONValue)] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingASCIIWhitespace()
            if trimmed.isEmpty { continue }
            do {
                rows.append((lineNumber, try JSONParser.parse(Array(trimmed.utf8))))
            } catch {
                throw DatasetError(source: source, line: lineNumber, message: "is not valid JSON: \(error)")
            }
        }
        return rows
    }

    private static func csvRows(_ text: String, source: String) throws(DatasetError) -> [(line: Int, json: JSONValue)] {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.records(text, source: source)
        } catch {
            throw DatasetError(source: error.source, line: error.line, message: error.message)
        }
        guard let header = records.first else { return [] }
        let names = header.fields
        for (index, name) in names.enumerated() where name.isEmpty || names[..<index].contains(name) {
            throw DatasetError(
                source: source, line: header.line,
                message: name.isEmpty
                    ? "header column \(index + 1) has no name" : "header names column \"\(name)\" twice")
        }
        var rows: [(line: Int, json: JSONValue)] = []
        for record in records.dropFirst() {
            if record.fields == [""] { continue }
            guard record.fields.count == names.count else {
                throw DatasetError(
                    source: source, line: record.line,
                    message: "has \(record.fields.count) columns; the header has \(names.count)")
            }
            let members = zip(names, record.fields).compactMap { name, value in
                value.isEmpty && name != "id" ? nil : (name, JSONValue.string(value))
            }
            rows.append((record.line, .object(JSONObject(members))))
        }
        return rows
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return slice
    }
}
