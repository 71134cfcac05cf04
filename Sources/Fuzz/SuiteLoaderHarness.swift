// The YAML suite loader under libFuzzer (target `suite`): any text loads or is refused with a line inside it, the
// loaded document survives a round trip through JSON (which is YAML), and a suite's criteria compile or are
// refused with their path.
#if FUZZING
    import AssayCore
    import Scoring
    import Suites

    func fuzzSuiteLoader(_ bytes: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: bytes, as: UTF8.self)
        // YAML breaks lines at CR, LF, CRLF, NEL, LS and PS too; counting every newline character bounds that.
        let lines = text.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        if let document = try? YAMLLoader.load(text) {
            let json = String(decoding: JSONWriter.bytes(document), as: UTF8.self)
            guard let again = try? YAMLLoader.load(json) else {
                preconditionFailure("JSON from a YAML document does not load")
            }
            precondition(again == document, "a round trip through JSON changed the document")
        }
        _ = try? YAMLLoader.loadAll(text)
        let suite: EvaluationSuite
        do throws(SuiteError) {
            suite = try EvaluationSuite.parse(text, source: "fuzz.yaml")
        } catch {
            switch error {
            case .syntax(_, let yaml):
                precondition(yaml.line >= 1 && yaml.line <= lines + 1, "syntax error at \(yaml.line)")
            case .invalid(_, let field, let line):
                precondition(!field.message.isEmpty, "a field error without a message")
                if let line { precondition(line >= 1 && line <= lines, "field error at line \(line) of \(lines)") }
            default: break
            }
            return
        }
        do throws(FieldError) {
            _ = try Scorecard.decode(.array(suite.spec.criteria), at: "spec.criteria")
        } catch {
            precondition(error.path.hasPrefix("spec.criteria"), "a criterion error at \(error.path)")
        }
    }
#endif
