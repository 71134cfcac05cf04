/// The wire format a request path belongs to.
enum EmulatorRoute: String, Sendable, CaseIterable {
    case openai
    case azure
    case anthropic
    case gemini

    /// `POST /v1/chat/completions`, `POST /openai/deployments/{deployment}/chat/completions`,
    /// `POST /v1/messages`, `POST /{version}/models/{model}:generateContent`. Returns the route and
    /// the model or deployment named in the path, if any.
    static func match(path: String) -> (route: EmulatorRoute, pathModel: String?)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.count {
        case 3 where parts == ["v1", "chat", "completions"]:
            return (.openai, nil)
        case 2 where parts == ["v1", "messages"]:
            return (.anthropic, nil)
        case 5
        where parts[0] == "openai" && parts[1] == "deployments" && parts[3] == "chat" && parts[4] == "completions":
            return (.azure, parts[2])
        case 3 where parts[1] == "models" && parts[2].hasSuffix(":generateContent"):
            return (.gemini, String(parts[2].dropLast(":generateContent".count)))
        default:
            return nil
        }
    }
}
