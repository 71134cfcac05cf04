import Testing

@testable import Operator

@Suite("assay-operator run flags")
struct ControllerCommandTests {
    static func settings(_ arguments: [String], _ environment: [String: String] = [:]) throws
        -> ControllerCommand
        .Settings
    {
        try ControllerCommand.settings(
            try ControllerCommand.parser().parse(arguments, environment: environment), environment: environment)
    }

    @Test("defaults are controller-runtime's Lease timings and the in-cluster Redis")
    func defaults() throws {
        let settings = try Self.settings([])
        #expect(settings.election.leaseDuration == .seconds(15))
        #expect(settings.election.renewDeadline == .seconds(10))
        #expect(settings.election.retryPeriod == .seconds(2))
        #expect(settings.config.redisURL == OperatorConfig.defaultRedisURL)
        #expect(settings.healthPort == 8081)
        #expect(!settings.leaderElect)
        #expect(settings.namespace == nil)
    }

    @Test("every flag can come from an ASSAY_ environment variable")
    func environment() throws {
        let settings = try Self.settings(
            [],
            [
                "ASSAY_KUBECONFIG": "/k", "ASSAY_REDIS_URL": "redis://r:1", "ASSAY_NAMESPACE": "team",
                "ASSAY_LEADER_ELECT": "true", "ASSAY_LEASE_DURATION_SECONDS": "4", "ASSAY_RENEW_DEADLINE_SECONDS": "3",
                "ASSAY_RETRY_PERIOD_SECONDS": "0.5", "POD_NAME": "op-0",
            ])
        #expect(settings.kubeconfig == "/k")
        #expect(settings.config.redisURL == "redis://r:1")
        #expect(settings.namespace == "team")
        #expect(settings.controller.namespace == "team")
        #expect(settings.leaderElect)
        #expect(settings.election.retryPeriod == .milliseconds(500))
        #expect(settings.identity.hasPrefix("op-0_"))
    }

    @Test(
        "bad flags are refused with the flag's name",
        arguments: [
            (["--redis", "http://x"], "--redis"),
            (["--lease-duration-seconds", "5", "--renew-deadline-seconds", "10"], "--renew-deadline-seconds"),
            (["--workers", "0"], "--workers"),
            (["--health-port", "70000"], "--health-port"),
            (["--resync-seconds", "-1"], "--resync-seconds"),
        ])
    func refused(arguments: [String], flag: String) {
        let outcome = OperatorCommand.run(["run"] + arguments, environment: [:])
        #expect(outcome.status == OperatorCommand.usageStatus)
        #expect(outcome.error.contains(flag), "\(outcome.error)")
    }

    @Test("run --help lists the flags")
    func help() {
        let outcome = OperatorCommand.run(["run", "--help"], environment: [:])
        #expect(outcome.status == 0)
        for flag in ["--kubeconfig", "--redis", "--namespace", "--leader-elect", "ASSAY_REDIS_URL"] {
            #expect(outcome.output.contains(flag))
        }
    }
}
