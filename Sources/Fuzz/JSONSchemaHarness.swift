// The JSON Schema compiler and evaluator under libFuzzer (target `schema`). An input is a JSON array
// `[schema, instance]`: compiling never crashes, validating stays within its work budget, reporting and probing
// agree on the verdict, every violation points at a location the instance has, and validating the instance parsed
// flat (JSONTape) gives the same outcome in the same steps.
#if FUZZING
    import AssayCore
    import Scoring

    /// Steps per validation: enough for every seed, small enough that an exponential schema ends in milliseconds.
    private let fuzzSteps = 200_000

    /// Whether the RFC 6901 pointer `path` names a location inside `value`. The pointer is read by
    /// Unicode scalars, not Characters: a key that starts with a combining mark joins the `/` before it
    /// into one Character, which a Character-wise split would cut off with the separator.
    private func resolves(_ path: String, in value: JSONValue) -> Bool {
        let scalars = Array(path.unicodeScalars)
        guard let first = scalars.first else { return true }
        guard first == "/" else { return false }
        var current = value
        for token in scalars.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let key = unescapedToken(token)
            switch current {
            case .object(let object):
                guard let member = object[key] else { return false }
                current = member
            case .array(let elements):
                guard let index = Int(key), elements.indices.contains(index) else { return false }
                current = elements[index]
            default:
                return false
            }
        }
        return true
    }

    /// One reference token with `~1` read as `/` and `~0` as `~`.
    private func unescapedToken(_ token: ArraySlice<Unicode.Scalar>) -> String {
        var key = String.UnicodeScalarView()
        var index = token.startIndex
        while index < token.endIndex {
            let scalar = token[index]
            let next = token.index(after: index)
            if scalar == "~", next < token.endIndex, token[next] == "0" || token[next] == "1" {
                key.append(token[next] == "1" ? "/" : "~")
                index = token.index(after: next)
            } else {
                key.append(scalar)
                index = next
            }
        }
        return String(key)
    }

    func fuzzJSONSchema(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let document = try? JSONParser.parse(UnsafeRawBufferPointer(bytes)), case .array(let pair) = document,
            pair.count == 2
        else { return }
        let schema: JSONSchema
        do throws(JSONSchemaError) {
            schema = try JSONSchema(compiling: pair[0])
        } catch {
            precondition(!error.message.isEmpty, "a compile error without a message")
            return
        }
        var reportingBudget = WorkBudget(steps: fuzzSteps)
        let report = schema.validate(pair[1], budget: &reportingBudget)
        precondition(reportingBudget.used <= fuzzSteps, "validation took \(reportingBudget.used) steps")
        if let tape = try? JSONTape.parse(JSONWriter.string(pair[1])) {
            var tapeBudget = WorkBudget(steps: fuzzSteps)
            precondition(schema.validate(tape, budget: &tapeBudget) == report, "the tape's validation differs")
            precondition(tapeBudget.used == reportingBudget.used, "the tape's validation took other steps")
        } else {
            preconditionFailure("the written instance does not parse as a tape")
        }
        var probingBudget = WorkBudget(steps: fuzzSteps)
        let probe = schema.isValid(pair[1], budget: &probingBudget)
        switch report {
        case .valid:
            precondition(probe != false, "reported valid, probed invalid")
        case .invalid(let violations):
            precondition(!violations.isEmpty, "invalid without a violation")
            precondition(probe != true, "reported invalid, probed valid")
            for violation in violations {
                precondition(resolves(violation.instancePath, in: pair[1]), "violation at \(violation.instancePath)")
            }
        case .undecided(let exhaustion):
            precondition(exhaustion == .steps(limit: fuzzSteps), "undecided by \(exhaustion)")
        }
    }
#endif
