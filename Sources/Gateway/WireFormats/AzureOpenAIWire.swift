import AssayCore
import AssayHTTP
import Providers

/// Azure OpenAI chat completions:
/// `POST {baseURL}/openai/deployments/{deployment}/chat/completions?api-version={apiVersion}`
/// with the key in `api-key` (https://learn.microsoft.com/azure/ai-services/openai/reference).
/// Bodies, responses and errors are OpenAI's; the deployment is `model` in the config.
enum AzureOpenAIWire {
    static func encode(_ chat: ChatRequest, config: ProviderConfig, key: APIKey?) -> ClientRequest {
        var headers: [(name: String, value: String)] = []
        if let key { headers.append((name: "api-key", value: key.value)) }
        let deployment = percentEncodePathSegment(config.model)
        let version = percentEncodePathSegment(config.apiVersion ?? "")
        return ClientRequest(
            method: "POST",
            url: "\(config.resolvedBaseURL)/openai/deployments/\(deployment)/chat/completions?api-version=\(version)",
            headers: WireFormat.jsonHeaders(headers), body: JSONWriter.bytes(OpenAIChatWire.body(chat, model: nil)))
    }
}

/// RFC 3986 unreserved characters stay; everything else is %XX-encoded.
func percentEncodePathSegment(_ s: String) -> String {
    var out = ""
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
        }
    }
    return out
}
