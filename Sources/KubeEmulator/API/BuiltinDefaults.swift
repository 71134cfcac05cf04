import AssayCore

/// The defaults the real API server fills in for the built-ins where clients read them back:
/// Services (type, cluster IP, port protocol and target port) and Deployments (replicas, strategy,
/// history limit, progress deadline).
enum BuiltinDefaults {
    /// The emulator hands out cluster IPs from the default service range 10.96.0.0/12, in order.
    static func clusterIP(serial: UInt64) -> String {
        let n = serial % (1 << 20)
        return "10.\(96 + n >> 16).\((n >> 8) & 255).\(max(1, n & 255))"
    }

    static func apply(_ type: ResourceType, object: JSONValue, serial: UInt64) -> JSONValue {
        var object = object
        switch (type.group, type.plural) {
        case ("", "services"):
            if object.at(["spec", "type"]) == nil { object.set(["spec", "type"], "ClusterIP") }
            if object.at(["spec", "sessionAffinity"]) == nil { object.set(["spec", "sessionAffinity"], "None") }
            let headless = object.at(["spec", "clusterIP"])?.stringValue == "None"
            if object.at(["spec", "type"]) != "ExternalName", !headless,
                (object.at(["spec", "clusterIP"])?.stringValue ?? "").isEmpty
            {
                let ip = clusterIP(serial: serial)
                object.set(["spec", "clusterIP"], .string(ip))
                object.set(["spec", "clusterIPs"], [.string(ip)])
            }
            if let ports = object.at(["spec", "ports"])?.arrayValue {
                object.set(
                    ["spec", "ports"],
                    .array(
                        ports.map { port in
                            var port = port
                            if port["protocol"] == nil { port.set(["protocol"], "TCP") }
                            if port["targetPort"] == nil, let number = port["port"] { port.set(["targetPort"], number) }
                            return port
                        }))
            }
        case ("apps", "deployments"):
            if object.at(["spec", "replicas"]) == nil { object.set(["spec", "replicas"], 1) }
            if object.at(["spec", "revisionHistoryLimit"]) == nil { object.set(["spec", "revisionHistoryLimit"], 10) }
            if object.at(["spec", "progressDeadlineSeconds"]) == nil {
                object.set(["spec", "progressDeadlineSeconds"], 600)
            }
            if object.at(["spec", "strategy"]) == nil {
                object.set(
                    ["spec", "strategy"],
                    ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
            }
        default: break
        }
        return object
    }
}
