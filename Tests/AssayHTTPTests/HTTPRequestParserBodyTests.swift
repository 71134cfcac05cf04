import Testing

@testable import AssayHTTP

/// Request bodies however they are framed and split, and into whatever storage the parser reuses.
@Suite("HTTP/1.1 request parser: bodies")
struct HTTPRequestParserBodyTests {
    static let body: [UInt8] = (0..<600).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    static func head(_ length: Int) -> [UInt8] {
        Array("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n".utf8)
    }

    /// The body in chunks of `size` bytes.
    static func chunked(_ body: [UInt8], size: Int) -> [UInt8] {
        var bytes = Array("POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for start in stride(from: 0, to: body.count, by: size) {
            let chunk = body[start..<min(start + size, body.count)]
            bytes += Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8)
        }
        return bytes + Array("0\r\n\r\n".utf8)
    }

    /// Parses `bytes` split at `split` and then every `piece` bytes; returns the request it completes.
    static func read(_ bytes: [UInt8], split: Int, piece: Int, parser: inout HTTPRequestParser) throws
        -> HTTPRequest?
    {
        var bounds = Set(stride(from: split, to: bytes.count, by: piece))
        bounds.formUnion([0, bytes.count])
        var request: HTTPRequest?
        for (lower, upper) in zip(bounds.sorted(), bounds.sorted().dropFirst()) {
            let (consumed, step) = try parser.parse(Array(bytes[lower..<upper]))
            #expect(consumed == upper - lower)
            if case .request(let complete) = step { request = complete }
        }
        return request
    }

    @Test("a Content-Length body and the same body in many chunks are byte-identical at every split")
    func contentLengthMatchesChunked() throws {
        let fixed = Self.head(Self.body.count) + Self.body
        for chunkSize in [1, 37, 600] {
            let chunked = Self.chunked(Self.body, size: chunkSize)
            for split in stride(from: 0, through: fixed.count, by: 11) {
                for piece in [1, 64, 1000] {
                    var parser = HTTPRequestParser()
                    let request = try Self.read(fixed, split: split, piece: piece, parser: &parser)
                    #expect(request?.body == Self.body, "split \(split), piece \(piece)")
                    var chunkedParser = HTTPRequestParser()
                    let decoded = try Self.read(chunked, split: split, piece: piece, parser: &chunkedParser)
                    #expect(decoded?.body == Self.body, "chunks of \(chunkSize), split \(split), piece \(piece)")
                }
            }
        }
    }

    @Test(
        "recycled storage, whatever its old length, yields exactly the new body",
        arguments: [0, 1, 599, 600, 601, 5000]
    )
    func recycledStorage(staleCount: Int) throws {
        var stale = [UInt8](repeating: 0xEE, count: staleCount)
        stale.reserveCapacity(1024)
        var parser = HTTPRequestParser()
        parser.recycleBodyStorage(stale)
        stale = []
        let request = try Self.read(Self.head(Self.body.count) + Self.body, split: 90, piece: 250, parser: &parser)
        #expect(request?.body == Self.body)
    }
}
