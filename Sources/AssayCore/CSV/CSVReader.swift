/// RFC 4180 records: comma-separated, fields in double quotes may hold commas, newlines and `""`.
/// Each record carries the line it starts on.
package enum CSVReader {
    package struct Record: Equatable {
        package var line: Int
        package var fields: [String]
    }

    package static func records(_ text: String, source: String) throws(CSVError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var quoted = false
        var quoteLine = 0
        var atFieldStart = true
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    let following = next()
                    if following == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = following
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where atFieldStart:
                quoted = true
                quoteLine = line
                atFieldStart = false
            case "\"":
                throw CSVError(
                    source: source, line: line, message: "has a quote inside an unquoted field; quote the whole field")
            case ",":
                fields.append(field)
                field = ""
                atFieldStart = true
            case "\r":
                continue
            case "\n":
                fields.append(field)
                records.append(Record(line: recordLine, fields: fields))
                fields = []
                field = ""
                atFieldStart = true
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        if quoted {
            throw CSVError(source: source, line: quoteLine, message: "has a quoted field that is never closed")
        }
        if !fields.isEmpty || !field.isEmpty {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}

/// A malformed CSV text, with the 1-based line the problem is on.
package struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file path or `configMap <name>/<key>`.
    package var source: String
    package var line: Int
    package var message: String

    package var description: String { "\(source):\(line): \(message)" }
}
