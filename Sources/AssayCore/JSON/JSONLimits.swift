/// Bounds that ``JSONParser`` enforces while reading untrusted input.
public struct JSONLimits: Sendable, Hashable {
    /// The deepest nesting of arrays and objects accepted; deeper documents are rejected
    /// with an error that names this limit.
    public var maxDepth: Int
    /// The longest number token accepted, in bytes (sign, digits, point and exponent).
    public var maxNumberLength: Int

    public init(maxDepth: Int = JSONLimits.defaultMaxDepth, maxNumberLength: Int = JSONLimits.defaultMaxNumberLength) {
        self.maxDepth = maxDepth
        self.maxNumberLength = maxNumberLength
    }

    /// 128 levels. No document the API defines nests deeper than about 10 levels, so this
    /// leaves a wide margin for user JSON (schemas, tool arguments) while bounding the
    /// recursive descent to a few tens of KB of stack, well inside the 512 KB stack of a
    /// secondary thread. It is also the default recursion limit of widely used JSON parsers,
    /// so documents other services accept are accepted here too.
    public static let defaultMaxDepth = 128

    /// 1,024 bytes. The longest decimal expansion that still decides how a `Double` rounds has
    /// 767 significant digits, so no meaningful number is cut off, while a megabyte of digits
    /// cannot make `strtod` (the slow path) copy and scan it.
    public static let defaultMaxNumberLength = 1024

    public static let `default` = JSONLimits()
}
