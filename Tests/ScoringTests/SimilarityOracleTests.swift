import AssayCore
import Foundation
import TestSupport
import Testing

@testable import Scoring

/// Our similarity metrics against the reference implementations (SQuAD's F1, rouge-score,
/// sacrebleu), run through tools/similarity_oracle.py on the shared pairs in
/// Fixtures/similarity-pairs.json.
@Suite("Similarity oracle")
struct SimilarityOracleTests {
    static let pairsFile = Repository.path("Tests/ScoringTests/Fixtures/similarity-pairs.json")

    /// F1 and ROUGE-L are ratios of small integers, computed with the same operations.
    static let ratioTolerance = 1e-6
    /// BLEU goes through logarithms and exponentials, which may differ in the last bits.
    static let bleuTolerance = 1e-4

    struct Pair {
        var id: String
        var reference: String
        var candidate: String
    }

    static func pairs() throws -> [Pair] {
        let document = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: pairsFile))))
        return try #require(document["pairs"]?.arrayValue).map { item in
            Pair(
                id: try #require(item["id"]?.stringValue),
                reference: try #require(item["reference"]?.stringValue),
                candidate: try #require(item["candidate"]?.stringValue))
        }
    }

    /// Runs the oracle and returns its scores by pair id.
    static func oracleScores() throws -> JSONValue {
        let python = Repository.path(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("\(python) is missing: run bin/setup to create the test virtualenv")
            return .null
        }
        let result = try Command.run(python, [Repository.path("tools/similarity_oracle.py"), pairsFile])
        guard result.status == 0 else {
            Issue.record(
                "similarity_oracle.py failed (\(result.status)); run bin/setup if packages are missing:\n\(result.error)"
            )
            return .null
        }
        return try JSONParser.parse(Array(result.output.utf8))
    }

    @Test("tokenF1, rougeL and bleu match the reference implementations on every pair")
    func matchesOracle() throws {
        let pairs = try Self.pairs()
        #expect(pairs.count >= 30)
        let oracle = try Self.oracleScores()
        guard oracle != .null else { return }
        for pair in pairs {
            let expected = try #require(oracle[pair.id], "no oracle scores for \(pair.id)")
            let ours: [(String, Double, Double)] = [
                ("tokenF1", TokenF1.score(candidate: pair.candidate, reference: pair.reference), Self.ratioTolerance),
                ("rougeL", try RougeL.score(candidate: pair.candidate, reference: pair.reference), Self.ratioTolerance),
                ("bleu", SentenceBLEU.score(candidate: pair.candidate, reference: pair.reference), Self.bleuTolerance),
            ]
            for (metric, value, tolerance) in ours {
                let reference = try #require(expected[metric]?.doubleValue)
                #expect(abs(value - reference) <= tolerance, "\(pair.id) \(metric): ours \(value), oracle \(reference)")
            }
        }
    }
}
