import AssayCore
import Suites

/// A `metav1.Condition`: the shape every Kubernetes API uses for conditions, so `kubectl wait
/// --for=condition=Ready` and dashboards read ours like any other.
struct Condition: Sendable, Hashable {
    enum Status: String, Sendable, Hashable {
        case isTrue = "True"
        case isFalse = "False"
        case unknown = "Unknown"
    }

    var type: String
    var status: Status
    var observedGeneration: Int?
    /// RFC 3339; changes only when `status` does.
    var lastTransitionTime: String
    /// CamelCase, machine-readable.
    var reason: String
    var message: String

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("type", .string(type)), ("status", .string(status.rawValue))]
        if let observedGeneration { members.append(("observedGeneration", .number(Double(observedGeneration)))) }
        members += [
            ("lastTransitionTime", .string(lastTransitionTime)), ("reason", .string(reason)),
            ("message", .string(message)),
        ]
        return .object(JSONObject(members))
    }

    init(
        type: String, status: Status, observedGeneration: Int? = nil, lastTransitionTime: String, reason: String,
        message: String
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }

    init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue, let status = json["status"]?.stringValue.flatMap(Status.init)
        else { return nil }
        self.init(
            type: type, status: status, observedGeneration: json["observedGeneration"]?.doubleValue.map { Int($0) },
            lastTransitionTime: json["lastTransitionTime"]?.stringValue ?? "",
            reason: json["reason"]?.stringValue ?? "", message: json["message"]?.stringValue ?? "")
    }

    /// metav1.Condition's limits: reason up to 1024 characters, message up to 32768.
    static var listSchema: JSONValue {
        let condition = SpecSchema.object(
            [
                ("type", ["type": "string", "maxLength": 316, "minLength": 1]),
                ("status", SuiteStatus.enumeration(["True", "False", "Unknown"])),
                ("observedGeneration", SpecSchema.integer(minimum: 0)),
                ("lastTransitionTime", SuiteStatus.dateTime),
                ("reason", ["type": "string", "maxLength": 1024, "minLength": 1]),
                ("message", ["type": "string", "maxLength": 32768]),
            ], required: ["type", "status", "lastTransitionTime", "reason", "message"])
        return [
            "type": "array", "items": condition, "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["type"],
        ]
    }
}

/// The suite's conditions kept as a set by type, with transition times moved only on change
/// (controller-runtime's `meta.SetStatusCondition` semantics).
enum Conditions {
    /// The run finished and every target reached `passThreshold` (what `kubectl wait` gates on).
    static let ready = "Ready"
    /// A run is going on.
    static let progressing = "Progressing"
    /// Something needs attention: an invalid spec, or a provider's circuit is open.
    static let degraded = "Degraded"
    /// The finished run against `spec.baseline`: True when a target is significantly worse
    /// (`kubectl wait --for=condition=Regressed=false` gates on it), Unknown when the baseline
    /// could not be read.
    static let regressed = "Regressed"

    static func set(_ condition: Condition, in list: [Condition]) -> [Condition] {
        var result = list
        guard let index = result.firstIndex(where: { $0.type == condition.type }) else {
            return result + [condition]
        }
        var updated = condition
        if result[index].status == condition.status {
            updated.lastTransitionTime = result[index].lastTransitionTime
        }
        result[index] = updated
        return result
    }
}
