import AssayCore
import Testing

/// An outage is told twice however many attempts fail: when it starts and when it ends.
@Suite("OutageLog")
struct OutageLogTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    @Test(
        "a thousand failures from eight tasks log one warning, the success after them one line, and a second outage two more"
    )
    func onceEachWay() async {
        let lines = Guarded<[String]>([])
        let log = OutageLog(
            "Redis at redis://127.0.0.1:1",
            logger: Logger(label: "t", sink: { line in lines.withLock { $0.append(line) } }))
        log.succeeded()
        #expect(lines.withLock { $0.isEmpty }, "a success with no outage says nothing")
        await withDiscardingTaskGroup { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<125 { log.failed(Refused()) } }
            }
        }
        #expect(log.isDown && log.failures == 1000)
        log.succeeded()
        log.succeeded()
        #expect(!log.isDown && log.failures == 0)
        log.failed(Refused())
        log.succeeded()
        let logged = lines.withLock { $0 }
        #expect(logged.count == 4, "\(logged)")
        #expect(logged[0].contains(#""level":"warning""#) && logged[0].contains("redis://127.0.0.1:1 is unreachable"))
        #expect(logged[0].contains(#""error":"connection refused""#))
        #expect(logged[1].contains("is reachable again") && logged[1].contains(#""failedAttempts":"1000""#))
        #expect(logged[3].contains(#""failedAttempts":"1""#))
    }
}
