// The JSON parser under libFuzzer (target `json`): what it accepts survives a round trip through the writer, the
// String and byte entry points agree, simdjson's UTF-8 check agrees with the standard library's, the depth limit
// holds, the span reported for a root member's value is that value's text, every rejection points inside the
// input, the wide block decoder of escapes agrees with the Swift one, and the flat parse (JSONTape) gives the same
// value or the same error.
#if FUZZING
    @_spi(Testing) import AssayCore

    /// A shallow limit, so that inputs of a few bytes reach the depth check.
    private let shallow = JSONLimits(maxDepth: 6)

    /// More than the escape decoder's 64-byte block and its 32 bytes of copy slack.
    private let trailingPadding = 128

    private func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ limits: JSONLimits) -> Result<JSONValue, JSONParseError> {
        do throws(JSONParseError) {
            return .success(try JSONParser.parse(UnsafeRawBufferPointer(bytes), limits: limits))
        } catch {
            return .failure(error)
        }
    }

    /// Nesting levels of arrays and objects.
    private func depth(_ value: JSONValue) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.map(depth).max() ?? 0)
        case .object(let object): 1 + (object.map { depth($0.value) }.max() ?? 0)
        default: 0
        }
    }

    /// The input followed by whitespace, parsed.
    private func parsePadded(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        let padded = Array(bytes) + Array(repeating: UInt8(ascii: " "), count: trailingPadding)
        return padded.withUnsafeBufferPointer { parse($0, .default) }
    }

    /// The span the parser reports for each root member's value holds exactly that value's text.
    private func checkMemberSpans(_ bytes: UnsafeBufferPointer<UInt8>, _ value: JSONValue) {
        let array = Array(bytes)
        for name in value.objectValue?.keys.prefix(4) ?? [] {
            guard let (again, span) = try? JSONParser.parse(array, spanOfMember: name), again == value, let span
            else { preconditionFailure("parsing with a member span changed the outcome") }
            precondition(
                (try? JSONParser.parse(Array(array[span]))) == value[name], "a member's span is not its value's text")
        }
        let missing = "\u{0}absent"
        guard value[missing] == nil else { return }
        let (_, absent) = try! JSONParser.parse(array, spanOfMember: missing)
        precondition(absent == nil, "a span for a member that is not there")
    }

    /// The padded input (every string on the block path) parsed at each level of the wide block decoder of
    /// escapes the CPU has (AVX2, AVX-512) and without it: the same value, or the same error at the same offset.
    private func checkWideBlocks(_ bytes: UnsafeBufferPointer<UInt8>) {
        let padded = Array(bytes) + Array(repeating: UInt8(ascii: " "), count: trailingPadding)
        let narrow = Result { () throws(JSONParseError) in try JSONParser.parse(padded, wideBlocks: 0) }
        for level in JSONParser.wideBlockLevels.dropFirst() {
            switch (Result { () throws(JSONParseError) in try JSONParser.parse(padded, wideBlocks: level) }, narrow) {
            case (.success(let fromWide), .success(let fromNarrow)):
                precondition(fromWide == fromNarrow, "the wide block decoder (level \(level)) changed a value")
            case (.failure(let fromWide), .failure(let fromNarrow)):
                precondition(
                    fromWide.offset == fromNarrow.offset && fromWide.reason == fromNarrow.reason,
                    "the wide block decoder (level \(level)) changed an error: \(fromWide) against \(fromNarrow)")
            default:
                preconditionFailure("the wide block decoder (level \(level)) disagrees on whether the input is JSON")
            }
        }
    }

    /// The tape parses to the tree's value, or fails with the tree's error, with the input as it is
    /// and with whitespace after it (which moves its strings onto the block path).
    private func checkTape(_ bytes: UnsafeBufferPointer<UInt8>, _ outcome: Result<JSONValue, JSONParseError>) {
        for (input, expected) in [
            (Array(bytes), outcome),
            (Array(bytes) + [UInt8](repeating: 0x20, count: trailingPadding), parsePadded(bytes)),
        ] {
            let tape = Result { () throws(JSONParseError) in try JSONTape.parse(input).value }
            precondition(tape == expected, "the tape gives \(tape), the tree \(expected)")
        }
    }

    func fuzzJSONParser(_ bytes: UnsafeBufferPointer<UInt8>) {
        checkWideBlocks(bytes)
        let outcome = parse(bytes, .default)
        checkTape(bytes, outcome)
        switch outcome {
        case .success(let value):
            let rendered = JSONWriter.bytes(value)
            guard let again = try? JSONParser.parse(rendered) else {
                preconditionFailure("the writer's output does not parse")
            }
            precondition(again == value, "a round trip through the writer changed the value")
            precondition(JSONWriter.bytes(again) == rendered, "the writer is not deterministic")
            let nested = depth(value)
            precondition(nested <= JSONLimits.defaultMaxDepth, "nesting \(nested) passed the depth limit")
            switch parse(bytes, shallow) {
            case .success(let limited):
                precondition(
                    nested <= shallow.maxDepth && limited == value, "the shallow limit accepted \(nested) levels")
            case .failure:
                precondition(nested > shallow.maxDepth, "the shallow limit refused \(nested) levels")
            }
            // Trailing whitespace moves every string out of the byte-by-byte end of the input and
            // into the escape decoder's block path: the value must not change.
            guard case .success(let paddedValue) = parsePadded(bytes), paddedValue == value else {
                preconditionFailure("trailing whitespace changed the parse")
            }
            checkMemberSpans(bytes, value)
        case .failure(let error):
            precondition(error.line >= 1 && error.column >= 1 && !error.reason.isEmpty, "malformed error \(error)")
            precondition((0...bytes.count).contains(error.offset), "error offset \(error.offset) outside the input")
            if case .success = parsePadded(bytes) { preconditionFailure("trailing whitespace made \(error) parse") }
        }
        // The SIMD validator the parser trusts agrees with the standard library's.
        let text = String(validating: bytes, as: UTF8.self)
        precondition(
            UTF8Validation.isValid(UnsafeRawBufferPointer(bytes)) == (text != nil),
            "simdjson's UTF-8 validation and the standard library's disagree")
        // Valid UTF-8 also enters through String, which skips re-validating strings: same outcome.
        if let text {
            switch (outcome, Result { () throws(JSONParseError) in try JSONParser.parse(text) }) {
            case (.success(let fromBytes), .success(let fromText)):
                precondition(fromBytes == fromText, "String and byte parsing disagree")
            case (.failure(let fromBytes), .failure(let fromText)):
                precondition(fromBytes.offset == fromText.offset, "String and byte parsing fail at different offsets")
            default:
                preconditionFailure("String and byte parsing disagree on whether the input is JSON")
            }
        }
    }
#endif
