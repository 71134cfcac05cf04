import Foundation
import TestSupport
import Testing

/// docs/SECURITY.md names, for each control, the test that proves it: those names must stay true
/// as tests move and are renamed.
@Suite("docs/SECURITY.md names only tests that exist")
struct SecurityDocumentTests {
    /// Every `.swift` file under Tests, by file name.
    static func testFiles() throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: Repository.path("Tests")))
        for case let relative as String in enumerator where relative.hasSuffix(".swift") {
            files[(relative as NSString).lastPathComponent] = "Tests/\(relative)"
        }
        return files
    }

    @Test("every row of the threat table names a test file that exists, and every quoted test name is in its file")
    func provedByExists() throws {
        let document = try Repository.read("docs/SECURITY.md")
        let files = try Self.testFiles()
        // The table's rows: the lines after its header and separator, up to the first that is not a row.
        let rows = document.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("| Threat |") }.dropFirst(2).prefix { $0.hasPrefix("| ") }
        #expect(rows.count >= 15, "the threat table")
        for row in rows {
            let provedBy = String(row.split(separator: "|").last ?? "")
            let paths = provedBy.matches(of: /`(Tests\/[A-Za-z]+\/[A-Za-z+]+\.swift)`/).map { String($0.1) }
            let suites = provedBy.matches(of: /`([A-Za-z]+Tests)`/).map { String($0.1) }
            #expect(!paths.isEmpty || !suites.isEmpty, "a control without a test: \(row)")
            for path in paths {
                #expect(FileManager.default.fileExists(atPath: Repository.path(path)), "\(path) is gone")
            }
            // `SuiteTests` "words of a test's name ... more words": each part is in that file.
            for quoted in provedBy.matches(of: /`([A-Za-z]+Tests)` "([^"]+)"/) {
                let file = try #require(files["\(quoted.1).swift"], "\(quoted.1) is gone")
                let text = try Repository.read(file)
                for part in quoted.2.components(separatedBy: "...") {
                    let words = part.trimmingCharacters(in: .whitespaces)
                    #expect(words.isEmpty || text.contains(words), "\(file) has no test named with \"\(words)\"")
                }
            }
            for suite in suites { #expect(files["\(suite).swift"] != nil, "\(suite) is gone") }
        }
    }
}
