/// Why a document is not valid JSON, and where: the byte offset plus the line and column a
/// person would look at in an editor.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset (from 0) of the first byte that could not be accepted; the input's length
    /// when the document ended too early.
    public var offset: Int
    /// Line number, from 1; lines end at `\n`.
    public var line: Int
    /// Column, from 1, counted in Unicode code points from the start of the line.
    public var column: Int
    public var reason: String

    public init(offset: Int, line: Int, column: Int, reason: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// Locates `offset` inside `bytes`; only called once a document has been rejected, so
    /// the scan costs nothing on the success path.
    init(reason: String, offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        var column = 1
        for i in lineStart..<end where bytes[i] & 0xC0 != 0x80 {
            column += 1
        }
        self.init(offset: offset, line: line, column: column, reason: reason)
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}
