// libFuzzer target for HTTPRequestParser. Built with -DFUZZING and the libFuzzer runtime by bin/fuzz; a plain
// build produces a stub that explains how to run it.
#if FUZZING
    import AssayHTTP
    import Glibc

    /// Small limits so inputs of a few kilobytes reach every limit check.
    let fuzzLimits = HTTPParserLimits(maxBodyBytes: 4096, maxHeaderBytes: 1024, maxHeaderCount: 16, maxURLLength: 256)

    /// Everything observable about parsing one input: the requests, 100-continue points, and whether it failed.
    struct Outcome: Equatable {
        var requests: [String] = []
        var continues = 0
        var failed = false
    }

    func describe(_ request: HTTPRequest) -> String {
        precondition(request.body.count <= fuzzLimits.maxBodyBytes, "body over maxBodyBytes")
        precondition(request.headers.count <= fuzzLimits.maxHeaderCount, "more headers than maxHeaderCount")
        precondition(request.target.utf8.count <= fuzzLimits.maxURLLength, "target over maxURLLength")
        precondition(request.path + (request.query.map { "?" + $0 } ?? "") == request.target, "path/query split")
        let headers = request.headers.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        return "\(request.method) \(request.target) \(request.isKeepAlive) [\(headers)] \(request.body)"
    }

    /// Parses `bytes` fed in the given pieces, checking progress and bounds on every step.
    func run(_ bytes: UnsafeBufferPointer<UInt8>, splitAt cuts: [Int]) -> Outcome {
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

    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(
        LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            guard let data, size > 0 else { return 0 }
            let bytes = UnsafeBufferPointer(start: data, count: size)
            let whole = run(bytes, splitAt: [])
            // Splitting the same bytes anywhere must not change what is parsed.
            let cut = Int(bytes[0]) * 257 % size
            let split = run(bytes, splitAt: [cut])
            let byteWise = run(bytes, splitAt: Array(stride(from: 1, to: min(size, 512), by: 1)))
            precondition(whole == split, "splitting at \(cut) changed the outcome")
            precondition(size > 512 || whole == byteWise, "byte-at-a-time feeding changed the outcome")
            return 0
        })
#else
    print("HTTPFuzz is the libFuzzer target for the HTTP request parser; run it with bin/fuzz [--seconds N].")
#endif
