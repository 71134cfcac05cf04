import CYAML

/// One libyaml parse event, copied out of C memory.
struct YAMLEvent {
    enum Kind: CustomStringConvertible {
        case streamStart, streamEnd, documentStart, documentEnd, alias, scalar
        case sequenceStart, sequenceEnd, mappingStart, mappingEnd, none

        var description: String {
            switch self {
            case .streamStart: "stream start"
            case .streamEnd: "end of stream"
            case .documentStart: "document start"
            case .documentEnd: "document end"
            case .alias: "alias"
            case .scalar: "scalar"
            case .sequenceStart: "sequence"
            case .sequenceEnd: "end of sequence"
            case .mappingStart: "mapping"
            case .mappingEnd: "end of mapping"
            case .none: "nothing"
            }
        }
    }

    var kind: Kind
    var line: Int
    var column: Int
    var anchor: String?
    var tag: String?
    var value: String?
    var style: yaml_scalar_style_t = YAML_ANY_SCALAR_STYLE
}

/// Owns a libyaml parser and the bytes it reads; frees both on deinit.
final class YAMLEventParser {
    private var parser = yaml_parser_t()
    private let input: UnsafeMutableBufferPointer<UInt8>

    init(_ text: String) {
        let bytes = Array(text.utf8)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        yaml_parser_initialize(&parser)
        yaml_parser_set_input_string(&parser, input.baseAddress, bytes.count)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_parser_delete(&parser)
        input.deallocate()
    }

    func next() throws(YAMLError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else {
            let mark = parser.problem_mark
            let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
            let context = parser.context.map { " " + String(cString: $0) } ?? ""
            throw YAMLError(line: mark.line + 1, column: mark.column + 1, reason: problem + context)
        }
        defer { yaml_event_delete(&event) }
        var result = YAMLEvent(
            kind: .none, line: event.start_mark.line + 1, column: event.start_mark.column + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT: result.kind = .streamStart
        case YAML_STREAM_END_EVENT: result.kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: result.kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: result.kind = .documentEnd
        case YAML_ALIAS_EVENT:
            result.kind = .alias
            result.anchor = event.data.alias.anchor.map { String(cString: $0) }
        case YAML_SCALAR_EVENT:
            result.kind = .scalar
            let scalar = event.data.scalar
            result.anchor = scalar.anchor.map { String(cString: $0) }
            result.tag = scalar.tag.map { String(cString: $0) }
            result.value = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
            }
            result.style = scalar.style
        case YAML_SEQUENCE_START_EVENT:
            result.kind = .sequenceStart
            result.anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
        case YAML_SEQUENCE_END_EVENT: result.kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            result.kind = .mappingStart
            result.anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
        case YAML_MAPPING_END_EVENT: result.kind = .mappingEnd
        default: result.kind = .none
        }
        return result
    }
}
