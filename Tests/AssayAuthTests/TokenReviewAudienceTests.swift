import AssayCore
import Testing

@testable import AssayAuth

/// `--auth-token-audiences`: what a TokenReview's answer must say before its token is accepted.
@Suite("TokenReview answers and token audiences")
struct TokenReviewAudienceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var status: JSONValue
        var audiences: [String]
        var accepted: Bool
        var testDescription: String { name }
    }

    static let user: JSONValue = ["username": "system:serviceaccount:team-a:ci", "uid": "u-1", "groups": ["g"]]

    static let cases: [Case] = [
        Case(
            name: "no audiences asked: an authenticated answer is enough",
            status: ["authenticated": true, "user": user], audiences: [], accepted: true),
        Case(
            name: "asked for eval.assay.dev and granted it",
            status: ["authenticated": true, "user": user, "audiences": ["eval.assay.dev"]],
            audiences: ["eval.assay.dev"], accepted: true),
        Case(
            name: "asked for two, granted one of them",
            status: ["authenticated": true, "user": user, "audiences": ["b"]], audiences: ["a", "b"], accepted: true),
        Case(
            name: "asked for eval.assay.dev, the answer names none: a server that ignored the audiences",
            status: ["authenticated": true, "user": user], audiences: ["eval.assay.dev"], accepted: false),
        Case(
            name: "asked for eval.assay.dev, granted only the API server's",
            status: [
                "authenticated": true, "user": user, "audiences": ["https://kubernetes.default.svc.cluster.local"],
            ], audiences: ["eval.assay.dev"], accepted: false),
        Case(
            name: "not authenticated, whatever the audiences",
            status: ["authenticated": false, "audiences": ["eval.assay.dev"], "error": "token audiences"],
            audiences: ["eval.assay.dev"], accepted: false),
        Case(
            name: "authenticated without a user name",
            status: ["authenticated": true, "user": ["username": ""]], audiences: [], accepted: false),
    ]

    @Test("a token is accepted only when the answer grants one of the audiences asked for", arguments: cases)
    func audiences(_ check: Case) {
        let result = TokenReviewAuthenticator.result(check.status, audiences: check.audiences)
        if check.accepted {
            #expect(
                result
                    == .authenticated(UserInfo(username: "system:serviceaccount:team-a:ci", uid: "u-1", groups: ["g"])))
        } else {
            #expect(result == .rejected)
        }
    }

    @Test("--auth-token-audiences is a comma-separated list; blanks are dropped")
    func parsing() {
        #expect(TokenReviewAuthenticator.audiences(parsing: nil) == [])
        #expect(TokenReviewAuthenticator.audiences(parsing: "") == [])
        #expect(TokenReviewAuthenticator.audiences(parsing: "eval.assay.dev") == ["eval.assay.dev"])
        #expect(TokenReviewAuthenticator.audiences(parsing: " a, b ,,c ") == ["a", "b", "c"])
    }
}
