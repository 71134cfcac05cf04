import AssayHTTP
import Foundation
import TestSupport
import Testing

/// `assay-evaluator serve` as a process configured the way an operator would run it: providers
/// from a providers file (keys from the environment), callers from a static token file, and
/// secrets planted where a hostile request would look for them (a provider key in the
/// environment, a file's content, a caller's token), so tests can check none of them leaks.
struct SecuredServer {
    static let callerToken = "caller-token-5f1d0c7e9a"
    static let providerKey = "sk-planted-provider-key-8d2e61"
    static let fileSecret = "planted-file-secret-41c9b7"
    /// Every planted secret, for the tests that look for leaks.
    static let secrets = [callerToken, providerKey, fileSecret]

    let process: ChildProcess
    let port: Int
    let directory: TemporaryDirectory
    /// A file whose content is ``fileSecret`` (standing in for `/etc/hostname` or a mounted token).
    let secretFile: String
    let tokenFile: String
    let http: CurlHTTPClient

    /// The providers file: `openai-prod` and `house-judge` on the provider emulator, keyed by
    /// `OPENAI_API_KEY`.
    static func providersFile(_ emulator: ProviderEmulatorProcess) -> String {
        """
        providers:
        - name: openai-prod
          type: openai
          model: m-prod
          baseURL: \(emulator.openAIBaseURL)
          apiKeyEnv: OPENAI_API_KEY
          maxRetries: 0
        - {name: house-judge, type: openai, model: judge, baseURL: "\(emulator.openAIBaseURL)", apiKeyEnv: OPENAI_API_KEY}
        """
    }

    static func start(
        _ emulator: ProviderEmulatorProcess, arguments: [String] = [], auth: Bool = true
    ) async throws -> SecuredServer {
        let directory = try TemporaryDirectory(prefix: "assay-secured")
        let providers = try directory.write("providers.yaml", providersFile(emulator))
        let tokens = try directory.write("tokens.csv", "\(callerToken),ci-pipeline,1000,\"ci\"\n")
        let secretFile = try directory.write("hostname", fileSecret + "\n")
        var all = [
            "serve", "--port", "0", "--providers-file", providers, "--judge-providers", "house-judge",
            "--log-level", "debug",
        ]
        if auth { all += ["--auth-token-file", tokens] }
        let process = try ChildProcess(
            built: BuiltExecutable.evaluator, arguments: all + arguments,
            environment: ["OPENAI_API_KEY": providerKey], logFile: directory.file("evaluator.log"))
        let line = try await process.waitForLine("the listening log line") { $0.contains("\"listening\"") }
        let address = try #require(line.firstMatch(of: /"address":"127\.0\.0\.1:(\d+)"/))
        return SecuredServer(
            process: process, port: Int(address.1)!, directory: directory, secretFile: secretFile, tokenFile: tokens,
            http: try CurlHTTPClient())
    }

    /// One request; `token` goes in `Authorization: Bearer`.
    func send(_ method: String, _ path: String, body: String? = nil, token: String? = callerToken) async throws
        -> ClientResponse
    {
        var headers: [(name: String, value: String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return try await http.send(
            ClientRequest(
                method: method, url: "http://127.0.0.1:\(port)\(path)", headers: headers,
                body: Array((body ?? "").utf8), timeout: .seconds(30)))
    }

    func post(_ path: String, _ body: String, token: String? = callerToken) async throws -> ClientResponse {
        try await send("POST", path, body: body, token: token)
    }

    /// Everything the process wrote (its log file).
    var log: String { (try? String(contentsOfFile: directory.file("evaluator.log"), encoding: .utf8)) ?? "" }

    /// Stops the process and removes its files; returns everything it logged.
    @discardableResult
    func stop() async -> String {
        _ = await process.terminate(grace: .seconds(5))
        let text = log
        directory.remove()
        return text
    }
}
