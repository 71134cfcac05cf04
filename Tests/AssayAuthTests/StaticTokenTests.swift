import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayAuth

@Suite("Static token file")
struct StaticTokenTests {
    @Test("kube-apiserver's format: token,user[,uid[,\"group1,group2\"]], blank lines and comments skipped")
    func parses() throws {
        let file = try StaticTokenFile.parse(
            """
            # callers of the evaluation API
            t-ci,ci

            t-alice, alice, 1001,"platform, readers"
            "t,quoted",bob,,
            """, source: "tokens.csv")
        #expect(file.count == 3)
        #expect(file.user(for: "t-ci") == UserInfo(username: "ci"))
        #expect(file.user(for: "t-alice") == UserInfo(username: "alice", uid: "1001", groups: ["platform", "readers"]))
        #expect(file.user(for: "t,quoted") == UserInfo(username: "bob"))
        for wrong in ["", "t-c", "t-ci ", "T-CI", "t-cix", "t-alice,alice", "# callers of the evaluation API"] {
            #expect(file.user(for: wrong) == nil, "\(wrong)")
        }
    }

    @Test(
        "a bad file names the file and line, never a token",
        arguments: [
            ("s3cret-token\n", "tokens.csv:1: has 1 columns"),
            ("a,alice\n,bob\n", "tokens.csv:2: the token is empty"),
            ("s3cret-token,\n", "tokens.csv:1: the user name is empty"),
            ("s3cret-token,alice\n\ns3cret-token,bob\n", "tokens.csv:3: repeats the token of line 1"),
            ("s3cret-token,a,b,c,d\n", "tokens.csv:1: has 5 columns"),
            ("# nothing\n\n", "tokens.csv: has no tokens"),
            ("\"s3cret-token,alice\n", "tokens.csv:1: has a quoted field that is never closed"),
        ])
    func rejects(text: String, expected: String) {
        #expect {
            try StaticTokenFile.parse(text, source: "tokens.csv")
        } throws: { error in
            let message = String(describing: error)
            return message.hasPrefix(expected) && !message.contains("s3cret")
        }
    }

    @Test(
        "tokens compare equal only byte for byte, whatever their lengths",
        arguments: [
            ("abc", "abc", true), ("abc", "abd", false), ("ab", "abc", false), ("abcd", "abc", false),
            ("", "abc", false), ("abcabc", "abc", false), ("a", "aaa", false),
        ])
    func constantTimeEquality(presented: String, secret: String, equal: Bool) {
        #expect(StaticTokenFile.constantTimeEquals(Array(presented.utf8), Array(secret.utf8)) == equal)
    }

    @Test("a Secret rotated in place takes effect at the next check; an unusable rewrite keeps the old tokens")
    func rotation() async throws {
        let directory = try TemporaryDirectory(prefix: "assay-tokens")
        defer { directory.remove() }
        // A mounted Secret: `tokens.csv` is a symlink into a data directory swapped as a whole.
        func publish(_ text: String, version: Int) throws {
            let data = directory.file("..data-\(version)")
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try text.write(toFile: "\(data)/tokens.csv", atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: directory.file("tokens.csv"))
            try FileManager.default.createSymbolicLink(
                atPath: directory.file("tokens.csv"), withDestinationPath: "\(data)/tokens.csv")
        }
        try publish("old-token,ci\n", version: 1)
        let clock = ManualClock()
        let lines = LogLines()
        let authenticator = try StaticTokenAuthenticator(
            path: directory.file("tokens.csv"), clock: clock,
            logger: Logger(label: "test", sink: { lines.append($0) }))
        #expect(await authenticator.authenticate(token: "old-token") == .authenticated(UserInfo(username: "ci")))

        try publish("new-token,ci-2\n", version: 2)
        #expect(await authenticator.authenticate(token: "old-token") != .rejected, "looked at once a second")
        clock.advance(by: StaticTokenAuthenticator.defaultCheckInterval)
        #expect(await authenticator.authenticate(token: "new-token") == .authenticated(UserInfo(username: "ci-2")))
        #expect(await authenticator.authenticate(token: "old-token") == .rejected)

        try publish("new-token\n", version: 3)
        clock.advance(by: StaticTokenAuthenticator.defaultCheckInterval)
        #expect(await authenticator.authenticate(token: "new-token") == .authenticated(UserInfo(username: "ci-2")))
        clock.advance(by: StaticTokenAuthenticator.defaultCheckInterval)
        #expect(await authenticator.authenticate(token: "new-token") != .rejected)
        let warnings = lines.all.filter { $0.contains("not usable") }
        #expect(warnings.count == 1, "one warning per bad version: \(lines.all)")
        #expect(!lines.all.joined().contains("new-token"), "no line quotes the file")
    }

    @Test("a decision is kept for its TTL only, and a zero TTL keeps nothing")
    func decisionCache() {
        let clock = ManualClock()
        let cache = DecisionCache<String, Int>(capacity: 2, clock: clock)
        cache.insert(1, forKey: "a", ttl: .seconds(30))
        cache.insert(2, forKey: "b", ttl: .zero)
        #expect(cache.value(forKey: "a") == 1)
        #expect(cache.value(forKey: "b") == nil)
        clock.advance(by: .seconds(29))
        #expect(cache.value(forKey: "a") == 1)
        clock.advance(by: .seconds(1))
        #expect(cache.value(forKey: "a") == nil)
        for key in ["c", "d", "e"] { cache.insert(0, forKey: key, ttl: .seconds(60)) }
        #expect(cache.value(forKey: "c") == nil, "bounded: the least recently used goes")
        #expect(cache.value(forKey: "e") == 0)
    }
}

/// Log lines a test's logger wrote.
final class LogLines: Sendable {
    private let lines = Guarded<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// An access log whose batches land here, a line each.
    func accessLog() -> AccessLog {
        AccessLog(label: "t") { batch in
            for line in String(decoding: batch, as: UTF8.self).split(separator: "\n") { self.append(String(line)) }
        }
    }
}
