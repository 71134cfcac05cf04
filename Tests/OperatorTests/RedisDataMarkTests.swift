import AssayRedis
import TestSupport
import Testing

@testable import Operator

/// The operator's mark in Redis tells a flushed or restarted-empty Redis from one that kept its data.
@Suite("Redis data mark", .enabled(if: RedisServer.isInstalled, "redis-server is not on PATH"))
struct RedisDataMarkTests {
    @Test(
        "the mark reports a FLUSHALL, a FLUSHDB, another operator's fresh mark and an empty restart once each, and nothing else"
    )
    func reportsLostData() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = RedisClient(server.clientConfiguration())
        var mark = RedisDataMark(redis: redis, token: "ours")
        #expect(try await mark.lostSinceLastCheck() == false, "the first check only sets the mark")
        #expect(try await redis.send(["GET", RedisDataMark.key]).text == "ours")
        #expect(try await mark.lostSinceLastCheck() == false)
        #expect(try await mark.lostSinceLastCheck() == false)

        #expect(try await redis.send(["FLUSHALL"]) == .status("OK"))
        #expect(try await mark.lostSinceLastCheck() == true)
        #expect(try await mark.lostSinceLastCheck() == false, "the mark is back")

        #expect(try await redis.send(["FLUSHDB"]) == .status("OK"))
        // Another operator (a new leader) put its own mark back before this one looked.
        #expect(try await redis.send(["SET", RedisDataMark.key, "theirs"]) == .status("OK"))
        #expect(try await mark.lostSinceLastCheck() == true)
        #expect(try await mark.lostSinceLastCheck() == false)
        #expect(try await redis.send(["GET", RedisDataMark.key]).text == "theirs")

        // A restart without persistence (the test server keeps nothing on disk).
        server.kill()
        try await server.start()
        var lost: Bool?
        try await eventually("the mark is read after the restart") {
            lost = try? await mark.lostSinceLastCheck()
            return lost != nil
        }
        #expect(lost == true)
    }

    @Test("two operators sharing a Redis agree on one mark and neither reports a loss")
    func twoOperatorsShareTheMark() async throws {
        let server = try await RedisServer.start()
        defer { server.stop() }
        let redis = RedisClient(server.clientConfiguration())
        var first = RedisDataMark(redis: redis, token: "first")
        var second = RedisDataMark(redis: redis, token: "second")
        for _ in 0..<3 {
            #expect(try await first.lostSinceLastCheck() == false)
            #expect(try await second.lostSinceLastCheck() == false)
        }
        #expect(try await redis.send(["GET", RedisDataMark.key]).text == "first")
    }
}
