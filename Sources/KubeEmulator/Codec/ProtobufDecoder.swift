import AssayCore
import Foundation

/// Decodes the few protobuf bodies kubectl's typed clients send (`kubectl create namespace`,
/// `kubectl create configmap`, `kubectl create secret`, `kubectl create serviceaccount`,
/// `kubectl create token`, `kubectl create rolebinding` and `clusterrolebinding`) into the JSON form. Kubernetes wraps them in
/// the `k8s\0` envelope around a `runtime.Unknown`; the message field numbers are those of the
/// published `generated.proto` files for `ObjectMeta`, `Namespace`, `ConfigMap`, `Secret` and
/// the RBAC bindings.
/// Other kinds answer 415, which tells the client to use JSON (`kubectl apply` always does).
enum ProtobufDecoder {
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func varint() throws(APIError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw .badRequest("truncated protobuf varint")
        }

        /// The next (field number, wire type, payload) triple; payload is the bytes of length-delimited
        /// fields and empty for others (their varint is returned in `value`).
        mutating func field() throws(APIError) -> (number: Int, bytes: [UInt8], value: UInt64)? {
            guard index < bytes.count else { return nil }
            let key = try varint()
            switch key & 7 {
            case 0: return (Int(key >> 3), [], try varint())
            case 2:
                let length = Int(try varint())
                guard index + length <= bytes.count else { throw .badRequest("truncated protobuf field") }
                defer { index += length }
                return (Int(key >> 3), Array(bytes[index..<index + length]), 0)
            case 1:
                index += 8
                return (Int(key >> 3), [], 0)
            case 5:
                index += 4
                return (Int(key >> 3), [], 0)
            default: throw .badRequest("unsupported protobuf wire type \(key & 7)")
            }
        }
    }

    private static func fields(_ bytes: [UInt8]) throws(APIError) -> [(number: Int, bytes: [UInt8], value: UInt64)] {
        var reader = Reader(bytes: bytes)
        var out: [(number: Int, bytes: [UInt8], value: UInt64)] = []
        while let field = try reader.field() { out.append(field) }
        return out
    }

    private static func text(_ bytes: [UInt8]) -> JSONValue { .string(String(decoding: bytes, as: UTF8.self)) }

    /// Proto2 writes optional strings even when empty; JSON omits them.
    private static func nonEmpty(_ bytes: [UInt8]) -> JSONValue? { bytes.isEmpty ? .none : text(bytes) }

    /// A `map<string, string>` (or bytes, base64-encoded as JSON has it) entry.
    private static func mapEntry(_ bytes: [UInt8], base64: Bool) throws(APIError) -> (String, JSONValue) {
        var key = ""
        var value: [UInt8] = []
        for field in try fields(bytes) {
            if field.number == 1 { key = String(decoding: field.bytes, as: UTF8.self) }
            if field.number == 2 { value = field.bytes }
        }
        return (key, base64 ? .string(Data(value).base64EncodedString()) : text(value))
    }

    private static func objectMeta(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        var meta = JSONObject()
        var labels = JSONObject()
        var annotations = JSONObject()
        var finalizers: [JSONValue] = []
        for field in try fields(bytes) {
            switch field.number {
            case 1: meta["name"] = nonEmpty(field.bytes)
            case 2: meta["generateName"] = nonEmpty(field.bytes)
            case 3: meta["namespace"] = nonEmpty(field.bytes)
            case 6: meta["resourceVersion"] = nonEmpty(field.bytes)
            case 11:
                let (k, v) = try mapEntry(field.bytes, base64: false)
                labels[k] = v
            case 12:
                let (k, v) = try mapEntry(field.bytes, base64: false)
                annotations[k] = v
            case 14: finalizers.append(text(field.bytes))
            default: break
            }
        }
        if !labels.isEmpty { meta["labels"] = .object(labels) }
        if !annotations.isEmpty { meta["annotations"] = .object(annotations) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        return .object(meta)
    }

    static func decode(_ body: [UInt8]) throws(APIError) -> JSONValue {
        guard body.count >= 4, Array(body[0..<4]) == magic else {
            throw .badRequest("protobuf body without the k8s envelope")
        }
        var apiVersion = ""
        var kind = ""
        var raw: [UInt8] = []
        for field in try fields(Array(body[4...])) {
            if field.number == 1 {
                for typeField in try fields(field.bytes) {
                    if typeField.number == 1 { apiVersion = String(decoding: typeField.bytes, as: UTF8.self) }
                    if typeField.number == 2 { kind = String(decoding: typeField.bytes, as: UTF8.self) }
                }
            }
            if field.number == 2 { raw = field.bytes }
        }
        var object = JSONObject([("apiVersion", .string(apiVersion)), ("kind", .string(kind))])
        var data = JSONObject()
        var other = JSONObject()
        switch (apiVersion, kind) {
        case ("v1", "Namespace"), ("v1", "ServiceAccount"):
            for field in try fields(raw) where field.number == 1 { object["metadata"] = try objectMeta(field.bytes) }
        case ("authentication.k8s.io/v1", "TokenRequest"):
            // `kubectl create token`: spec.audiences (1) and spec.expirationSeconds (4).
            var spec = JSONObject()
            for field in try fields(raw) where field.number == 2 {
                var audiences: [JSONValue] = []
                for specField in try fields(field.bytes) {
                    if specField.number == 1 { audiences.append(text(specField.bytes)) }
                    if specField.number == 4 { spec["expirationSeconds"] = .number(Double(specField.value)) }
                }
                spec["audiences"] = .array(audiences)
            }
            object["spec"] = .object(spec)
        case ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"):
            // metadata (1), subjects (2: kind 1, apiGroup 2, name 3, namespace 4), roleRef (3: apiGroup 1, kind 2, name 3).
            var subjects: [JSONValue] = []
            for field in try fields(raw) {
                switch field.number {
                case 1: object["metadata"] = try objectMeta(field.bytes)
                case 2:
                    var subject = JSONObject()
                    for part in try fields(field.bytes) {
                        let names = [1: "kind", 2: "apiGroup", 3: "name", 4: "namespace"]
                        if let name = names[part.number] { subject[name] = nonEmpty(part.bytes) }
                    }
                    subjects.append(.object(subject))
                case 3:
                    var roleRef = JSONObject()
                    for part in try fields(field.bytes) {
                        let names = [1: "apiGroup", 2: "kind", 3: "name"]
                        if let name = names[part.number] { roleRef[name] = nonEmpty(part.bytes) }
                    }
                    object["roleRef"] = .object(roleRef)
                default: break
                }
            }
            object["subjects"] = .array(subjects)
        case ("v1", "ConfigMap"):
            for field in try fields(raw) {
                switch field.number {
                case 1: object["metadata"] = try objectMeta(field.bytes)
                case 2:
                    let (k, v) = try mapEntry(field.bytes, base64: false)
                    data[k] = v
                case 3:
                    let (k, v) = try mapEntry(field.bytes, base64: true)
                    other[k] = v
                case 4: object["immutable"] = .bool(field.value != 0)
                default: break
                }
            }
            if !data.isEmpty { object["data"] = .object(data) }
            if !other.isEmpty { object["binaryData"] = .object(other) }
        case ("v1", "Secret"):
            for field in try fields(raw) {
                switch field.number {
                case 1: object["metadata"] = try objectMeta(field.bytes)
                case 2:
                    let (k, v) = try mapEntry(field.bytes, base64: true)
                    data[k] = v
                case 3: object["type"] = nonEmpty(field.bytes)
                case 4:
                    let (k, v) = try mapEntry(field.bytes, base64: false)
                    other[k] = v
                case 5: object["immutable"] = .bool(field.value != 0)
                default: break
                }
            }
            if !data.isEmpty { object["data"] = .object(data) }
            if !other.isEmpty { object["stringData"] = .object(other) }
        default:
            throw .unsupportedMediaType("application/vnd.kubernetes.protobuf")
        }
        return .object(object)
    }
}
