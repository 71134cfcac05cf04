import AssayCore

extension VerdictStatus {
    /// A cluster run against its `spec.baseline`, as the status carries it (and the `Regressed`
    /// condition says it).
    public struct Baseline: Sendable, Hashable {
        /// Newly failing case ids listed per target. (The same bound as the status's failing cases.)
        public static let maxNewlyFailing = SuiteProgress.maxFailingCases

        public struct Target: Sendable, Hashable {
            public var name: String
            public var regressed: Bool
            /// "small: 90.0% -> 55.0%, -35.0 pp [-52.6, -11.7], one-sided p = 0.020, regressed".
            public var summary: String
            public var newlyFailing: [String]
        }

        /// What the run was compared with: "suite nightly run <id>", "ConfigMap baselines key k".
        public var source: String
        /// Whether a target regressed; nil when the baseline could not be read (`message` says why).
        public var regressed: Bool?
        public var message: String
        public var targets: [Target]

        public init(source: String, regressed: Bool?, message: String, targets: [Target] = []) {
            self.source = source
            self.regressed = regressed
            self.message = message
            self.targets = targets
        }

        package init(_ verdict: BaselineVerdict, source: String) {
            let targets = verdict.targets.map {
                Target(
                    name: $0.name, regressed: $0.regressed, summary: VerdictText.baseline($0),
                    newlyFailing: Array($0.newlyFailing.prefix(Self.maxNewlyFailing)))
            }
            let compared =
                targets.isEmpty
                ? "no target of this run is in the baseline" : targets.map(\.summary).joined(separator: "; ")
            self.init(
                source: source, regressed: verdict.regressed, message: "Against \(source): \(compared)",
                targets: targets)
        }

        var json: JSONValue {
            var members: [(String, JSONValue)] = [("source", .string(source))]
            if let regressed { members.append(("regressed", .bool(regressed))) }
            members.append(("message", .string(message)))
            members.append(
                (
                    "targets",
                    .array(
                        targets.map {
                            [
                                "name": .string($0.name), "regressed": .bool($0.regressed),
                                "summary": .string($0.summary),
                                "newlyFailing": .array($0.newlyFailing.map(JSONValue.string)),
                            ]
                        })
                ))
            return .object(JSONObject(members))
        }

        init?(json: JSONValue) {
            guard let source = json["source"]?.stringValue else { return nil }
            self.init(
                source: source, regressed: json["regressed"]?.boolValue, message: json["message"]?.stringValue ?? "",
                targets: (json["targets"]?.arrayValue ?? []).compactMap { item in
                    guard let name = item["name"]?.stringValue else { return nil }
                    return Target(
                        name: name, regressed: item["regressed"]?.boolValue ?? false,
                        summary: item["summary"]?.stringValue ?? "",
                        newlyFailing: (item["newlyFailing"]?.arrayValue ?? []).compactMap(\.stringValue))
                })
        }

        static var structuralSchema: JSONValue {
            SpecSchema.object(
                [
                    ("source", SpecSchema.string()), ("regressed", ["type": "boolean"]),
                    ("message", SpecSchema.string()),
                    (
                        "targets",
                        SpecSchema.array(
                            SpecSchema.object(
                                [
                                    ("name", SpecSchema.string()), ("regressed", ["type": "boolean"]),
                                    ("summary", SpecSchema.string()),
                                    ("newlyFailing", SpecSchema.array(SpecSchema.string())),
                                ], required: ["name"]))
                    ),
                ], required: ["source"],
                description:
                    "This run against spec.baseline: McNemar's one-sided exact test per target (with repeats on either side, the one-sided paired test over per-case pass fractions)."
            )
        }
    }
}
