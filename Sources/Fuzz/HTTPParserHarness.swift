// The HTTP/1.1 request parser under libFuzzer (target `http`): every way of feeding the same bytes must parse
// them the same, within the limits.
#if FUZZING
    import AssayHTTP

    /// Small limits so inputs of a few kilobytes reach every limit check.
    private let fuzzLimits = HTTPParserLimits(
        maxBodyBytes: 4096, maxHeaderBytes: 1024, maxHeaderCount: 16, maxURLLength: 256)

    /// Everything observable about parsing one input: the requests, 100-continue points, and whether it failed.
    private struct Outcome: Equatable {
        var requests: [String] = []
        var continues = 0
        var failed = false
    }

    private func describe(_ request: HTTPRequest) -> String {
        precondition(request.body.count <= fuzzLimits.maxBodyBytes, "body over maxBodyBytes")
        precondition(request.headers.count <= fuzzLimits.maxHeaderCount, "more headers than maxHeaderCount")
        precondition(request.target.utf8.count <= fuzzLimits.maxURLLength, "target over maxURLLength")
        precondition(request.path + (request.query.map { "?" + $0 } ?? "") == request.target, "path/query split")
        let headers = request.headers.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        return "\(request.method) \(request.target) \(request.isKeepAlive) [\(headers)] \(request.body)"
    }

    /// Parses `bytes` fed in the given pieces, checking progress and bounds on every step.
    private func run(_ bytes: UnsafeBufferPointer<UInt8>, splitAt cuts: [Int]) -> Outcome {
        var parser = HTTPRequestParser(limits: fuzzLimits)
        var outcome = Outcome()
        let bounds = [0] + cuts + [bytes.count]
        for (lower, upper) in zip(bounds, bounds.dropFirst()) where lower < upper {
            var offset = lower
            while offset < upper {
                let piece = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[offset..<upper]))
                do throws(HTTPParseError) {
                    let (consumed, step) = try parser.parse(piece)
                    precondition(consumed >= 0 && consumed <= piece.count, "consumed outside the input")
                    offset += consumed
                    switch step {
                    case .needMoreData: precondition(offset == upper, "needMoreData before the end of the input")
                    case .continueExpected: outcome.continues += 1
                    case .request(let request): outcome.requests.append(describe(request))
                    }
                    precondition(consumed > 0 || offset == upper, "no progress")
                } catch {
                    precondition((400...505).contains(error.status) && !error.detail.isEmpty, "bad error mapping")
                    outcome.failed = true
                    return outcome
                }
            }
        }
        return outcome
    }

    /// One input: parsed whole, split at one point, and a byte at a time; the outcomes must agree.
    func fuzzHTTPParser(_ bytes: UnsafeBufferPointer<UInt8>) {
        let whole = run(bytes, splitAt: [])
        // Splitting the same bytes anywhere must not change what is parsed.
        let cut = Int(bytes[0]) * 257 % bytes.count
        let split = run(bytes, splitAt: [cut])
        let byteWise = run(bytes, splitAt: Array(stride(from: 1, to: min(bytes.count, 512), by: 1)))
        precondition(whole == split, "splitting at \(cut) changed the outcome")
        precondition(bytes.count > 512 || whole == byteWise, "byte-at-a-time feeding changed the outcome")
    }
#endif
