import AssayCore
import Foundation
import TestSupport
import Testing

@testable import AssayRedis

@Suite("Redis URL")
struct RedisURLTests {
    @Test(
        "URLs are parsed into host, port, credentials and database",
        arguments: [
            ("redis://localhost", RedisURL(host: "localhost")),
            ("redis://10.0.0.7:6380", RedisURL(host: "10.0.0.7", port: 6380)),
            ("redis://:s3cret@redis:6379/2", RedisURL(host: "redis", password: "s3cret", database: 2)),
            ("redis://app:p%40ss@redis/", RedisURL(host: "redis", username: "app", password: "p@ss")),
            ("redis://[::1]:7000/1", RedisURL(host: "::1", port: 7000, database: 1)),
        ])
    func parses(text: String, expected: RedisURL) throws {
        #expect(try RedisURL(parsing: text) == expected)
    }

    @Test(
        "malformed URLs are refused with the reason",
        arguments: [
            ("http://localhost", "must start with redis://"),
            ("redis://", "host is missing"),
            ("redis://host:port", "port must be a number"),
            ("redis://host:70000", "port must be 1-65535"),
            ("redis://host/db", "database after / must be a non-negative number"),
            ("redis://[::1:7000", "closed with ]"),
        ])
    func refuses(text: String, reason: String) {
        #expect {
            try RedisURL(parsing: text)
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }

    @Test("the description masks the password")
    func masksPassword() throws {
        let url = try RedisURL(parsing: "redis://app:hunter2@redis:6379/3")
        #expect(url.description == "redis://app:***@redis:6379/3")
        #expect(!String(describing: url).contains("hunter2"))
    }
}

@Suite("Redis client", .serialized)
struct RedisClientTests {
    @Test(
        "SHA-1 matches the FIPS 180 test vectors",
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ])
    func sha1Vectors(input: String, digest: String) {
        #expect(SHA1.hexDigest(Array(input.utf8)) == digest)
    }

    @Test("a script's locally computed SHA-1 is the one SCRIPT LOAD returns")
    func scriptSHA() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(server.clientConfiguration())
        defer { client.close() }
        let multiline = """
            local t = redis.call('TIME')
            local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or t[1]), t[1])
            return {tat, string.format('%.17g', tat / 3)}
            """
        for source in ["return 1", "return redis.call('TIME')", multiline] {
            let script = RedisScript(source)
            #expect(try await client.send(["SCRIPT", "LOAD", source]).text == script.sha1)
        }
    }

    @Test("commands round-trip binary-safe values, integers, nils and arrays; error replies are thrown")
    func replies() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(server.clientConfiguration())
        defer { client.close() }
        let binary: [UInt8] = [0, 13, 10, 255, 36]
        #expect(try await client.send(bytes: [Array("SET".utf8), Array("k".utf8), binary]) == .status("OK"))
        #expect(try await client.send(["GET", "k"]) == .bulk(binary))
        #expect(try await client.send(["GET", "missing"]) == .null)
        #expect(try await client.send(["INCRBY", "n", "41"]) == .integer(41))
        #expect(try await client.send(["RPUSH", "l", "a", "b"]) == .integer(2))
        #expect(
            try await client.send(["LRANGE", "l", "0", "-1"])
                == .array([.bulk(Array("a".utf8)), .bulk(Array("b".utf8))]))
        await #expect(throws: RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value")) {
            try await client.send(["INCR", "l"])
        }
    }

    @Test("concurrent commands are pipelined and each gets its own reply")
    func concurrentCommands() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(server.clientConfiguration(connections: 2))
        defer { client.close() }
        let replies = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<2000 { group.addTask { try await client.send(["INCR", "counter"]).integer ?? -1 } }
            return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        #expect(replies == Set(1...2000))
    }

    @Test("blocked connections do not hold Swift's cooperative threads")
    func blockingIsOffThePool() async throws {
        let server = try await RedisServer.start()
        let connections = 6  // more than this machine's cores
        let client = RedisClient(
            RedisClient.Configuration(url: server.url, connections: connections, commandTimeout: .seconds(5)))
        defer { client.close() }
        let start = ContinuousClock.now
        let quickDone = try await withThrowingTaskGroup(of: Duration?.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    _ = try await client.send(["BLPOP", "nothing", "1"])
                    return nil
                }
            }
            group.addTask {
                // Runs on the cooperative pool while every connection is blocked for a second.
                var sum = 0
                for i in 0..<1000 { sum &+= i }
                return sum >= 0 ? ContinuousClock.now - start : nil
            }
            return try await group.reduce(into: [Duration]()) { if let d = $1 { $0.append(d) } }
        }
        #expect(quickDone.count == 1)
        #expect(quickDone[0] < .milliseconds(500))
        #expect(ContinuousClock.now - start >= .seconds(1))
    }

    @Test("a command slower than the command timeout fails, and the connection is replaced")
    func commandTimeout() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(
            RedisClient.Configuration(url: server.url, connections: 1, commandTimeout: .milliseconds(200)))
        defer { client.close() }
        await #expect(throws: RedisError.commandTimeout(server: server.url.server, timeout: .milliseconds(200))) {
            try await client.send(["BLPOP", "nothing", "2"])
        }
        #expect(try await client.send(["PING"]) == .status("PONG"))
    }

    @Test("no server: connection refused, without the password in the message")
    func refused() async throws {
        let server = try await RedisServer.start()
        var url = server.url
        server.stop()
        url.password = "hunter2"
        let client = RedisClient(RedisClient.Configuration(url: url, connections: 1))
        defer { client.close() }
        do {
            _ = try await client.send(["PING"])
            Issue.record("PING succeeded with no server")
        } catch {
            guard case .connectionRefused(let where_, _) = error else {
                Issue.record("expected connectionRefused, got \(error)")
                return
            }
            #expect(where_ == url.server)
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test("the client reconnects after the server restarts")
    func reconnects() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(server.clientConfiguration(connections: 1))
        defer { client.close() }
        #expect(try await client.send(["PING"]) == .status("PONG"))
        server.kill()
        await #expect(throws: RedisError.self) { try await client.send(["PING"]) }
        try await server.start()
        #expect(try await client.send(["PING"]) == .status("PONG"))
    }

    @Test("EVALSHA reloads the script after SCRIPT FLUSH")
    func noscriptReload() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(server.clientConfiguration())
        defer { client.close() }
        let script = RedisScript("return ARGV[1] .. KEYS[1]")
        #expect(try await client.run(script, keys: ["k"], arguments: ["v"]).text == "vk")
        _ = try await client.send(["SCRIPT", "FLUSH"])
        #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))
        #expect(try await client.run(script, keys: ["k2"], arguments: ["w"]).text == "wk2")
        #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
    }

    @Test("AUTH and SELECT come from the URL")
    func authAndSelect() async throws {
        let server = try await RedisServer.start()
        let admin = RedisClient(server.clientConfiguration(connections: 1))
        defer { admin.close() }
        _ = try await admin.send(["CONFIG", "SET", "requirepass", "s3cret"])
        let url = try RedisURL(parsing: "redis://:s3cret@127.0.0.1:\(server.port)/3")
        let client = RedisClient(RedisClient.Configuration(url: url, connections: 1))
        defer { client.close() }
        _ = try await client.send(["SET", "where", "db3"])
        #expect(try await client.send(["CLIENT", "INFO"]).text?.contains("db=3") == true)
        let wrong = RedisClient(
            RedisClient.Configuration(
                url: RedisURL(host: "127.0.0.1", port: server.port, password: "nope"), connections: 1))
        defer { wrong.close() }
        await #expect(throws: RedisError.self) { try await wrong.send(["PING"]) }
    }
}

@Suite("Redis client closing")
struct RedisClientClosingTests {
    @Test(
        "closing fails queued and later commands with .closed instead of leaving them waiting",
        .timeLimit(.minutes(1)))
    func closeFailsPending() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(
            RedisClient.Configuration(url: server.url, connections: 1, commandTimeout: .seconds(5)))
        // One command blocks the only connection; the others queue behind it.
        let results = await withTaskGroup(of: Result<RedisValue, RedisError>.self) { group in
            group.addTask { await Self.result { try await client.send(["BLPOP", "nothing", "1"]) } }
            for _ in 0..<5 {
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(100))
                    return await Self.result { try await client.send(["PING"]) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(300))
                client.close()
                return .success(.null)
            }
            return await group.reduce(into: [Result<RedisValue, RedisError>]()) { $0.append($1) }
        }
        #expect(results.filter { $0 == .failure(.closed) }.count == 5)
        await #expect(throws: RedisError.closed) { try await client.send(["PING"]) }
    }

    private static func result(_ body: () async throws -> RedisValue) async -> Result<RedisValue, RedisError> {
        do {
            return .success(try await body())
        } catch let error as RedisError {
            return .failure(error)
        } catch {
            return .failure(.protocolError("unexpected \(error)"))
        }
    }
}
