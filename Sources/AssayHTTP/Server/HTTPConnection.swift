import AssayCore
import Glibc

/// One accepted client connection. Owned and touched only by its event loop's thread.
final class HTTPConnection {
    enum Phase: Equatable {
        /// Between keep-alive requests; the idle timeout applies.
        case idle
        /// Receiving a head (or waiting for a new connection's first request); the header deadline applies.
        case head
        /// Receiving a body; the body deadline applies.
        case body
        /// A handler is running; the request timeout applies.
        case processing
        /// A response is partly written; the write timeout applies from the last progress.
        case writing
        /// The response has been sent with `Connection: close` and our side shut down; reading and discarding
        /// until the client closes, so unread request bytes do not turn our close into a reset that loses the
        /// response.
        case lingering
    }

    let descriptor: Int32
    /// Distinguishes this connection from a later one that reuses the descriptor number.
    let serial: UInt64
    var parser: HTTPRequestParser
    var phase = Phase.head
    /// Monotonic nanoseconds at which the current phase times out; 0 for none.
    var deadline: UInt64
    /// Edge-triggered epoll: the socket may still hold unread bytes.
    var mayRead = true
    /// Bytes read past the end of the request being handled (pipelining), parsed once it is answered.
    var unparsed: [UInt8] = []
    var closeAfterResponse = false
    var isHTTP10KeepAlive = false
    var requestMethod = ""
    var isHeadRequest = false
    var requestStarted: UInt64 = 0
    /// The unsent part of a response: `pendingHead` then `pendingBody`, from `pendingOffset`.
    var pendingHead: [UInt8] = []
    var pendingBody: [UInt8] = []
    var pendingOffset = 0
    /// The last large request body, kept to recycle its storage once the handler has let go of it.
    var lastBody: [UInt8] = []
    /// When the current body's head ended, and how many body bytes have arrived since: the body deadline is
    /// the body timeout from then, plus a second per minimum rate's worth of bytes.
    var bodyStarted: UInt64 = 0
    var bodyBytes = 0
    /// While processing: the handler's task and the request's cancellation, to stop its work when the client
    /// goes away, the request timeout passes or shutdown's grace period ends.
    var handler: Task<Void, Never>?
    var cancellation: WorkCancellation?
    private var isClosed = false

    init(descriptor: Int32, serial: UInt64, limits: HTTPParserLimits, deadline: UInt64) {
        self.descriptor = descriptor
        self.serial = serial
        self.parser = HTTPRequestParser(limits: limits)
        self.deadline = deadline
    }

    var pendingCount: Int { pendingHead.count + pendingBody.count - pendingOffset }

    /// Closes the socket once (which also removes it from epoll).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = Glibc.close(descriptor)
    }

    deinit {
        close()
    }
}
