import AssayCore
import Foundation
import Providers

/// `serve`'s provider options: the providers file (the only place a provider's address and key
/// source are written), whether requests may define providers inline, and the default judge.
struct ServeProviders {
    let catalog: ProviderCatalog
    let allowInline: Bool
    let judge: [ProviderConfig]?

    static func options(_ parser: inout OptionParser) {
        parser.option(
            "providers-file", env: "ASSAY_PROVIDERS_FILE",
            help:
                "YAML or JSON file `providers: [{name, type, model, baseURL?, apiKeyEnv? | apiKeyFile?, ...}]`: the providers requests may name"
        )
        parser.flag(
            "allow-inline-providers", env: "ASSAY_ALLOW_INLINE_PROVIDERS",
            help:
                "Testing only: accept provider definitions in requests (never with apiKeyEnv or apiKeyFile; they send no key)"
        )
        parser.option(
            "judge-providers", env: "ASSAY_JUDGE_PROVIDERS",
            help: "Names of configured providers, comma-separated: the judge chain of llmJudge criteria that name none")
    }

    init(values: OptionValues, logger: Logger) throws {
        if let path = values.string("providers-file"), !path.isEmpty {
            catalog = try ProviderCatalog.load(path: path)
            logger.info("providers configured", ["file": path, "names": catalog.names.joined(separator: ",")])
        } else {
            catalog = ProviderCatalog()
        }
        allowInline = try values.bool("allow-inline-providers")
        if allowInline {
            logger.warning(
                "--allow-inline-providers: requests may define providers, which send no key; use it only to try emulators locally"
            )
        }
        let catalog = catalog
        judge = try Self.judgeNames(values.string("judge-providers")).map { names in
            try names.map { name in
                guard let config = catalog.provider(named: name) else {
                    throw OptionError.invalidValue(
                        name: "judge-providers", value: name,
                        expected: "names of providers in --providers-file (configured: \(catalog.namesForMessage))")
                }
                return config
            }
        }
    }

    /// `a,b` or `["a", "b"]`; `nil` when not given.
    static func judgeNames(_ text: String?) throws(OptionError) -> [String]? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        let names: [String]
        if text.trimmingCharacters(in: .whitespaces).hasPrefix("[") {
            guard let json = try? JSONParser.parse(Array(text.utf8)), case .array(let items) = json,
                let strings = Optional(items.compactMap(\.stringValue)), strings.count == items.count
            else {
                throw OptionError.invalidValue(
                    name: "judge-providers", value: text, expected: "provider names, comma-separated or a JSON list")
            }
            names = strings
        } else {
            names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
            throw OptionError.invalidValue(
                name: "judge-providers", value: text, expected: "provider names, comma-separated or a JSON list")
        }
        return names
    }
}
