import AssayCore
import AssayHTTP
import AssayKube
import Foundation
import TestSupport

/// Runs ``KubeDifferentialScript`` against one API server and records, per step, what a client can
/// observe: the status code, the `Status` reason, message and causes (field paths included), and
/// the resulting object with what differs between any two servers (uids, resourceVersions,
/// timestamps) taken out. Two servers agree when their transcripts are equal.
final class KubeDifferentialRunner {
    let server: EmulatorProcess
    /// Makes every resourceVersion seen so far too old to watch from (the emulator forgets its
    /// history; etcd compacts).
    let compact: () async throws -> Void
    private let transport = KubeCurlTransport(timeout: .seconds(30))
    /// Values later steps refer to: `{rv:NAME}`, `{uid:NAME}`, `{continue}`, `{listRV}`.
    private(set) var saved: [String: String] = [:]
    private(set) var transcript: [(step: String, outcome: JSONValue)] = []

    init(server: EmulatorProcess, compact: @escaping () async throws -> Void) {
        self.server = server
        self.compact = compact
    }

    func run(_ steps: [KubeDifferentialScript.Step]) async throws {
        for step in steps {
            let outcome: JSONValue
            switch step.action {
            case .request(let method, let path, let contentType, let body):
                outcome = try await request(
                    method, substitute(path), contentType: contentType, body: body.map(substitute))
            case .watch(let path, let until):
                outcome = try await watch(substitute(path), until: until)
            case .compact:
                try await compact()
                outcome = "compacted"
            }
            transcript.append((step.name, outcome))
        }
    }

    private func substitute(_ text: String) -> String {
        var text = text
        for (key, value) in saved { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
        return text
    }

    private func request(_ method: String, _ path: String, contentType: String?, body: String?) async throws
        -> JSONValue
    {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/json"), ("User-Agent", "differential/1.0"),
        ]
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = try await transport.send(
            ClientRequest(method: method, url: server.baseURL + path, headers: headers, body: Array((body ?? "").utf8)))
        let json = (try? JSONParser.parse(response.body)) ?? .string(String(decoding: response.body, as: UTF8.self))
        remember(json)
        return Self.summary(status: response.status, json)
    }

    /// Keeps what later steps refer to: each object's resourceVersion and uid by name, a list's
    /// continue token and resourceVersion.
    private func remember(_ json: JSONValue) {
        if let name = json["metadata"]?["name"]?.stringValue {
            saved["rv:\(name)"] = json["metadata"]?["resourceVersion"]?.stringValue
            saved["uid:\(name)"] = json["metadata"]?["uid"]?.stringValue
        }
        if json["items"] != nil {
            saved["continue"] = json["metadata"]?["continue"]?.stringValue ?? ""
            saved["listRV"] = json["metadata"]?["resourceVersion"]?.stringValue
        }
    }

    /// Opens a watch, runs `until` (a write that makes an event, or nothing), and reads events until
    /// the server ends the stream (`timeoutSeconds`) or an error event arrives.
    private func watch(_ path: String, until action: KubeDifferentialScript.Step.Action?) async throws -> JSONValue {
        let open = ClientRequest(
            method: "GET", url: server.baseURL + path, headers: [("Accept", "application/json")],
            timeout: .seconds(20))
        let response = try await transport.stream(open)
        guard response.status == 200 else {
            let body = try await response.collect(limit: 1 << 20)
            return [
                "watchStatus": .number(Double(response.status)),
                "error": Self.summary(status: response.status, (try? JSONParser.parse(body)) ?? .null),
            ]
        }
        if case .request(let method, let path, let contentType, let body) = action {
            _ = try await request(method, substitute(path), contentType: contentType, body: body.map(substitute))
        }
        var events: [JSONValue] = []
        for try await line in response.lines() {
            guard let event = try? JSONParser.parse(line) else { continue }
            let type = event["type"]?.stringValue ?? ""
            if type == "ERROR" {
                let status = event["object"] ?? .null
                events.append([
                    "type": "ERROR", "status": Self.summary(status: Int(status["code"]?.doubleValue ?? 0), status),
                ])
                break
            }
            let object = event["object"] ?? .null
            var entry = JSONObject([("type", .string(type))])
            if type == "BOOKMARK" {
                let annotations = object["metadata"]?["annotations"]?.objectValue
                entry["initialEventsEnd"] = .bool(annotations?["k8s.io/initial-events-end"] == "true")
            } else {
                entry["name"] = object["metadata"]?["name"] ?? .null
            }
            // The real server sends a bookmark about once a minute and two seconds before a watch times
            // out; how many arrive within a few seconds is timing, so runs of them count once.
            if type == "BOOKMARK", events.last?["type"] == "BOOKMARK", entry["initialEventsEnd"] == false { continue }
            events.append(.object(entry))
        }
        return ["watchStatus": 200, "events": .array(events)]
    }

    // MARK: Normalising

    static func summary(status: Int, _ json: JSONValue) -> JSONValue {
        var out = JSONObject([("code", .number(Double(status)))])
        if json["kind"] == "Status" {
            out["reason"] = json["reason"] ?? .null
            out["message"] = .string(normalise(message: json["message"]?.stringValue ?? ""))
            let causes = (json["details"]?["causes"]?.arrayValue ?? []).map { cause -> JSONValue in
                [
                    "field": cause["field"] ?? .null, "reason": cause["reason"] ?? .null,
                    "message": .string(normalise(message: cause["message"]?.stringValue ?? "")),
                ]
            }
            if !causes.isEmpty {
                out["causes"] = .array(causes.sorted { JSONWriter.string($0) < JSONWriter.string($1) })
            }
        } else if let items = json["items"]?.arrayValue {
            out["items"] = .array(items.map { $0["metadata"]?["name"] ?? .null })
            out["continue"] = .bool(!(json["metadata"]?["continue"]?.stringValue ?? "").isEmpty)
            out["remainingItemCount"] = json["metadata"]?["remainingItemCount"] ?? .null
        } else if json["metadata"] != nil {
            out["object"] = normalise(object: json)
        }
        return .object(out)
    }

    /// Numbers in messages are resourceVersions (`too old resource version: 12 (40)`), and UIDs differ.
    static func normalise(message: String) -> String {
        message.replacing(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, with: "UID")
            .replacing(/[0-9]+/, with: "N")
    }

    static func normalise(object: JSONValue) -> JSONValue {
        var object = object
        guard case .object(var metadata) = object["metadata"] ?? .null else { return object }
        for key in ["uid", "resourceVersion", "creationTimestamp", "selfLink"] { metadata[key] = nil }
        if metadata["deletionTimestamp"] != nil { metadata["deletionTimestamp"] = "set" }
        if let fields = metadata["managedFields"]?.arrayValue {
            // Entries are ordered by time to the second, which two runs need not share.
            let entries = fields.map { entry -> JSONValue in
                guard case .object(var entry) = entry else { return entry }
                entry["time"] = nil
                return .object(entry)
            }
            func key(_ entry: JSONValue) -> [String] {
                ["manager", "operation", "subresource"].map { entry[$0]?.stringValue ?? "" }
            }
            metadata["managedFields"] = .array(entries.sorted { key($0).lexicographicallyPrecedes(key($1)) })
        }
        if case .object(var whole) = object {
            whole["metadata"] = .object(metadata)
            object = .object(whole)
        }
        return object
    }
}
