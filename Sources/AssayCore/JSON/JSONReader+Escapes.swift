import CSimdJSON

/// Strings with escapes: a block decoder that classifies 64 bytes at a time with SIMD and
/// copies the runs between escapes in bulk, and the escapes themselves (`\n`, `\uXXXX`, pairs).
///
/// Why this shape (bench/json/run.sh, MB per CPU second; docs/ARCHITECTURE.md): model output
/// escaped into JSON has a backslash or quote every 7 to 13 bytes, so the decoder's cost is per
/// escape, not per byte. The word-at-a-time decoder before it loaded, stored and classified a fresh
/// word after every escape, and each escape waited on the previous one's decoding. Here a 64-byte
/// block is classified once (`assay_json_special_mask64`: SSE2 compares and movemasks, inline C,
/// because Swift's `SIMD16` comparisons are lowered lane by lane inside a loop and Swift has no
/// movemask), every escape in it is found by counting trailing zeros of the mask, and a short
/// escape clears its bits from the mask without waiting for its own decoding. The bytes between
/// two escapes are copied with 16-byte loads and stores that may overrun the run, which the slack
/// after every block (and in the scratch buffer) makes safe. The last 96 bytes of the input, where
/// a block and its overrun would pass the end, go byte by byte.
///
/// Where the CPU has AVX-512 VBMI2 or AVX2, the blocks after a string's first go to
/// `assay_json_unescape_blocks` (CSimdJSON.cpp) first: it decodes plain blocks (two-character
/// escapes only) with no branch per escape and stops at the first other block, which this loop
/// then decodes, so errors and their offsets are this loop's.
extension JSONReader {
    /// Bytes classified per block: one bit each in a `UInt64` mask.
    static let blockSize = 64
    /// Bytes a run's copy may read and write past the run's end (two 16-byte stores).
    static let copySlack = 32

    /// The rest of a string whose first escape is at `firstEscape`, decoded into the scratch
    /// buffer; the first problem in reading order is the one reported, as by the byte loop.
    mutating func escapedString(from start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        // Decoding never lengthens text (`\n` is 2 bytes for 1, `\uXXXX` 6 for at most 3),
        // so the source's remaining length bounds the output, plus a copy's overrun (a wide
        // block's 64-byte store ends at least `copySlack` bytes before the source's end).
        let out = scratchBuffer(capacity: end - start + Self.copySlack)
        let outRaw = UnsafeMutableRawPointer(out)
        // Locals, not `self`'s members: the hot loop then never copies the reader.
        let base = self.base
        let raw = UnsafeRawPointer(base)
        let table = shortEscapes
        var o = 0
        var run = start  // the first input byte not yet copied to the output
        var block = firstEscape  // where the next block to classify starts
        let lastFastBlock = end - Self.blockSize - Self.copySlack
        let wide = wideBlocks
        let level = CInt(wide)
        while block <= lastFastBlock {
            // After the first block (a short string never pays for the call), the plain blocks
            // ahead go to the branch-free decoder; the block it stops at comes here.
            if wide != 0, block != firstEscape {
                Self.copyRun(from: raw + run, count: block &- run, to: outRaw + o)
                o &+= block &- run
                var written = 0
                block &+= assay_json_unescape_blocks(
                    level, base + block, lastFastBlock &+ Self.blockSize &- block, out + o, &written)
                o &+= written
                run = block
                if block > lastFastBlock { break }
            }
            var mask = Self.specialMask(raw + block)
            while mask != 0 {
                let special = block &+ mask.trailingZeroBitCount
                Self.copyRun(from: raw + run, count: special &- run, to: outRaw + o)
                o &+= special &- run
                let byte = base[special]
                // A two-character escape, the common case, decoded here; the rest below.
                let decoded = table[Int(base[special &+ 1])]
                if byte == UInt8(ascii: "\\"), decoded != 0 {
                    out[o] = decoded
                    o &+= 1
                    run = special &+ 2
                    // Drop the backslash's bit and the escaped byte's (a `"` or `\\` is one): the
                    // mask's next value then waits on the mask alone, not on this escape's decoding.
                    let lowest = mask & (0 &- mask)
                    // (A backslash that is the block's last byte escapes the next block's first,
                    // which that block, starting at `run`, skips.)
                    mask &= ~(lowest | lowest &<< 1)
                    continue
                } else if byte == UInt8(ascii: "\"") {
                    pos = special + 1
                    return try makeString(UnsafeBufferPointer(start: out, count: o), source: start..<special)
                } else {
                    run = try decodeEscape(at: special, stringStart: start, into: out, at: &o)
                }
                let consumed = run &- block
                if consumed >= Self.blockSize { break }
                mask &= UInt64.max &<< UInt64(consumed)
            }
            block = max(block &+ Self.blockSize, run)
        }
        // Near the end of the input: the clean bytes already classified, then byte by byte.
        (out + o).update(from: base + run, count: block - run)
        o += block - run
        var p = block
        while true {
            guard p < end else { throw failAt(start - 1, "unterminated string") }
            let byte = base[p]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                p = try decodeEscape(at: p, stringStart: start, into: out, at: &o)
                continue
            }
            if byte < 0x20 { throw controlCharacter(at: p) }
            out[o] = byte
            o += 1
            p += 1
        }
        pos = p + 1
        return try makeString(UnsafeBufferPointer(start: out, count: o), source: start..<p)
    }

    /// Decodes the escape whose backslash is at `p` (or throws for a control character there)
    /// into `out` at `o`, advancing `o`; returns the index after the escape.
    @inline(__always)
    func decodeEscape(
        at p: Int, stringStart start: Int, into out: UnsafeMutablePointer<UInt8>, at o: inout Int
    ) throws(JSONParseError) -> Int {
        guard base[p] == UInt8(ascii: "\\") else { throw controlCharacter(at: p) }
        guard p + 1 < end else { throw failAt(start - 1, "unterminated string") }
        if base[p + 1] == UInt8(ascii: "u") {
            let (scalar, next) = try unicodeEscape(at: p)
            o += Self.encodeUTF8(scalar, into: out + o)
            return next
        }
        out[o] = try shortEscape(at: p)
        o += 1
        return p + 2
    }

    /// One bit per byte of the 64 at `p` that is `"`, `\` or below 0x20 (bit i for byte i).
    @inline(__always)
    static func specialMask(_ p: UnsafeRawPointer) -> UInt64 {
        assay_json_special_mask64(p.assumingMemoryBound(to: UInt8.self))
    }

    /// Copies `count` bytes: 32 at once (most runs between escapes are shorter), then in 16-byte
    /// steps; reads and writes up to ``copySlack`` bytes past them.
    @inline(__always)
    static func copyRun(from source: UnsafeRawPointer, count: Int, to target: UnsafeMutableRawPointer) {
        typealias Chunk = SIMD16<UInt8>
        target.storeBytes(of: source.loadUnaligned(as: Chunk.self), as: Chunk.self)
        target.storeBytes(
            of: source.loadUnaligned(fromByteOffset: 16, as: Chunk.self), toByteOffset: 16, as: Chunk.self)
        var i = 32
        while i < count {
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: i, as: Chunk.self), toByteOffset: i, as: Chunk.self)
            i &+= 16
        }
    }

    /// The byte a two-character escape (`\n`, `\"`, ...) at `p` stands for.
    @inline(__always)
    func shortEscape(at p: Int) throws(JSONParseError) -> UInt8 {
        let byte = shortEscapes[Int(base[p + 1])]
        guard byte == 0 else { return byte }
        throw failAt(
            p,
            "invalid escape '\\\(describeRaw(base[p + 1]))' in string; "
                + "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
    }

    /// Decodes the `\u` escape (or surrogate pair of escapes) whose backslash is at `p`;
    /// returns the scalar and the index after it.
    func unicodeEscape(at p: Int) throws(JSONParseError) -> (UInt32, Int) {
        let unit = try hexQuad(at: p + 2)
        let next = p + 6
        if unit >= 0xD800, unit < 0xDC00 {
            guard next + 1 < end, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                throw failAt(
                    p,
                    "unpaired surrogate \\u\(hex4Digits(unit)): a high surrogate must be followed by a \\u low surrogate"
                )
            }
            let low = try hexQuad(at: next + 2)
            guard low >= 0xDC00, low < 0xE000 else {
                throw failAt(
                    next, "unpaired surrogate \\u\(hex4Digits(unit)): \\u\(hex4Digits(low)) is not a low surrogate")
            }
            return (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), next + 6)
        }
        if unit >= 0xDC00, unit < 0xE000 {
            throw failAt(p, "unpaired surrogate \\u\(hex4Digits(unit)): a low surrogate must follow a high surrogate")
        }
        return (unit, next)
    }

    /// Writes `scalar` as UTF-8 at `out`; returns the number of bytes (1 to 4).
    @inline(__always)
    static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | (scalar >> 6))
            out[1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | (scalar >> 12))
            out[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            out[2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            out[0] = UInt8(0xF0 | (scalar >> 18))
            out[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            out[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            out[3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }

    /// The four hex digits at `p` as a code unit.
    func hexQuad(at p: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for i in p..<(p + 4) {
            guard i < end else { throw failAt(end, "unterminated string") }
            let byte = base[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failAt(i, "invalid \\u escape: expected 4 hexadecimal digits, got \(describe(byte))")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The scratch buffer, with room for at least `capacity` bytes; its contents are not kept.
    mutating func scratchBuffer(capacity: Int) -> UnsafeMutablePointer<UInt8> {
        if let scratch, capacity <= scratchCapacity { return scratch }
        scratch?.deallocate()
        scratchCapacity = max(capacity, scratchCapacity * 2, Self.initialScratchCapacity)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchCapacity)
        scratch = buffer
        return buffer
    }
}
