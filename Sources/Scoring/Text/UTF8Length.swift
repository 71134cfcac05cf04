/// Code point counts of strings from their UTF-8, without decoding.
public enum UTF8Length {
    /// The number of Unicode scalars in `text`: its UTF-8 bytes that are not continuation bytes
    /// (`0b10xxxxxx`), counted eight at a time. Equal to `text.unicodeScalars.count`.
    public static func scalarCount(_ text: String) -> Int {
        if let count = text.utf8.withContiguousStorageIfAvailable(scalarCount) { return count }
        return text.unicodeScalars.count
    }

    /// The number of bytes of valid UTF-8 `bytes` that start a scalar.
    public static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var continuation = 0
        var i = 0
        let count = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i &+ 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                // High bit set and the bit below it clear: 0b10xxxxxx.
                continuation &+= (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                i &+= 8
            }
        }
        while i < count {
            if bytes[i] & 0xC0 == 0x80 { continuation &+= 1 }
            i &+= 1
        }
        return count - continuation
    }
}
