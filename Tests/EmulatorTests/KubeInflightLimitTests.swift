import AssayCore
import TestSupport
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator in-flight limit")
struct KubeInflightLimitTests {
    let configMaps = "/api/v1/namespaces/default/configmaps"

    static func server(readOnly: Int, mutating: Int) -> APIServer {
        var configuration = APIServer.Configuration()
        configuration.inflight = InflightLimit.Limits(readOnly: readOnly, mutating: mutating)
        return APIServer(store: Store(), configuration: configuration)
    }

    @Test("over the limit a request gets kube-apiserver's 429: Retry-After 1 and its plain-text body")
    func refusal() throws {
        let server = Self.server(readOnly: 1, mutating: 1)
        #expect(server.inflight.enter(mutating: false), "a read is in flight")
        let agent = ["user-agent": "assay-operator/1"]
        let refused = EmulatorRequest(method: "GET", target: configMaps, headers: agent)
        guard case .full(let status, let headers, let body) = server.handle(refused) else {
            Issue.record("a refusal is a complete reply")
            return
        }
        #expect(status == 429)
        #expect(headers.contains { $0.0 == "Retry-After" && $0.1 == "1" })
        #expect(headers.contains { $0.0 == "Content-Type" && $0.1 == "text/plain; charset=utf-8" })
        #expect(String(decoding: body, as: UTF8.self) == "Too many requests, please try again later.\n")
        // Writes have their own slots, and watches are long-running: neither is refused.
        #expect(server.call("POST", configMaps, body: KubeObjectFixtures.configMap("a")).status == 201)
        #expect(server.call("GET", configMaps + "?watch=true&timeoutSeconds=1").status == 200)
        server.inflight.leave(mutating: false)
        #expect(server.call("GET", configMaps).status == 200, "the slot is free again")

        let counts = server.call("GET", "/emulator/requests").body
        #expect(counts.at(["tooManyRequests", "total"])?.doubleValue == 1)
        #expect(counts.at(["tooManyRequests", "byAgent", "assay-operator"])?.doubleValue == 1)
        #expect(counts.at(["byVerb", "list"])?.doubleValue == 1, "a refused request is not counted as served")
        #expect(server.call("POST", "/emulator/requests/reset").status == 200)
        #expect(server.call("GET", "/emulator/requests").body.at(["tooManyRequests", "total"])?.doubleValue == 0)
    }

    @Test("with no limit set nothing is refused however many requests are in flight")
    func unlimited() {
        let server = Self.server(readOnly: 0, mutating: 0)
        for _ in 0..<1000 { #expect(server.inflight.enter(mutating: false)) }
        #expect(server.call("GET", configMaps).status == 200)
    }
}
