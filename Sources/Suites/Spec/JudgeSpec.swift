import AssayCore
import Providers

/// The provider chain that `llmJudge` criteria call.
public struct JudgeSpec: SpecDecodable, Hashable {
    public var providers: [ProviderSpec]

    public init(providers: [ProviderSpec]) { self.providers = providers }

    public static func decode(_ json: JSONValue, at path: String) throws(FieldError) -> JudgeSpec {
        try decode(json, at: path, providers: .localFile)
    }

    /// The judge at `path`, its providers read as `origin` allows (``ProviderSpec/decodeChain(_:at:providers:)``).
    public static func decode(_ json: JSONValue, at path: String, providers origin: ProviderOrigin)
        throws(FieldError) -> JudgeSpec
    {
        let fields = try JSONFields(json, at: path)
        try fields.rejectUnknown(allowed: ["providers"])
        return JudgeSpec(
            providers: try ProviderSpec.decodeChain(
                fields.value("providers"), at: fields.path("providers"), providers: origin))
    }

    public static var structuralSchema: JSONValue {
        SpecSchema.object(
            [("providers", SpecSchema.array(ProviderSpec.structuralSchema, minItems: 1))], required: ["providers"])
    }
}
