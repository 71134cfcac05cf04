import Foundation
import Testing

/// `docs/ARCHITECTURE.md` draws the target graph; `Package.swift` enforces it. This reads both and
/// fails when they differ, or when an arrow points up a layer of the drawing.
@Suite("Target graph")
struct TargetGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every target of `Package.swift` outside `Tests/`, with the targets it depends on.
    static func packageGraph(_ manifest: String) throws -> [String: Set<String>] {
        let start = try Regex(#"\.(target|executableTarget|systemLibrary|testTarget)\("#)
        let starts = manifest.ranges(of: start).map(\.lowerBound) + [manifest.endIndex]
        var graph: [String: Set<String>] = [:]
        for (from, to) in zip(starts, starts.dropFirst()) {
            let declaration = manifest[from..<to]
            guard let name = declaration.firstMatch(of: #/name:\s*"(\w+)"/#)?.1,
                declaration.firstMatch(of: #/path:\s*"Tests\//#) == nil
            else { continue }
            let list = declaration.firstMatch(of: #/dependencies:\s*\[([^\]]*)\]/#)?.1 ?? ""
            graph[String(name)] = Set(list.matches(of: #/"(\w+)"/#).map { String($0.1) })
        }
        return graph
    }

    /// The drawing under "## Targets": each `Name ───▶ deps` line (continued on the next lines
    /// while the list ends with a comma), and the layer each name stands in (the label at the
    /// start of its line, or of the line above it).
    static func drawnGraph(_ document: String) throws -> (graph: [String: Set<String>], layers: [String: Int]) {
        let section = try #require(document.range(of: "## Targets")).upperBound
        let open = try #require(document.range(of: "```\n", range: section..<document.endIndex)).upperBound
        let close = try #require(document.range(of: "```", range: open..<document.endIndex)).lowerBound
        var graph: [String: String] = [:]
        var layers: [String: Int] = [:]
        var layer = -1
        var continuing: String?
        for line in document[open..<close].split(separator: "\n") {
            if let first = line.first, first.isLetter { layer += 1 }
            if let arrow = line.firstIndex(of: "▶") {
                let name = String(try #require(line[..<arrow].firstMatch(of: #/(\w+)\s*─/#)?.1))
                graph[name] = String(line[line.index(after: arrow)...])
                layers[name] = layer
                continuing = name
            } else if let name = continuing, graph[name]!.trimmingCharacters(in: .whitespaces).hasSuffix(",") {
                graph[name]! += line.drop { " │▼".contains($0) }
            } else {
                continuing = nil
                // Lines without arrows name the C targets.
                let words = line.matches(of: #/\b(C[A-Z][A-Za-z0-9]+)\b/#).map { String($0.1) }
                for word in words where layers[word] == nil { layers[word] = layer }
            }
        }
        let sets = graph.mapValues { list in
            Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return (sets, layers)
    }

    /// One line a target, its dependencies sorted: the graph as `Package.swift` has it.
    static func lines(_ graph: [String: Set<String>]) -> String {
        graph.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\($0.key) → \($0.value.sorted().joined(separator: ", "))" }.joined(separator: "\n")
    }

    @Test("docs/ARCHITECTURE.md draws every arrow Package.swift declares, and no other")
    func drawingMatchesThePackage() throws {
        let package = try Self.packageGraph(try Self.text("Package.swift"))
        let drawn = try Self.drawnGraph(try Self.text("docs/ARCHITECTURE.md")).graph
        #expect(package.count > 20, "the manifest's targets were read: \(package.keys.sorted())")
        #expect(
            Self.lines(drawn) == Self.lines(package),
            "the drawing differs from Package.swift, which has:\n\(Self.lines(package))")
        let undrawn = package.keys.filter { !package[$0]!.isEmpty && drawn[$0] == nil }
        #expect(undrawn.isEmpty, "targets with dependencies missing from the drawing: \(undrawn.sorted())")
    }

    @Test("every arrow of Package.swift points down the drawing's layers, and every target stands in one")
    func arrowsPointDown() throws {
        let package = try Self.packageGraph(try Self.text("Package.swift"))
        let layers = try Self.drawnGraph(try Self.text("docs/ARCHITECTURE.md")).layers
        #expect(Set(package.keys).subtracting(layers.keys).isEmpty, "not drawn: \(package.keys.sorted())")
        for (target, dependencies) in package {
            for dependency in dependencies {
                let (from, to) = (layers[target] ?? -1, layers[dependency] ?? -1)
                #expect(from < to, "\(target) (layer \(from)) → \(dependency) (layer \(to)) does not point down")
            }
        }
    }

    @Test("the graph reader sees a missing arrow")
    func readerSeesAMissingArrow() throws {
        let manifest = try Self.text("Package.swift")
        let document = try Self.text("docs/ARCHITECTURE.md")
        let edited = document.replacingOccurrences(
            of: "Gateway, Suites, Scoring, Providers, AssayCore", with: "Gateway")
        #expect(edited != document)
        #expect(Self.lines(try Self.drawnGraph(edited).graph) != Self.lines(try Self.packageGraph(manifest)))
    }
}
