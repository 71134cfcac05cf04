import AssayCore
import Foundation

/// The static token file of kube-apiserver's `--token-auth-file`: CSV lines
/// `token,user[,uid[,"group1,group2"]]`. Blank lines and lines starting with `#` are skipped.
///
/// A token is looked up by comparing it with every entry in constant time (no early exit on the
/// first differing byte or the first matching entry), so response times say nothing about how
/// close a guess was. No message ever contains a token.
public struct StaticTokenFile: Sendable {
    struct Entry: Sendable {
        var token: [UInt8]
        var user: UserInfo
    }

    let entries: [Entry]

    public var count: Int { entries.count }

    /// Parses the file's text; `source` names it in errors.
    public static func parse(_ text: String, source: String) throws(TokenFileError) -> StaticTokenFile {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.records(text, source: source)
        } catch {
            throw TokenFileError(description: error.description)
        }
        var entries: [Entry] = []
        var lines: [Int] = []
        for record in records {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.allSatisfy(\.isEmpty) || fields[0].hasPrefix("#") { continue }
            func invalid(_ message: String) -> TokenFileError {
                TokenFileError(description: "\(source):\(record.line): \(message)")
            }
            guard (2...4).contains(fields.count) else {
                throw invalid(
                    "has \(fields.count) columns; expected token,user[,uid[,\"group1,group2\"]] (kube-apiserver's static token format)"
                )
            }
            guard !fields[0].isEmpty else { throw invalid("the token is empty") }
            guard !fields[1].isEmpty else { throw invalid("the user name is empty") }
            let token = Array(fields[0].utf8)
            if let earlier = entries.firstIndex(where: { Self.constantTimeEquals(token, $0.token) }) {
                throw invalid("repeats the token of line \(lines[earlier]); each token names one user")
            }
            let uid = fields.count > 2 && !fields[2].isEmpty ? fields[2] : nil
            let groups =
                fields.count > 3
                ? fields[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                : []
            entries.append(Entry(token: token, user: UserInfo(username: fields[1], uid: uid, groups: groups)))
            lines.append(record.line)
        }
        guard !entries.isEmpty else { throw TokenFileError(description: "\(source): has no tokens") }
        return StaticTokenFile(entries: entries)
    }

    /// The user whose token `presented` is; every entry is compared, matched or not.
    public func user(for presented: String) -> UserInfo? {
        let bytes = Array(presented.utf8)
        var found: UserInfo?
        for entry in entries where Self.constantTimeEquals(bytes, entry.token) {
            found = entry.user
        }
        return found
    }

    /// Compares in time that depends only on `secret`'s length.
    static func constantTimeEquals(_ presented: [UInt8], _ secret: [UInt8]) -> Bool {
        var difference = UInt64(truncatingIfNeeded: presented.count ^ secret.count)
        if presented.isEmpty { return false }
        for index in secret.indices {
            difference |= UInt64(presented[index % presented.count] ^ secret[index])
        }
        return difference == 0
    }
}

/// Why a static token file cannot be used; names the file and line, never a token.
public struct TokenFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}
