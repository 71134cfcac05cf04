import AssayCore
import Foundation
import TestSupport
import Testing

@testable import Providers

@Suite("Provider catalog and who may say what about a provider")
struct ProviderCatalogTests {
    static let catalog = ProviderCatalog([
        ProviderConfig(type: .openai, model: "gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY", name: "openai-prod"),
        ProviderConfig(type: .anthropic, model: "claude", apiKeyFile: "/var/run/keys/anthropic", name: "claude"),
    ])

    @Test("a providers file in YAML gives named providers in file order, key sources kept")
    func loadsYAML() throws {
        let directory = try TemporaryDirectory(prefix: "assay-catalog")
        defer { directory.remove() }
        let path = try directory.write(
            "providers.yaml",
            """
            providers:
            - name: openai-prod
              type: openai
              model: gpt-4o-mini
              apiKeyEnv: OPENAI_API_KEY
            - {name: claude, type: anthropic, model: claude, apiKeyFile: /var/run/keys/anthropic}
            """)
        let catalog = try ProviderCatalog.load(path: path)
        #expect(catalog == Self.catalog)
        #expect(catalog.names == ["openai-prod", "claude"])
    }

    @Test(
        "a bad providers file names the file, the line and the field",
        arguments: [
            ("providers:\n- {type: openai, model: m}\n", "providers.yaml:2: providers[0].name: is required"),
            (
                "providers:\n- {name: a, type: openai, model: m}\n- {name: a, type: openai, model: n}\n",
                "providers.yaml:3: providers[1].name: \"a\" is also the name of providers[0]; names must be unique"
            ),
            (
                "providers:\n- {name: 'a b', type: openai, model: m}\n",
                "providers.yaml:2: providers[0].name: must be 1 to"
            ),
            (
                "providers:\n- name: a\n  type: openai\n  model: m\n  baseURL: ftp://x\n",
                "providers.yaml:5: providers[0].baseURL: must be an http:// or https:// URL"
            ),
            ("providers: []\n", "providers.yaml:1: providers: must list at least one provider"),
            ("provider: []\n", "providers.yaml:1: provider: is not a known field"),
            ("providers: [\n", "providers.yaml:2:"),
        ])
    func rejectsBadFiles(text: String, expected: String) throws {
        let directory = try TemporaryDirectory(prefix: "assay-catalog")
        defer { directory.remove() }
        let path = try directory.write("providers.yaml", text)
        #expect {
            try ProviderCatalog.load(path: path)
        } throws: { error in
            let message = String(describing: error).replacingOccurrences(of: directory.path + "/", with: "")
            return message.hasPrefix(expected)
        }
    }

    @Test(
        "a request names configured providers; a definition, an override or an unknown name is refused at its field",
        arguments: [
            (#""openai-prod""#, nil, "openai-prod"),
            (#"{"name": "claude"}"#, nil, "claude"),
            (#""nope""#, "p[0]", nil),
            (#"{"name": "nope"}"#, "p[0].name", nil),
            (#"{"name": 3}"#, "p[0].name", nil),
            (#"3"#, "p[0]", nil),
            (#"{"name": "openai-prod", "baseURL": "http://127.0.0.1:1/v1"}"#, "p[0].baseURL", nil),
            (#"{"name": "openai-prod", "model": "gpt-4o"}"#, "p[0].model", nil),
            (#"{"type": "openai", "model": "m", "apiKeyFile": "/etc/hostname"}"#, "p[0].apiKeyFile", nil),
            (#"{"type": "openai", "model": "m", "baseURL": "http://x", "apiKeyEnv": "HOME"}"#, "p[0].apiKeyEnv", nil),
            (#"{"type": "openai", "model": "m"}"#, "p[0].type", nil),
        ] as [(String, String?, String?)])
    func requestOrigin(element: String, errorPath: String?, name: String?) throws {
        let json = try JSONParser.parse(Array("[\(element)]".utf8))
        let origin = ProviderOrigin.request(Self.catalog, allowInline: false)
        if let errorPath {
            #expect {
                try origin.chain(json, at: "p")
            } throws: { error in
                (error as? FieldError)?.path == errorPath
            }
        } else {
            let chain = try origin.chain(json, at: "p")
            #expect(chain.map(\.name) == [name])
            #expect(chain.first == Self.catalog.provider(named: name ?? ""), "the configured provider, untouched")
        }
    }

    @Test("an unknown name lists the configured ones; a definition says how to name one")
    func requestMessages() {
        let origin = ProviderOrigin.request(Self.catalog, allowInline: false)
        #expect(
            throws: FieldError(path: "p[0]", message: "unknown provider \"nope\"; configured: openai-prod, claude")
        ) {
            try origin.chain(["nope"], at: "p")
        }
        #expect {
            try ProviderOrigin.request(ProviderCatalog(), allowInline: false).chain(["x"], at: "p")
        } throws: { error in
            (error as? FieldError)?.message.contains("no --providers-file") == true
        }
        #expect {
            try origin.chain([["type": "openai", "model": "m", "baseURL": "http://x"]], at: "p")
        } throws: { error in
            let error = error as? FieldError
            return error?.path == "p[0].baseURL" && error?.message.contains("cannot be set by a request") == true
        }
    }

    @Test("--allow-inline-providers admits definitions that send no key, never a key source or a configured name")
    func inlineAllowed() throws {
        let origin = ProviderOrigin.request(Self.catalog, allowInline: true)
        let inline = try origin.provider(
            ["type": "openai", "name": "emulator", "model": "m", "baseURL": "http://127.0.0.1:1/v1"], at: "p[0]")
        #expect(inline.keyless)
        #expect(inline.apiKeySource == .none)
        for field in ["apiKeyEnv", "apiKeyFile"] {
            #expect {
                try origin.provider(
                    ["type": "openai", "model": "m", .init(stringLiteral: field): "/etc/hostname"], at: "p[0]")
            } throws: { error in
                let error = error as? FieldError
                return error?.path == "p[0].\(field)" && error?.message.contains("--allow-inline-providers") == true
            }
        }
        #expect {
            try origin.provider(
                ["type": "openai", "name": "openai-prod", "model": "m", "baseURL": "http://127.0.0.1:1"], at: "p[0]")
        } throws: { error in
            (error as? FieldError)?.path == "p[0].name"
        }
        #expect(try origin.provider("claude", at: "p[0]") == Self.catalog.provider(named: "claude"))
    }

    @Test("a keyless provider resolves no key even when the vendor's usual variable is set")
    func keylessIgnoresDefaultVariable() throws {
        let environment = ProviderEnvironment(variable: { _ in "sk-planted" }, readFile: { _ in Array("k".utf8) })
        var config = ProviderConfig(type: .openai, model: "m")
        #expect(try config.apiKeySource.resolve(in: environment)?.value == "sk-planted")
        config.keyless = true
        #expect(try config.apiKeySource.resolve(in: environment) == nil)
    }

    @Test("a resource's provider may not name a variable or a file, and sends no key without apiKey")
    func resourceOrigin() throws {
        for field in ["apiKeyEnv", "apiKeyFile"] {
            #expect {
                try ProviderOrigin.resource.provider(
                    ["type": "openai", "model": "m", .init(stringLiteral: field): "/etc/hostname"], at: "judge[0]")
            } throws: { error in
                (error as? FieldError)?.path == "judge[0].\(field)"
            }
        }
        #expect(try ProviderOrigin.resource.provider(["type": "openai", "model": "m"], at: "j").keyless)
        #expect(
            try ProviderOrigin.localFile.provider(["type": "openai", "model": "m", "apiKeyEnv": "K"], at: "j")
                .apiKeySource == .environment("K"))
    }
}
