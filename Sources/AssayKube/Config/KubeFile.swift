import Foundation

/// File and base64 helpers shared by the configuration loaders; errors name the file and what
/// it was for, never its contents.
enum KubeFile {
    static func read(_ path: String, purpose: String) throws(KubeError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("cannot read the \(purpose) file \(path): missing or not readable")
        }
        return [UInt8](data)
    }

    /// `text` without leading and trailing whitespace and newlines.
    static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func base64(_ text: String, field: String) throws(KubeError) -> [UInt8] {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw .configuration("\(field) is not valid base64")
        }
        return [UInt8](data)
    }

    /// `path` made absolute against `directory` (kubeconfig paths are relative to their file).
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : "\(directory)/\(path)"
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
