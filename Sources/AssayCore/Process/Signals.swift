import CSystem
import Foundation
import Glibc

/// Turns termination signals (SIGTERM from Kubernetes, SIGINT from a terminal) into async events so `main` can
/// start a graceful shutdown instead of dying mid-request.
///
/// A signal handler writes the signal number into a pipe and a reader thread turns each byte into an event, which
/// works whichever thread the kernel delivers the signal to. Creating one also ignores SIGPIPE process-wide: a peer
/// that resets a connection must surface as EPIPE from the write, not kill the process. Keep one instance per
/// process for a given signal; dropping it restores the signals' default actions.
public final class TerminationSignals: Sendable {
    /// The signals Kubernetes and terminals use to ask a process to stop.
    public static let defaultSignals: [Int32] = [SIGTERM, SIGINT]

    /// Each received signal's number, in order of arrival.
    public let events: AsyncStream<Int32>
    private let signals: [Int32]
    private let writeEnd: Int32

    public init(signals: [Int32] = TerminationSignals.defaultSignals) {
        Self.ignoreBrokenPipe()
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        events = stream
        self.signals = signals
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) != 0 {
            continuation.finish()
            writeEnd = -1
            return
        }
        let readEnd = ends[0]
        writeEnd = ends[1]
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = assay_set_nonblocking(writeEnd)  // the handler must never block; a full pipe drops duplicates
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    continuation.yield(Int32(byte))
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    break  // the write end was closed by deinit
                }
            }
            close(readEnd)
            continuation.finish()
        }
        reader.name = "termination-signals"
        reader.start()
        for number in signals { _ = assay_forward_signal(number, writeEnd) }
    }

    /// Waits for the next signal; nil once this object is gone.
    public func next() async -> Int32? {
        for await number in events { return number }
        return nil
    }

    /// Makes writes to a closed socket or pipe fail with EPIPE instead of terminating the process.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        for number in signals { _ = assay_restore_signal(number) }
        if writeEnd >= 0 { close(writeEnd) }
    }
}
