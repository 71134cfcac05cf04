/// The wire format a provider speaks.
public enum ProviderType: String, Sendable, Hashable, CaseIterable {
    /// OpenAI Chat Completions, and every server compatible with it (vLLM, Ollama, LM Studio,
    /// Together, Groq, ...) through `baseURL`.
    case openai
    /// Azure OpenAI: OpenAI's bodies on a deployment URL with `api-version` and `api-key`.
    case azure
    /// Anthropic Messages.
    case anthropic
    /// Google Gemini `generateContent`.
    case gemini

    /// Where requests go when the config names no `baseURL` (each vendor's SDK convention:
    /// OpenAI's includes `/v1`, Anthropic's and Google's do not). Azure has none.
    public var defaultBaseURL: String? {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .azure: nil
        case .anthropic: "https://api.anthropic.com"
        case .gemini: "https://generativelanguage.googleapis.com"
        }
    }

    /// Environment variable read for the key when the config names neither `apiKeyEnv` nor
    /// `apiKeyFile`: the variable each vendor's own SDK reads.
    public var defaultAPIKeyEnv: String {
        switch self {
        case .openai: "OPENAI_API_KEY"
        case .azure: "AZURE_OPENAI_API_KEY"
        case .anthropic: "ANTHROPIC_API_KEY"
        case .gemini: "GEMINI_API_KEY"
        }
    }
}
