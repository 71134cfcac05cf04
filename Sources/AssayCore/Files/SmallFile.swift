import Glibc

/// Reads small files (keys, tokens) with a size limit, straight through `read(2)`.
package enum SmallFile {
    /// The file's bytes, or `nil` when it cannot be opened or read, or holds more than `limit` bytes
    /// (a secret or token file is small; a large one is a mistake, never read into memory whole).
    package static func read(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
        return nil
    }
}
