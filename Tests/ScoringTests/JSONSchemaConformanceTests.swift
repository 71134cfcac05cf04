import Foundation
import TestSupport
import Testing

@testable import AssayCore
@testable import Scoring

/// Runs the official JSON-Schema-Test-Suite (draft 2020-12) files for the keywords
/// ``JSONSchema`` implements. The suite lives outside the repository, next to it under
/// `../shared/data`; when it is not there the test is skipped with a message.
@Suite("JSONSchemaConformance")
struct JSONSchemaConformanceTests {
    /// `<repo>/../shared/data/JSON-Schema-Test-Suite/tests/draft2020-12`, found from this file.
    static let suiteDirectory: URL = URL(fileURLWithPath: Repository.root)
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data/JSON-Schema-Test-Suite/tests/draft2020-12")

    static var suiteFound: Bool {
        let found = FileManager.default.fileExists(atPath: suiteDirectory.path)
        if !found { print("JSON-Schema-Test-Suite not found at \(suiteDirectory.path): skipped") }
        return found
    }

    /// The suite's files for the keywords we implement (the directory also has files for
    /// `$dynamicRef`'s dynamic scope, remote references and vocabularies, which we do not).
    static let files = [
        "additionalProperties", "allOf", "anchor", "anyOf", "boolean_schema", "const", "contains", "content",
        "default", "defs", "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum",
        "exclusiveMinimum", "format", "if-then-else", "infinite-loop-detection", "items", "maxContains",
        "maxItems", "maxLength", "maxProperties", "maximum", "minContains", "minItems", "minLength",
        "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern", "patternProperties", "prefixItems",
        "properties", "propertyNames", "ref", "required", "type", "unevaluatedItems", "unevaluatedProperties",
        "uniqueItems",
    ]

    /// Test groups skipped on purpose, by file and group description, each with the reason.
    static let skippedGroups: [String: String] = [
        // Refers to the 2020-12 meta-schema by its URL; only references inside the schema's
        // own document are resolved (nothing is fetched).
        "defs: validate definition against metaschema": "remote reference to the meta-schema",
        "ref: remote ref, containing refs itself": "remote reference to the meta-schema",
        // $dynamicRef is resolved statically (like $ref); these need its dynamic scope, where
        // an outer schema's $dynamicAnchor overrides the target.
        "unevaluatedItems: unevaluatedItems with $dynamicRef": "needs the dynamic scope of $dynamicRef",
        "unevaluatedProperties: unevaluatedProperties with $dynamicRef": "needs the dynamic scope of $dynamicRef",
    ]

    /// Individual test cases skipped on purpose: "file: group: test" to the reason.
    static let skippedTests: [String: String] = [:]

    @Test(
        "passes the JSON-Schema-Test-Suite draft 2020-12 cases for the supported keywords",
        .enabled(if: suiteFound))
    func officialSuite() throws {
        var passed = 0
        var total = 0
        var skipped = 0
        var failures: [String] = []
        var perFile: [String] = []
        for file in Self.files {
            let url = Self.suiteDirectory.appendingPathComponent(file + ".json")
            let document = try JSONParser.parse(Array(try Data(contentsOf: url)))
            var filePassed = 0
            var fileTotal = 0
            var fileSkipped = 0
            for group in document.arrayValue ?? [] {
                let groupName = group["description"]?.stringValue ?? "?"
                let tests = group["tests"]?.arrayValue ?? []
                if Self.skippedGroups["\(file): \(groupName)"] != nil {
                    fileSkipped += tests.count
                    continue
                }
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(compiling: group["schema"] ?? true)
                } catch {
                    fileTotal += tests.count
                    failures.append("\(file): \(groupName): schema does not compile: \(error)")
                    continue
                }
                for test in tests {
                    let testName = test["description"]?.stringValue ?? "?"
                    if Self.skippedTests["\(file): \(groupName): \(testName)"] != nil {
                        fileSkipped += 1
                        continue
                    }
                    fileTotal += 1
                    let expected = test["valid"]?.boolValue ?? false
                    let instance = test["data"] ?? nil
                    let violations = schema.validate(instance)
                    let quick = schema.isValid(instance)
                    if violations.isEmpty == expected && quick == expected {
                        filePassed += 1
                    } else {
                        failures.append(
                            "\(file): \(groupName): \(testName): expected \(expected ? "valid" : "invalid"), "
                                + "validate gave \(violations.prefix(3)), isValid gave \(quick)")
                    }
                }
            }
            passed += filePassed
            total += fileTotal
            skipped += fileSkipped
            perFile.append(
                "  \(file): \(filePassed)/\(fileTotal)" + (fileSkipped > 0 ? " (\(fileSkipped) skipped)" : ""))
        }
        print("JSON-Schema-Test-Suite draft2020-12: \(passed)/\(total) passed (\(skipped) skipped)")
        print(perFile.joined(separator: "\n"))
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
    }
}
