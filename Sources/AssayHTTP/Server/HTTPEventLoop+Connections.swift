import AssayCore
import CSystem
import Glibc

/// The HTTP/1.1 connection protocol on the loop thread: read, parse, dispatch to the responder, write in order.
extension HTTPEventLoop {
    /// Bodies at least this large have their storage recycled for the connection's next body: 128 KiB is glibc's
    /// default mmap threshold, above which every allocation is fresh, page-faulted memory.
    static let recycledBodyMinimum = 128 * 1024
    private static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Parses bytes kept from earlier reads, then reads the socket until a request is dispatched, it would block,
    /// or the connection closes.
    func readAndParse(_ connection: HTTPConnection) {
        switch connection.phase {
        case .processing, .writing: return  // resumed after the response is written
        case .lingering:
            discardInput(connection)
            return
        case .idle, .head, .body: break
        }
        if !connection.unparsed.isEmpty {
            let bytes = connection.unparsed
            connection.unparsed = []
            if bytes.withUnsafeBytes({ feed(connection, $0) }) { return }
        }
        while connection.mayRead {
            let count = recv(connection.descriptor, readBuffer.baseAddress, readBuffer.count, 0)
            if count > 0 {
                // A short read drained the socket; edge-triggered epoll reports the next arrival.
                if count < readBuffer.count { connection.mayRead = false }
                if feed(connection, UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])) { return }
            } else if count == 0 {
                close(connection)  // the client closed; a partial request cannot be answered
                return
            } else {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: connection.mayRead = false
                default: close(connection)
                }
                return
            }
        }
    }

    /// Feeds bytes to the parser; returns true when reading must stop: a request was dispatched (the rest is kept
    /// for later), or the request was rejected or the connection closed.
    private func feed(_ connection: HTTPConnection, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            if connection.lastBody.capacity > 0, !connection.parser.hasPartialRequest { recycleLastBody(connection) }
            let step: HTTPParseStep
            do throws(HTTPParseError) {
                let result = try connection.parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                offset += result.consumed
                step = result.step
                if connection.phase == .body {
                    connection.bodyBytes += result.consumed
                    connection.deadline = bodyDeadline(connection)
                }
            } catch {
                reject(connection, status: error.status, detail: error.detail)
                return true
            }
            if connection.phase == .idle, connection.parser.hasPartialRequest {
                // The header deadline runs from the first byte of the request and is not extended per byte.
                connection.phase = .head
                connection.deadline = now + configuration.headerTimeout.nanoseconds
            }
            if connection.phase == .head, connection.parser.isReadingBody {
                connection.phase = .body
                connection.bodyStarted = now
                connection.bodyBytes = 0
                connection.deadline = bodyDeadline(connection)
            }
            switch step {
            case .needMoreData:
                break
            case .continueExpected:
                let sent = Self.continueResponse.withUnsafeBytes {
                    assay_send2(connection.descriptor, $0.baseAddress, UInt($0.count), nil, 0)
                }
                if sent != Self.continueResponse.count {
                    close(connection)
                    return true
                }
            case .request(let request):
                if offset < bytes.count { connection.unparsed = Array(bytes[offset...]) }
                dispatch(request, on: connection)
                return true
            }
        }
        return false
    }

    /// The body timeout from the end of the head, plus a second for each minimum rate's worth of body received.
    private func bodyDeadline(_ connection: HTTPConnection) -> UInt64 {
        let earned = UInt64(connection.bodyBytes) * 1_000_000_000 / UInt64(configuration.bodyMinimumRate)
        return connection.bodyStarted &+ configuration.bodyTimeout.nanoseconds &+ earned
    }

    /// Hands the previous body's storage back to the parser if nothing else references it any more.
    private func recycleLastBody(_ connection: HTTPConnection) {
        var storage = connection.lastBody
        connection.lastBody = []
        let before = storage.withUnsafeBufferPointer { $0.baseAddress }
        storage.removeAll(keepingCapacity: true)  // copies (into fresh storage) only if still shared
        let after = storage.withUnsafeBufferPointer { $0.baseAddress }
        if before == after { connection.parser.recycleBodyStorage(storage) }
    }

    private func dispatch(_ request: HTTPRequest, on connection: HTTPConnection) {
        var request = request
        let cancellation = WorkCancellation(deadline: .now + configuration.requestTimeout)
        request.cancellation = cancellation
        connection.cancellation = cancellation
        connection.phase = .processing
        connection.deadline = now &+ configuration.requestTimeout.nanoseconds
        connection.requestMethod = request.method
        connection.isHeadRequest = request.method == "HEAD"
        connection.closeAfterResponse = !request.isKeepAlive
        connection.isHTTP10KeepAlive = request.version == .http1_0 && request.isKeepAlive
        connection.requestStarted = now
        if request.body.capacity >= Self.recycledBodyMinimum { connection.lastBody = request.body }
        observer?.requestStarted()
        let descriptor = connection.descriptor
        let serial = connection.serial
        let responder = self.responder
        // CPU-bound work does not belong here: a responder that computes for long hands it to an executor of its
        // own (the evaluator's BoundedExecutor), so the loop stays free for other connections.
        connection.handler = Task(executorPreference: self) {
            let response = await responder.respond(to: request)
            self.complete(descriptor: descriptor, serial: serial, response: response)
        }
    }

    /// Called by a handler's task with its response, on whatever thread it finished.
    private func complete(descriptor: Int32, serial: UInt64, response: HTTPResponse) {
        if isOnLoopThread {
            respond(descriptor: descriptor, serial: serial, response: response)
        } else {
            execute { self.respond(descriptor: descriptor, serial: serial, response: response) }
        }
    }

    private func respond(descriptor: Int32, serial: UInt64, response: HTTPResponse) {
        let slot = Int(descriptor)
        guard slot < connections.count, let connection = connections[slot], connection.serial == serial,
            connection.phase == .processing
        else { return }  // the connection closed (or timed out) while the handler ran
        connection.handler = nil
        connection.cancellation = nil
        if draining || ResponseHead.asksToClose(response) { connection.closeAfterResponse = true }
        send(response, on: connection, route: response.route ?? Router.unmatchedRoute)
    }

    /// Answers a request the server refused (parse error, limit, timeout) and closes the connection.
    func reject(_ connection: HTTPConnection, status: Int, detail: String) {
        observer?.requestStarted()
        connection.requestStarted = now
        connection.requestMethod = ""
        connection.isHeadRequest = false
        connection.isHTTP10KeepAlive = false
        fail(connection, status: status, detail: detail)
    }

    /// Answers a dispatched request whose handler was stopped (deadline, shutdown) in its place, and closes the
    /// connection; the handler's own answer, should it still come, is dropped.
    func fail(_ connection: HTTPConnection, status: Int, detail: String) {
        connection.closeAfterResponse = true
        connection.unparsed = []
        send(HTTPProblem(status: status, detail: detail).response, on: connection, route: Router.unmatchedRoute)
    }

    /// Cancels a dispatched request's work for `reason`: its budgets stop at their next checkpoint and its
    /// awaits (provider calls) are cancelled.
    func stopHandler(_ connection: HTTPConnection, _ reason: WorkCancellation.Reason) {
        connection.cancellation?.cancel(reason)
        connection.handler?.cancel()
        connection.cancellation = nil
        connection.handler = nil
    }

    /// The client of a request being handled has gone: its work stops and the connection closes. The request
    /// is counted with nginx's 499 (client closed request), as no answer was sent.
    func abandon(_ connection: HTTPConnection) {
        stopHandler(connection, .clientGone)
        observer?.requestFinished(
            method: connection.requestMethod, route: Router.unmatchedRoute, status: 499,
            durationSeconds: Double(now &- connection.requestStarted) / 1e9, bodyBytes: 0)
        close(connection)
    }

    private func send(_ response: HTTPResponse, on connection: HTTPConnection, route: String) {
        let sendsBody = !connection.isHeadRequest && !HTTPStatusCodes.forbidsBody(response.status)
        let persistence: ResponseHead.Persistence =
            connection.closeAfterResponse ? .close : connection.isHTTP10KeepAlive ? .keepAliveHTTP10 : .keepAlive
        ResponseHead.write(
            response, bodyLength: response.body.count, persistence: persistence, date: date.line, into: &headBuffer)
        let body = sendsBody ? response.body : []
        observer?.requestFinished(
            method: connection.requestMethod.isEmpty ? "UNKNOWN" : connection.requestMethod, route: route,
            status: response.status,
            durationSeconds: Double(now &- connection.requestStarted) / 1e9, bodyBytes: response.body.count)
        let inline = body.count <= ResponseHead.inlineBodyLimit
        if inline { headBuffer.append(contentsOf: body) }
        let separateBody = inline ? [] : body
        // The common case goes out in one send straight from the loop's buffer; only a remainder is copied.
        let total = headBuffer.count + separateBody.count
        var sent = 0
        while true {
            sent = headBuffer.withUnsafeBytes { head in
                separateBody.withUnsafeBytes { body in
                    assay_send2(
                        connection.descriptor, head.baseAddress, UInt(head.count), body.baseAddress, UInt(body.count))
                }
            }
            if sent >= 0 || errno != EINTR { break }
        }
        if sent == total {
            responseWritten(connection)
            return
        }
        if sent < 0, errno != EAGAIN, errno != EWOULDBLOCK {
            close(connection)
            return
        }
        let written = max(sent, 0)
        connection.pendingHead = written < headBuffer.count ? Array(headBuffer[written...]) : []
        connection.pendingBody = separateBody
        connection.pendingOffset = written < headBuffer.count ? 0 : written - headBuffer.count
        connection.phase = .writing
        connection.deadline = now + configuration.writeTimeout.nanoseconds
        flush(connection)
    }

    /// Writes as much of the pending response as the socket takes; on completion moves to the next request.
    func flush(_ connection: HTTPConnection) {
        while connection.pendingCount > 0 {
            let headCount = connection.pendingHead.count
            let offset = connection.pendingOffset
            let sent: Int
            if offset < headCount {
                sent = connection.pendingHead.withUnsafeBytes { head in
                    connection.pendingBody.withUnsafeBytes { body in
                        assay_send2(
                            connection.descriptor, head.baseAddress! + offset, UInt(headCount - offset),
                            body.baseAddress, UInt(body.count))
                    }
                }
            } else {
                sent = connection.pendingBody.withUnsafeBytes { body in
                    let start = offset - headCount
                    return assay_send2(
                        connection.descriptor, body.baseAddress! + start, UInt(body.count - start), nil, 0)
                }
            }
            if sent > 0 {
                connection.pendingOffset += sent
                connection.deadline = now + configuration.writeTimeout.nanoseconds
            } else if sent < 0, errno == EINTR {
                continue
            } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                return  // EPOLLOUT resumes
            } else {
                close(connection)
                return
            }
        }
        connection.pendingHead = []
        connection.pendingBody = []
        connection.pendingOffset = 0
        responseWritten(connection)
    }

    private func responseWritten(_ connection: HTTPConnection) {
        if connection.closeAfterResponse || draining {
            // Half-close and drain what the client still sends, so the close does not reset the response away.
            _ = shutdown(connection.descriptor, Int32(SHUT_WR))
            connection.phase = .lingering
            connection.deadline = now + Self.lingerNanoseconds
            connection.unparsed = []
            discardInput(connection)
            return
        }
        connection.phase = .idle
        connection.deadline = now + configuration.idleTimeout.nanoseconds
        readAndParse(connection)
    }

    private func discardInput(_ connection: HTTPConnection) {
        while true {
            let count = recv(connection.descriptor, readBuffer.baseAddress, readBuffer.count, 0)
            if count > 0 { continue }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                connection.mayRead = false
                return
            }
            close(connection)
            return
        }
    }

    func timedOut(_ connection: HTTPConnection) {
        switch connection.phase {
        case .head where connection.parser.hasPartialRequest:
            reject(
                connection, status: 408,
                detail: "the request head did not arrive within \(configuration.headerTimeout) (headerTimeout)")
        case .body:
            reject(
                connection, status: 408,
                detail: "the request body did not arrive in time: \(configuration.bodyTimeout) (bodyTimeout) plus a "
                    + "second per \(configuration.bodyMinimumRate) bytes received (bodyMinimumRate)")
        case .processing:
            stopHandler(connection, .deadline)
            fail(
                connection, status: 504,
                detail: "the request did not complete within its deadline of \(configuration.requestTimeout) "
                    + "(requestTimeout); its work was cancelled")
        case .idle, .head, .writing, .lingering:
            close(connection)
        }
    }
}
