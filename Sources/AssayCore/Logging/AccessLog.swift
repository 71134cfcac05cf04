import Foundation
import Glibc

/// The access log: one JSON line per API request, in the shape ``Logger`` writes (`time`,
/// `level`, `logger`, `msg` "request", then `method`, `path`, `status`, `user`, `durationMs`), made
/// for the request path the way production HTTP servers make theirs (nginx's `access_log ...
/// buffer=`): each line is formatted straight into one shared byte buffer (no dictionaries, no
/// intermediate strings, the timestamp's date and time rebuilt once a second), and a writer
/// thread writes what has gathered, whole lines only, in writes of at most ``maxWriteBytes``.
///
/// A line reaches standard error within about ``defaultBatchWindow`` of its request (the writer
/// waits that long after a write before the next, so a busy server makes a few dozen writes a
/// second whatever its request rate); an idle log costs nothing (the writer sleeps until a line
/// arrives). ``flush()`` writes what is pending at once: shutdown calls it, so only a process killed
/// outright loses the last window's lines.
///
/// Never pass secrets: the fields are written as given (JSON-escaped).
public final class AccessLog: @unchecked Sendable {
    /// How long the writer gathers lines after a write: short enough that `kubectl logs -f`
    /// looks live, long enough that a busy server makes at most 50 writes a second. (Our choice;
    /// nginx's buffered access log flushes after at most `flush=` time, often 1 s or more.)
    public static let defaultBatchWindow = Duration.milliseconds(20)
    /// PIPE_BUF: a write this size or smaller to a pipe (a container's standard error) is atomic,
    /// so a batch never interleaves mid-line with another thread's log lines.
    public static let maxWriteBytes = 4096
    /// Past this much pending, a request writes the batch itself instead of waiting for the writer
    /// (a stalled writer never holds more than this in memory). (Our choice: 16 writes.)
    static let maxPendingBytes = 64 * 1024

    public typealias Sink = @Sendable (UnsafeRawBufferPointer) -> Void

    /// Guarded by `condition`.
    private var pending: [UInt8] = []
    private var writerWaiting = false
    private var closed = false
    private var second = -1
    /// `{"time":"YYYY-MM-DDTHH:MM:SS.` for `second`.
    private var prefix: [UInt8] = []
    private let condition = NSCondition()
    /// Held while a batch is written, so batches leave in the order they were taken.
    private let writing = NSLock()
    private let label: [UInt8]
    private let sink: Sink
    private let batchWindow: Duration

    /// - Parameters:
    ///   - label: the `logger` field, the same as the process's ``Logger``.
    ///   - sink: where batches go (each ends at a line's end); standard error unless a test
    ///     captures them.
    public init(label: String, batchWindow: Duration = defaultBatchWindow, sink: Sink? = nil) {
        var quoted: [UInt8] = []
        JSONWriter.writeString(label, into: &quoted)
        self.label = quoted
        self.batchWindow = batchWindow
        self.sink = sink ?? Self.writeToStandardError
        pending.reserveCapacity(Self.maxWriteBytes)
        Thread { [self] in writer() }.start()
    }

    /// Appends one request's line.
    public func record(method: String, path: String, status: Int, user: String, duration: Duration) {
        let parts = duration.components
        let micros = max(0, parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        condition.lock()
        appendTime(now)
        pending.append(contentsOf: #"Z","level":"info","logger":"#.utf8)
        pending.append(contentsOf: label)
        pending.append(contentsOf: #","msg":"request","method":"#.utf8)
        JSONWriter.writeString(method, into: &pending)
        pending.append(contentsOf: #","path":"#.utf8)
        JSONWriter.writeString(path, into: &pending)
        pending.append(contentsOf: #","status":""#.utf8)
        JSONWriter.writeInteger(Int64(status), into: &pending)
        pending.append(contentsOf: #"","user":"#.utf8)
        JSONWriter.writeString(user, into: &pending)
        pending.append(contentsOf: #","durationMs":""#.utf8)
        JSONWriter.writeInteger(micros / 1000, into: &pending)
        pending.append(UInt8(ascii: "."))
        Logger.appendDigits(Int(micros % 1000), count: 3, to: &pending)
        pending.append(contentsOf: "\"}\n".utf8)
        let overflowing = pending.count >= Self.maxPendingBytes
        if writerWaiting, !overflowing { condition.signal() }
        condition.unlock()
        if overflowing { flush() }
    }

    /// Writes every pending line now.
    public func flush() {
        writing.lock()
        defer { writing.unlock() }
        condition.lock()
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        condition.unlock()
        write(batch)
    }

    /// Flushes and stops the writer thread; lines recorded afterwards are written by `flush()` only.
    public func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
        flush()
    }

    /// `{"time":"2026-01-02T03:04:05.678` (the caller adds `Z"`), the date and time reformatted
    /// only when the second changes.
    private func appendTime(_ now: timespec) {
        if now.tv_sec != second {
            second = now.tv_sec
            prefix.removeAll(keepingCapacity: true)
            prefix.append(contentsOf: #"{"time":""#.utf8)
            Logger.appendDateTime(now.tv_sec, to: &prefix)
            prefix.append(UInt8(ascii: "."))
        }
        pending.append(contentsOf: prefix)
        Logger.appendDigits(Int(now.tv_nsec) / 1_000_000, count: 3, to: &pending)
    }

    private func writer() {
        let pause = Double(batchWindow.components.seconds) + Double(batchWindow.components.attoseconds) / 1e18
        while true {
            condition.lock()
            while pending.isEmpty, !closed {
                writerWaiting = true
                condition.wait()
                writerWaiting = false
            }
            let stop = closed
            condition.unlock()
            if stop { return }
            flush()
            Thread.sleep(forTimeInterval: pause)
        }
    }

    /// Hands `batch` to the sink in pieces of at most ``maxWriteBytes`` that end at line ends (a
    /// longer line goes alone).
    private func write(_ batch: [UInt8]) {
        batch.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                var end = min(start + Self.maxWriteBytes, bytes.count)
                if end < bytes.count {
                    // The last line end in the piece, else the first after it (a line over the limit).
                    if let last = bytes[start..<end].lastIndex(of: 0x0A) {
                        end = last + 1
                    } else {
                        end = (bytes[end...].firstIndex(of: 0x0A) ?? bytes.count - 1) + 1
                    }
                }
                sink(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end
            }
        }
    }

    private static let writeToStandardError: Sink = { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return  // standard error is gone; nothing else to tell
            }
        }
    }
}
