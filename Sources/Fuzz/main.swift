// libFuzzer driver for the parsers that read what callers send: the HTTP/1.1 request parser (`http`), the JSON
// parser (`json`), the JSON Schema compiler and evaluator (`schema`) and the YAML suite loader (`suite`). Built
// with -DFUZZING and the libFuzzer runtime by bin/fuzz, which picks the harness with ASSAY_FUZZ_TARGET; a plain
// build produces a stub that explains how to run it.
#if FUZZING
    import Glibc

    /// The harnesses, by the names `bin/fuzz --target` takes.
    let harnessNames = ["http", "json", "schema", "suite"]
    let selected = getenv("ASSAY_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard harnessNames.contains(selected) else {
        print("set ASSAY_FUZZ_TARGET to one of \(harnessNames.joined(separator: ", ")) (bin/fuzz --target does)")
        exit(2)
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
            switch selected {
            case "http": fuzzHTTPParser(bytes)
            case "json": fuzzJSONParser(bytes)
            case "schema": fuzzJSONSchema(bytes)
            default: fuzzSuiteLoader(bytes)
            }
            return 0
        })
#else
    print("Fuzz holds the libFuzzer harnesses (http, json, schema, suite); run them with bin/fuzz.")
#endif
