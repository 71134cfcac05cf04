import Foundation

/// The `continue` token of a chunked list, in the real server's format: unpadded URL-safe base64 of
/// `{"v":"meta.k8s.io/v1","rv":<resourceVersion>,"start":"<key after the last one sent>"}`, where a
/// key is the object's `namespace/name`. A token that does not decode is a 400, worded as the server
/// words it.
struct ContinueToken: Sendable, Equatable {
    static let version = "meta.k8s.io/v1"

    var resourceVersion: Int
    /// Items whose key sorts at or after this one come next.
    var start: String

    var encoded: String {
        let json = JSONCodec.bytes(
            [
                "v": .string(Self.version), "rv": .number(Double(resourceVersion)), "start": .string(start),
            ])
        return Data(json).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    init(resourceVersion: Int, start: String) {
        self.resourceVersion = resourceVersion
        self.start = start
    }

    init(decoding token: String) throws(APIError) {
        func invalid(_ detail: String) -> APIError {
            .badRequest("invalid continue token: continue key is not valid: \(detail)")
        }
        var text = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if let bad = token.firstIndex(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) }
        ) {
            throw invalid("illegal base64 data at input byte \(token.distance(from: token.startIndex, to: bad))")
        }
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else {
            throw invalid("illegal base64 data at input byte \(token.count - 1)")
        }
        let bytes = [UInt8](data)
        guard let json = try? JSONCodec.parse(bytes) else {
            let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } ?? 0
            let shown =
                first >= 0x20 && first < 0x7F ? String(UnicodeScalar(first)) : "\\x" + String(first, radix: 16)
            throw invalid("invalid character '\(shown)' looking for beginning of value")
        }
        guard json["v"]?.stringValue == Self.version else {
            throw invalid("incorrect encoded start resourceVersion (version \(Self.version) required)")
        }
        guard let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue else {
            throw invalid("encoded start key is missing")
        }
        self.init(resourceVersion: rv, start: start)
    }
}
