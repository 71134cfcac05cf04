import AssayCore
import Foundation
import Testing

@testable import AssayAuth
@testable import AssayHTTP

/// The authentication layer around route handlers, with stand-in authenticators and authorizers.
@Suite("AccessGuard: 401, 403 and 503 before any handler runs")
struct AccessGuardTests {
    struct Tokens: Authenticator {
        func authenticate(token: String) async -> AuthenticationResult {
            switch token {
            case "alice-token": .authenticated(UserInfo(username: "alice", groups: ["team"]))
            case "bob-token": .authenticated(UserInfo(username: "bob"))
            case "flaky": .unavailable("connection refused")
            default: .rejected
            }
        }
    }

    struct OnlyAlice: Authorizer {
        func authorize(_ user: UserInfo, _ attributes: ResourceAttributes) async -> AuthorizationDecision {
            user.username == "alice" ? .allowed : .denied(reason: "no RoleBinding")
        }
    }

    /// Sends one request through a guarded handler; returns the response and whether the handler ran.
    static func send(_ authorization: String?, gate: AccessGuard) async -> (HTTPResponse, Bool) {
        let ran = Guarded(false)
        let handler = gate.protect(.evaluations(namespace: "team-a")) { _, _ in
            ran.withLock { $0 = true }
            return .json(["ok": true])
        }
        var headers = HTTPHeaders()
        if let authorization { headers.replace("Authorization", with: authorization) }
        let response = await handler(
            HTTPRequest(method: "POST", target: "/v1/evaluate", headers: headers), RouteParameters())
        return (response, ran.withLock { $0 })
    }

    static func problem(_ response: HTTPResponse) throws -> JSONValue { try JSONParser.parse(response.body) }

    @Test(
        "no credentials, another scheme, or a token nobody issued: 401 problem+json with the Bearer challenge",
        arguments: [
            (nil, "Bearer realm=\"assay\""),
            ("Basic YWxpY2U6cHc=", "Bearer realm=\"assay\""),
            ("Bearer", "Bearer realm=\"assay\""),
            ("Bearer made-up", "Bearer realm=\"assay\", error=\"invalid_token\""),
            ("bearer alice-token2", "Bearer realm=\"assay\", error=\"invalid_token\""),
        ] as [(String?, String)])
    func unauthenticated(authorization: String?, challenge: String) async throws {
        let (response, ran) = await Self.send(
            authorization, gate: AccessGuard(authenticator: Tokens(), authorizer: OnlyAlice()))
        #expect(!ran)
        #expect(response.status == 401)
        #expect(response.headers["WWW-Authenticate"] == challenge)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let problem = try Self.problem(response)
        #expect(problem["type"] == "urn:assay:problem:unauthenticated")
        #expect(problem["status"] == 401)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("made-up"))
    }

    @Test("authenticated but not allowed: 403 naming the user and the permission")
    func forbidden() async throws {
        let (response, ran) = await Self.send(
            "Bearer bob-token", gate: AccessGuard(authenticator: Tokens(), authorizer: OnlyAlice()))
        #expect(!ran)
        #expect(response.status == 403)
        #expect(response.headers["WWW-Authenticate"] == nil)
        let problem = try Self.problem(response)
        #expect(problem["type"] == "urn:assay:problem:forbidden")
        #expect(
            problem["detail"]
                == "user \"bob\" may not create evaluations.eval.assay.dev in namespace \"team-a\": no RoleBinding")
    }

    @Test("allowed callers reach the handler; the scheme's case does not matter")
    func allowed() async {
        let gate = AccessGuard(authenticator: Tokens(), authorizer: OnlyAlice())
        for header in ["Bearer alice-token", "bearer alice-token", "BEARER  alice-token"] {
            let (response, ran) = await Self.send(header, gate: gate)
            #expect(ran && response.status == 200, "\(header)")
        }
        let (anyone, ran) = await Self.send("Bearer bob-token", gate: AccessGuard(authenticator: Tokens()))
        #expect(ran && anyone.status == 200, "without an authorizer every authenticated user may")
    }

    @Test("when the credentials cannot be checked the answer is 503 with Retry-After, not 401")
    func unavailable() async throws {
        let (response, ran) = await Self.send("Bearer flaky", gate: AccessGuard(authenticator: Tokens()))
        #expect(!ran)
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "1")
        #expect(try Self.problem(response)["type"] == "urn:assay:problem:authentication-unavailable")
    }

    @Test("the access log names the user and the status, never the token")
    func accessLog() async {
        let lines = LogLines()
        let log = lines.accessLog()
        defer { log.close() }
        let gate = AccessGuard(authenticator: Tokens(), authorizer: OnlyAlice(), accessLog: log)
        _ = await Self.send("Bearer alice-token", gate: gate)
        _ = await Self.send("Bearer bob-token", gate: gate)
        _ = await Self.send("Bearer made-up", gate: gate)
        log.flush()
        let all = lines.all
        #expect(all.count == 3)
        #expect(all[0].contains(#""user":"alice""#) && all[0].contains(#""status":"200""#))
        #expect(all[1].contains(#""user":"bob""#) && all[1].contains(#""status":"403""#))
        #expect(all[2].contains(#""user":"-""#) && all[2].contains(#""status":"401""#))
        #expect(!all.joined().contains("-token") && !all.joined().contains("made-up"))
    }

    @Test("with authentication off every caller is system:anonymous, and a requirement's own answer is kept")
    func off() async {
        let lines = LogLines()
        let log = lines.accessLog()
        defer { log.close() }
        let gate = AccessGuard(authenticator: nil, accessLog: log)
        let (response, ran) = await Self.send(nil, gate: gate)
        #expect(ran && response.status == 200)
        log.flush()
        #expect(lines.all.first?.contains(#""user":"system:anonymous""#) == true)
        let notHere = gate.protect(
            { _, _ in .answer(.problem(status: 404, detail: "no run")) },
            { _, _ in .json(["leaked": true]) })
        #expect(await notHere(HTTPRequest(method: "GET", target: "/v1/runs/x"), RouteParameters()).status == 404)
    }
}
