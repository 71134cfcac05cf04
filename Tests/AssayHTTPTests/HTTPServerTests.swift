import AssayCore
import Foundation
import Glibc
import TestSupport
import Testing

@testable import AssayHTTP

@Suite("HTTP server over loopback sockets")
struct HTTPServerTests {
    @Test("a keep-alive connection serves several requests in turn")
    func keepAliveReuse() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            for index in 0..<3 {
                client.send("GET /items/\(index) HTTP/1.1\r\nHost: test\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "item \(index)")
                #expect(response.header("Connection") == nil)
                #expect(response.header("Date") != nil)
            }
        }
    }

    @Test("pipelined requests are answered in request order even when the first is slowest")
    func pipelinedInOrder() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send(
                "GET /sleep?50 HTTP/1.1\r\nHost: t\r\n\r\nGET /path?b HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /sleep?1 HTTP/1.1\r\nHost: t\r\n\r\n")
            let bodies = try (0..<3).map { _ in try client.readResponse().text }
            #expect(bodies == ["/sleep?50", "/path?b", "/sleep?1"])
        }
    }

    @Test("a chunked request body with extensions and trailers is decoded")
    func chunkedBody() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send(
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello world")
        }
    }

    @Test("a large body is read whole and echoed back through partial writes")
    func largeBody() async throws {
        var configuration = testConfiguration
        configuration.maxBodyBytes = 4 * 1024 * 1024
        // Built before connecting: the server closes a connection that sends nothing within the header timeout.
        let body = [UInt8](unsafeUninitializedCapacity: 3 * 1024 * 1024) { buffer, count in
            for index in 0..<buffer.count { buffer[index] = UInt8(truncatingIfNeeded: index % 251) }
            count = buffer.count
        }
        try await withServer(configuration) { _, port in
            let client = try RawHTTPClient(port: port)
            client.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.body == body)
        }
    }

    @Test("large bodies of changing sizes on one connection, pipelined or not, are each received whole")
    func largeBodiesInTurn() async throws {
        var configuration = testConfiguration
        configuration.maxBodyBytes = 2 * 1024 * 1024
        // Sizes that shrink and grow exercise recycled storage; the pipelined pair puts the next request's head
        // in the same reads as the end of a body that is received in place.
        let bodies = [300_000, 1_000_000, 200_000, 1_000_001, 20_000].enumerated().map { seed, size in
            (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
        }
        func post(_ body: [UInt8]) -> [UInt8] {
            Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        }
        try await withServer(configuration) { _, port in
            let client = try RawHTTPClient(port: port)
            for body in bodies.prefix(3) {
                client.send(post(body))
                #expect(try client.readResponse().body == body)
            }
            client.send(post(bodies[3]) + post(bodies[4]) + Array("GET /items/7 HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
            #expect(try client.readResponse().body == bodies[3])
            #expect(try client.readResponse().body == bodies[4])
            #expect(try client.readResponse().text == "item 7")
        }
    }

    @Test(
        "requests over a limit get the limit's status as problem+json and the connection is closed",
        arguments: [
            ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n", 413, "maxBodyBytes"),
            (
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n"
                    + String(
                        repeating: "a", count: 1024) + "\r\n1\r\n", 413, "maxBodyBytes"
            ),
            (
                "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 600) + "\r\n\r\n", 431,
                "maxHeaderBytes"
            ),
            (
                "GET /hello HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X-A: 1\r\n", count: 9) + "\r\n", 431,
                "maxHeaderCount"
            ),
            ("GET /" + String(repeating: "u", count: 100) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414, "maxURLLength"),
        ])
    func limits(request: String, status: Int, limitName: String) async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send(request)
            let response = try client.readResponse()
            #expect(response.status == status)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.text.contains(limitName))
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test(
        "malformed requests get 400 and the connection is closed",
        arguments: [
            "GET /hello HTTP/1.1\nHost: t\n\n",
            "GET /hello HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
            "GET /hello HTTP/1.1\r\nHost : t\r\n\r\n",
            "GET /hello HTTP/1.1\r\n\r\n",
            "GET  /hello HTTP/1.1\r\nHost: t\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ])
    func malformed(request: String) async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send(request)
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(client.waitForClose())
        }
    }

    @Test("a client trickling its head is cut off by the header deadline, not kept alive per byte")
    func slowlorisHeaderDeadline() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            let start = ContinuousClock.now
            client.send("GET /hello HTTP/1.1\r\nHost: t\r\n")
            // One byte every 20 ms would last 2 s; the 300 ms head deadline must end it long before.
            var answered = false
            for _ in 0..<100 where !answered {
                client.send("X")
                answered = client.waitReadable(milliseconds: 20)
            }
            #expect(answered)
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(client.waitForClose())
            #expect(ContinuousClock.now - start < .milliseconds(1500))
        }
    }

    @Test("a body that stops arriving gets 408 after the body deadline")
    func bodyTimeout() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.text.contains("bodyTimeout"))
            #expect(client.waitForClose())
        }
    }

    @Test("an idle keep-alive connection is closed after the idle timeout")
    func idleTimeout() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            let start = ContinuousClock.now
            #expect(client.waitForClose())
            #expect(ContinuousClock.now - start < .seconds(2))
        }
    }

    @Test("a connection that never sends a request is closed after the header timeout")
    func silentConnection() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            #expect(client.waitForClose())
        }
    }

    @Test("unknown paths get 404 and known paths with another method 405 with Allow")
    func notFoundAndMethodNotAllowed() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
            let notFound = try client.readResponse()
            #expect(notFound.status == 404)
            #expect(notFound.header("Content-Type") == "application/problem+json")
            client.send("PUT /items/7 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            let notAllowed = try client.readResponse()
            #expect(notAllowed.status == 405)
            #expect(notAllowed.header("Allow") == "DELETE, GET, HEAD")
            #expect(notAllowed.text.contains("\"status\":405"))
        }
    }

    @Test("HEAD runs the GET route and sends its Content-Length without the body")
    func headRequest() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try client.readResponse(forHead: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "5")
            // The next response starts right after the head: no body bytes were sent in between.
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test("Expect: 100-continue gets 100 Continue before the body is sent")
    func expectContinue() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            #expect(try client.readRaw(25) == "HTTP/1.1 100 Continue\r\n\r\n")
            client.send("ping")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "ping")
        }
    }

    @Test("Expect: 100-continue with a body over the limit gets 413 without sending the body")
    func expectContinueTooLarge() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
            #expect(try client.readResponse().status == 413)
        }
    }

    @Test("HTTP/1.0 closes after the response unless the client asks for keep-alive")
    func http10() async throws {
        try await withServer { _, port in
            let keepAlive = try RawHTTPClient(port: port)
            keepAlive.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keepAlive.readResponse().header("Connection") == "keep-alive")
            keepAlive.send("GET /hello HTTP/1.0\r\n\r\n")
            let last = try keepAlive.readResponse()
            #expect(last.text == "hello")
            #expect(last.header("Connection") == "close")
            #expect(keepAlive.waitForClose())
        }
    }

    @Test("Connection: close is honoured and echoed")
    func connectionClose() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            #expect(try client.readResponse().header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test("a handler waiting on something slow does not block another connection on the same loop")
    func slowHandlerDoesNotBlock() async throws {
        var configuration = testConfiguration
        configuration.eventLoopCount = 1
        let gate = Gate()
        let started = Gate()
        try await withServer(configuration, router: makeRouter(gate: gate, started: started)) { _, port in
            let slow = try RawHTTPClient(port: port)
            slow.send("GET /gated HTTP/1.1\r\nHost: t\r\n\r\n")
            await started.wait()
            let fast = try RawHTTPClient(port: port)
            fast.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try fast.readResponse().text == "hello")
            gate.open()
            #expect(try slow.readResponse().text == "released")
        }
    }

    @Test("shutdown drains: idle connections close, new ones are refused, the in-flight request completes")
    func gracefulShutdown() async throws {
        var configuration = testConfiguration
        configuration.eventLoopCount = 1
        configuration.idleTimeout = .seconds(30)
        let gate = Gate()
        let started = Gate()
        let server = HTTPServer(configuration: configuration, responder: makeRouter(gate: gate, started: started))
        let port = try server.start()
        let idle = try RawHTTPClient(port: port)
        idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        let inFlight = try RawHTTPClient(port: port)
        inFlight.send("GET /gated HTTP/1.1\r\nHost: t\r\n\r\n")
        await started.wait()
        #expect(!server.isDraining)

        let shutdown = Task { await server.shutdown(gracePeriod: .seconds(5)) }
        #expect(idle.waitForClose())
        #expect(server.isDraining)
        #expect(throws: RawHTTPClient.Failure.self) { try RawHTTPClient(port: port) }
        gate.open()
        let response = try inFlight.readResponse()
        #expect(response.text == "released")
        #expect(response.header("Connection") == "close")
        #expect(inFlight.waitForClose())
        // Once the client closes its side too, nothing is left and shutdown returns well within the grace period.
        inFlight.close()
        let closed = ContinuousClock.now
        await shutdown.value
        #expect(ContinuousClock.now - closed < .seconds(2))
    }

    @Test("shutdown gives up on a request that outlives the grace period")
    func shutdownGracePeriod() async throws {
        var configuration = testConfiguration
        configuration.eventLoopCount = 1
        let gate = Gate()
        let started = Gate()
        let server = HTTPServer(configuration: configuration, responder: makeRouter(gate: gate, started: started))
        let port = try server.start()
        let inFlight = try RawHTTPClient(port: port)
        inFlight.send("GET /gated HTTP/1.1\r\nHost: t\r\n\r\n")
        await started.wait()
        let start = ContinuousClock.now
        await server.shutdown(gracePeriod: .milliseconds(100))
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(inFlight.waitForClose())
        gate.open()
    }

    @Test("the observer sees handled and server-generated responses with their routes")
    func observer() async throws {
        let observer = RecordingObserver()
        try await withServer(observer: observer) { _, port in
            let client = try RawHTTPClient(port: port)
            client.send("GET /items/3 HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try client.readResponse()
            client.send("GET /bad\u{1} HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try client.readResponse()
        }
        let finished = observer.finished.withLock { $0 }
        #expect(finished.map(\.route) == ["/items/{id}", "unmatched"])
        #expect(finished.map(\.status) == [200, 400])
    }

    @Test("starting on a port another server holds fails with addressInUse")
    func addressInUse() async throws {
        try await withServer { _, port in
            var configuration = testConfiguration
            configuration.port = port
            let second = HTTPServer(configuration: configuration, responder: makeRouter())
            #expect(throws: HTTPServerError.addressInUse(host: "127.0.0.1", port: port)) { try second.start() }
        }
    }

    @Test("a termination signal arrives as an async event")
    func terminationSignal() async {
        let signals = TerminationSignals(signals: [SIGUSR2])
        kill(getpid(), SIGUSR2)
        #expect(await signals.next() == SIGUSR2)
    }
}
