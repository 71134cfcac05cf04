import AssayCore
import Foundation

/// Request bodies shaped like the evaluation API's: a large `output` string that reads like
/// model output (markdown, code blocks with quotes and backslashes, non-ASCII prose), which
/// in JSON means an escape every few dozen bytes.
enum JSONTestDocuments {
    /// One megabyte: the size of the largest evaluation request body we plan for.
    static let largeBodySize = 1_000_000

    static let paragraphs: [String] = [
        "## Summary\n\nThe function `parse(_:)` returns a \"value\" or throws; see the table below.\n\n",
        "| name | type |\n|------|------|\n| \"id\" | `Int` |\n| path | `C:\\\\Users\\\\data` |\n\n",
        "```swift\nlet s = \"hello, \\(name)\\n\"\nif s.contains(\"\\\"\") {\n\tprint(\"quoted\")\n}\n```\n\n",
        "Caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e co\u{fb}te 5\u{20AC} \u{2014} \u{201C}d\u{e9}j\u{e0} vu\u{201D}.\n",
        "\u{4E2D}\u{6587}\u{6587}\u{672C}\u{FF1A}\u{8FD9}\u{662F}\u{4E00}\u{4E2A}\u{6D4B}\u{8BD5}\u{3002} "
            + "\u{65E5}\u{672C}\u{8A9E}\u{3082}\u{3002} \u{1F600}\u{1F680}\n\n",
        "1. First, run `make test`.\n2. Then check the \"output\" field:\n   {\"ok\": true, \"n\": 3}\n",
        "> Note: paths like /usr/local/bin and regexes like ^\\d+$ need escaping.\r\n\n",
    ]

    /// The model output alone, about `size` bytes of UTF-8.
    static func modelOutput(size: Int) -> String {
        var out = ""
        var i = 0
        while out.utf8.count < size {
            out += paragraphs[i % paragraphs.count]
            i += 1
        }
        return out
    }

    /// JSON text for `text`, escaped the way common encoders do, plus `\u` escapes for the
    /// euro sign and the emoji (a surrogate pair) so that every decoding path is exercised.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{20AC}": out += "\\u20ac"
            case "\u{1F600}": out += "\\ud83d\\ude00"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A complete request body of about `size` bytes.
    static func requestBody(size: Int = largeBodySize) -> [UInt8] {
        let output = modelOutput(size: size - 400)
        let text = """
            {"model": "assay-test-model", "temperature": 0.25, "maxTokens": 4096,
             "output": \(quoted(output)),
             "criteria": [{"type": "contains", "value": "caf\\u00e9", "weight": 1.5},
                          {"type": "regex", "pattern": "^\\\\d+$", "weight": -2e-3},
                          {"type": "jsonSchema", "schema": {"type": "object", "required": ["ok"]}}],
             "tags": ["a", "b", null]}
            """
        return Array(text.utf8)
    }

    /// The same document as read by Foundation, for use as an independent oracle.
    static func foundationValue(_ any: Any) -> JSONValue {
        switch any {
        case is NSNull: return nil
        case let s as String: return .string(s)
        case let n as NSNumber: return .number(n.doubleValue)
        case let a as [Any]: return .array(a.map(foundationValue))
        case let d as [String: Any]: return .object(JSONObject(d.map { ($0.key, foundationValue($0.value)) }))
        default: fatalError("unexpected Foundation JSON value \(any)")
        }
    }

    /// The request body's shape, for JSONDecoder.
    struct RequestBody: Decodable {
        struct Criterion: Decodable {
            var type: String
            var value: String?
            var pattern: String?
            var weight: Double?
        }
        var model: String
        var temperature: Double
        var maxTokens: Int
        var output: String
        var criteria: [Criterion]
        var tags: [String?]
    }
}
