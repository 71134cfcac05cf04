import AssayCore
import Providers
import Scoring

/// The `target` of an evaluation request: the evaluator generates the output itself by sending
/// `prompt` (with `{{input}}` and `{{reference}}` filled in) through a chain of the providers the
/// evaluator was configured with (``ProviderOrigin``).
///
/// ```json
/// "target": {"providers": ["openai-prod", {"name": "claude"}], "prompt": "Answer briefly: {{input}}"}
/// ```
struct GenerationTarget: Sendable {
    /// Providers one chain may list. Each may take its full timeout, so a longer chain mostly
    /// adds waiting; real fallback chains have two or three. (Our choice.)
    static let maxProviders = 8
    static let fields: Set<String> = ["providers", "prompt", "maxTokens", "temperature"]

    var providers: [ProviderConfig]
    var prompt: String
    var maxTokens: Int?
    var temperature: Double?

    /// Decodes the `target` object at `path`, appending every problem to `errors`; providers are
    /// read as `origin` allows.
    static func decode(_ json: JSONValue, at path: String, origin: ProviderOrigin, errors: inout [FieldError])
        -> GenerationTarget?
    {
        guard let fields = JSONFields.collecting(json, at: path, allowed: Self.fields, errors: &errors) else {
            return nil
        }
        let before = errors.count
        var prompt: String?
        var maxTokens: Int?
        var temperature: Double?
        do {
            prompt = try fields.required("prompt", fields.string)
            if prompt?.isEmpty == true {
                errors.append(FieldError(path: fields.path("prompt"), message: "must not be empty"))
            }
        } catch { errors.append(error) }
        do {
            maxTokens = try fields.integer("maxTokens")
            if let maxTokens, maxTokens < 1 {
                errors.append(
                    FieldError(path: fields.path("maxTokens"), message: "must be at least 1, got \(maxTokens)"))
            }
        } catch { errors.append(error) }
        do {
            temperature = try fields.number("temperature")
            if let temperature, !(0...2).contains(temperature) {
                errors.append(
                    FieldError(path: fields.path("temperature"), message: "must be between 0 and 2, got \(temperature)")
                )
            }
        } catch { errors.append(error) }
        let providers = decodeProviders(fields, origin: origin, errors: &errors)
        guard errors.count == before, let prompt, let providers else { return nil }
        return GenerationTarget(providers: providers, prompt: prompt, maxTokens: maxTokens, temperature: temperature)
    }

    /// The `providers` member of `fields`: a non-empty chain, each element read as `origin`
    /// allows, with its own path (`target.providers[1]`).
    static func decodeProviders(_ fields: JSONFields, origin: ProviderOrigin, errors: inout [FieldError])
        -> [ProviderConfig]?
    {
        guard let json = fields.value("providers") else {
            errors.append(FieldError(path: fields.path("providers"), message: "is required"))
            return nil
        }
        do {
            return try origin.chain(json, at: fields.path("providers"), maxProviders: maxProviders)
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// Which placeholders the prompt uses, so that the request can require `input` or `reference`.
    var usesInput: Bool { prompt.contains("{{input}}") }
    var usesReference: Bool { prompt.contains("{{reference}}") }

    /// The chat request for one evaluation: the prompt, placeholders filled, as one user message.
    func chatRequest(input: String?, reference: String?) -> ChatRequest {
        var text = prompt
        if usesInput { text = text.replacing("{{input}}", with: input ?? "") }
        if usesReference { text = text.replacing("{{reference}}", with: reference ?? "") }
        return ChatRequest(messages: [.user(text)], maxTokens: maxTokens, temperature: temperature)
    }
}
