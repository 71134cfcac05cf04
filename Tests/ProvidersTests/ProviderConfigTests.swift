import AssayCore
import Testing

@testable import Providers

@Suite("ProviderConfig")
struct ProviderConfigTests {
    @Test("a minimal provider gets the documented defaults")
    func minimalDefaults() throws {
        let config = try ProviderConfig.decode(["type": "openai", "model": "gpt-4o-mini"], at: "provider")
        #expect(config.type == .openai)
        #expect(config.name == "openai")
        #expect(config.timeoutSeconds == 5)
        #expect(config.resolvedBaseURL == "https://api.openai.com/v1")
        #expect(config.apiKeySource == .defaultEnvironment("OPENAI_API_KEY"))
        #expect(config.maxRetries == nil && config.rateLimit == nil)
    }

    @Test("a full provider keeps every field")
    func fullProvider() throws {
        let json: JSONValue = [
            "type": "azure", "model": "gpt4o-prod", "baseURL": "https://acme.openai.azure.com/",
            "apiVersion": "2024-10-21", "apiKeyFile": "/var/run/secrets/azure/key", "timeoutSeconds": 12.5,
            "maxRetries": 3, "rateLimit": ["requestsPerSecond": 2.5, "burst": 5, "tokensPerMinute": 90000],
            "name": "azure-prod",
        ]
        let config = try ProviderConfig.decode(json, at: "")
        #expect(config.name == "azure-prod")
        #expect(config.resolvedBaseURL == "https://acme.openai.azure.com")
        #expect(config.apiKeySource == .file("/var/run/secrets/azure/key"))
        #expect(config.timeoutSeconds == 12.5)
        #expect(config.maxRetries == 3)
        #expect(config.rateLimit == RateLimitConfig(requestsPerSecond: 2.5, burst: 5, tokensPerMinute: 90000))
    }

    @Test(
        "invalid providers are rejected with the offending field's path",
        arguments: [
            (["model": "m"], "p.type"),
            (["type": "cohere", "model": "m"], "p.type"),
            (["type": "openai"], "p.model"),
            (["type": "openai", "model": ""], "p.model"),
            (["type": "openai", "model": "m", "modle": "x"], "p.modle"),
            (["type": "azure", "model": "d", "apiVersion": "2024-10-21"], "p.baseURL"),
            (["type": "azure", "model": "d", "baseURL": "https://a.openai.azure.com"], "p.apiVersion"),
            (["type": "openai", "model": "m", "baseURL": "ftp://x"], "p.baseURL"),
            (["type": "gemini", "model": "m", "baseURL": "https://x?key=abc"], "p.baseURL"),
            (["type": "openai", "model": "m", "apiKeyEnv": "A", "apiKeyFile": "/k"], "p.apiKeyFile"),
            (["type": "openai", "model": "m", "apiKeyEnv": "sk-live-123"], "p.apiKeyEnv"),
            (["type": "openai", "model": "m", "apiKeyFile": "relative/key"], "p.apiKeyFile"),
            (["type": "openai", "model": "m", "timeoutSeconds": 0], "p.timeoutSeconds"),
            (["type": "openai", "model": "m", "timeoutSeconds": "5"], "p.timeoutSeconds"),
            (["type": "openai", "model": "m", "maxRetries": 11], "p.maxRetries"),
            (["type": "openai", "model": "m", "maxRetries": 1.5], "p.maxRetries"),
            (["type": "openai", "model": "m", "rateLimit": ["burst": 1]], "p.rateLimit.requestsPerSecond"),
            (
                ["type": "openai", "model": "m", "rateLimit": ["requestsPerSecond": 1, "burst": 0]], "p.rateLimit.burst"
            ),
            (
                ["type": "openai", "model": "m", "rateLimit": ["requestsPerSecond": 1, "burst": 1, "x": 1]],
                "p.rateLimit.x"
            ),
            (["type": "openai", "model": "m", "name": ""], "p.name"),
        ] as [(JSONValue, String)])
    func rejectsInvalid(json: JSONValue, path: String) {
        #expect {
            _ = try ProviderConfig.decode(json, at: "p")
        } throws: { error in
            (error as? FieldError)?.path == path
        }
    }

    @Test(
        "each type's default base URL and key variable",
        arguments: [
            (ProviderType.openai, "https://api.openai.com/v1", "OPENAI_API_KEY"),
            (.anthropic, "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
            (.gemini, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY"),
        ])
    func defaults(type: ProviderType, baseURL: String, env: String) throws {
        let config = try ProviderConfig.decode(["type": .string(type.rawValue), "model": "m"], at: "")
        #expect(config.resolvedBaseURL == baseURL)
        #expect(config.apiKeySource == .defaultEnvironment(env))
    }

    @Test("a key in the config itself is rejected without echoing it")
    func inlineKeyRejected() {
        let json: JSONValue = ["type": "openai", "model": "m", "apiKey": "sk-inline-secret-77"]
        #expect {
            _ = try ProviderConfig.decode(json, at: "provider")
        } throws: { error in
            guard let error = error as? FieldError else { return false }
            return error.path == "provider.apiKey" && !error.description.contains("sk-inline-secret-77")
        }
    }
}
