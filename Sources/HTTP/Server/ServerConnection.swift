import Telemetry

#if canImport(Glibc)
import Glibc
#endif

/// One accepted connection: the loop's I/O callbacks feed its parser and send its output; its task (started with
/// the loop as executor preference, so on the same thread) reads requests, calls the responder and writes responses.
///
/// Requests are answered strictly one after the other: the task parses the next pipelined request only once the
/// previous response is in the output buffer, so order needs no bookkeeping and `100 Continue` cannot overtake an
/// earlier response. Output produced during one loop iteration leaves in one `send` after the iteration's jobs.
///
/// Backpressure: while more than `maxPendingOutput` bytes wait for the client, the task stops taking requests (and a
/// streaming body's writes wait), so reading stops too; while the task is busy, reading stops once
/// `maxBufferedInput` unparsed bytes are buffered.
final class ServerConnection: IOHandler, @unchecked Sendable {
    // Loop-confined like every IOHandler: I/O callbacks and the connection's task both run on `loop`'s thread.
    private enum Phase {
        /// Waiting for a request head; `deadline` is the header-read timeout.
        case readingHead
        /// Keep-alive, between requests with nothing buffered; `deadline` is the idle timeout.
        case idle
        /// Reading a body; `deadline` moves with every body read.
        case readingBody
        /// The responder or the response writer is running; no deadline.
        case responding
        /// The last response is sent and the write side shut; discarding input until the peer closes.
        case lingering
        case closed
    }

    private unowned let context: ServerLoopContext
    private let shared: ServerShared
    private let peer: HTTPSocketAddress
    private let id: UInt64
    private var parser: HTTPRequestParser
    private var output: [UInt8] = []
    private var outputStart = 0
    private var waiter: UnsafeContinuation<Void, Never>?
    private var waitingForDrain = false
    private var phase = Phase.readingHead
    private var deadline: UInt64
    /// No more request bytes will be parsed: end of input, a read error, a timeout or a final response.
    private var inputEnded = false
    private var writeBlocked = false
    private var closeAfterResponse = false
    private var closeWhenFlushed = false
    private var requestCount = 0
    private var parserHoldsLargeBuffer = false
    /// When the bytes of the last read reached the kernel (monotonic nanoseconds; 0 when the kernel did not say).
    private var arrived: UInt64 = 0

    init(context: ServerLoopContext, fd: CInt, peer: HTTPSocketAddress, id: UInt64) {
        self.context = context
        self.shared = context.shared
        self.peer = peer
        self.id = id
        parser = HTTPRequestParser(limits: context.shared.configuration.limits)
        deadline = context.loop.now &+ context.shared.headerTimeout
        super.init(loop: context.loop, fd: fd)
    }

    private var pendingOutput: Int { output.count - outputStart }
    private var isClosed: Bool { phase == .closed }

    // MARK: - I/O callbacks

    override func readable() {
        if phase == .lingering {
            discardInput()
            return
        }
        guard !inputEnded else { return }
        var waited: UInt64 = 0
        let count = Socket.receive(fd, into: loop.readBuffer, waited: &waited)
        if count > 0 {
            // A stamp a minute old or more is not a wait but a clock the kernel did not stamp with: ignored.
            arrived = waited > 0 && waited < 60_000_000_000 ? EventLoop.monotonicNow() &- waited : 0
            parser.feed(UnsafeRawBufferPointer(rebasing: loop.readBuffer[..<count]))
            if phase == .idle {
                phase = .readingHead
                deadline = loop.now &+ shared.headerTimeout
            }
            if waiter != nil && !waitingForDrain {
                resumeWaiter()
            } else if parser.bufferedByteCount > shared.maxBufferedInput {
                updateInterest()
            }
        } else if count == 0 {
            inputEnded = true
            updateInterest()
            resumeWaiter()
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            closeNow()
        }
    }

    override func writable() {
        flush()
    }

    override func flush() {
        guard !isClosed else { return }
        while outputStart < output.count {
            let sent = output.withUnsafeBytes { Socket.send(fd, UnsafeRawBufferPointer(rebasing: $0[outputStart...])) }
            if sent > 0 {
                outputStart += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                writeBlocked = true
                updateInterest()
                return
            } else if sent < 0 && errno == EINTR {
                continue
            } else {
                closeNow()
                return
            }
        }
        // Keep a normal buffer for the next response; give back one grown by a large body.
        if output.capacity > 1 << 20 {
            output = []
        } else {
            output.removeAll(keepingCapacity: true)
        }
        outputStart = 0
        if writeBlocked {
            writeBlocked = false
            updateInterest()
        }
        if closeWhenFlushed {
            startLingering()
        } else if waitingForDrain {
            resumeWaiter()
        }
    }

    override func tick(now: UInt64) {
        guard now >= deadline else { return }
        deadline = .max
        switch phase {
        case .readingHead, .idle:
            if phase == .readingHead { context.counts.timeouts += 1 }
            closeNow()
        case .readingBody:
            context.counts.timeouts += 1
            inputEnded = true
            appendResponse(.text("408 Request Timeout\n", status: .requestTimeout), isHead: false, version: .http1_1, keepAlive: false)
            closeWhenFlushed = true
            flush()
            resumeWaiter()
        case .lingering:
            closeNow()
        case .responding, .closed:
            break
        }
    }

    override func beginShutdown() {
        closeAfterResponse = true
        if phase == .idle || (phase == .readingHead && parser.isIdle) {
            closeNow()
        }
    }

    override func forceClose() {
        closeNow()
    }

    /// Watches for input unless it ended, the task is busy and enough is buffered, or output is backed up; for
    /// output while a send was cut short.
    private func updateInterest() {
        guard !isClosed else { return }
        var interest: IOInterest = []
        let backedUp = pendingOutput > shared.configuration.maxPendingOutput
        let saturated = waiter == nil && parser.bufferedByteCount > shared.maxBufferedInput
        if phase == .lingering || (!inputEnded && !backedUp && !saturated) { interest.insert(.readable) }
        if writeBlocked { interest.insert(.writable) }
        loop.setInterest(self, interest)
    }

    private func discardInput() {
        let count = recv(fd, loop.readBuffer.baseAddress, loop.readBuffer.count, 0)
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { closeNow() }
    }

    /// After the last response: shut the write side and read until the peer closes, so a client still sending does
    /// not get a reset that could destroy the response before it reads it.
    private func startLingering() {
        guard !isClosed, phase != .lingering else { return }
        shutdown(fd, CInt(SHUT_WR))
        phase = .lingering
        inputEnded = true
        deadline = loop.now &+ shared.lingerTimeout
        updateInterest()
        resumeWaiter()
    }

    private func closeNow() {
        guard !isClosed else { return }
        phase = .closed
        inputEnded = true
        loop.deregister(self)
        close(fd)
        fd = -1
        output = []
        outputStart = 0
        context.connectionClosed()
        resumeWaiter()
    }

    private func resumeWaiter() {
        guard let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }

    // MARK: - The connection's task

    /// Serves requests until the connection ends.
    func serve() async {
        await serveRequests()
        loop.liveTasks -= 1
        if !closeWhenFlushed && phase != .lingering { closeNow() }
    }

    private func serveRequests() async {
        while !isClosed {
            if pendingOutput > shared.configuration.maxPendingOutput {
                await waitForDrain()
                continue
            }
            if parser.isIdle {
                if closeAfterResponse { return }
                if parserHoldsLargeBuffer {
                    parser = HTTPRequestParser(limits: shared.configuration.limits)
                    parserHoldsLargeBuffer = false
                }
                if requestCount > 0 {
                    phase = .idle
                    deadline = loop.now &+ shared.idleTimeout
                }
            } else if requestCount > 0 {
                phase = .readingHead
                deadline = loop.now &+ shared.headerTimeout
            }
            guard let event = await nextEvent() else { return }
            guard case .head(let head) = event else {
                if case .error(let error) = event { await respond(to: error) }
                return
            }
            requestCount += 1
            guard let (body, trailers) = await readBody(of: head) else { return }
            phase = .responding
            deadline = .max
            var request = HTTPRequest(head: head, body: body, trailers: trailers)
            request.remoteAddress = peer
            let response: HTTPResponse
            do {
                response = try await shared.responder.respond(to: request, context: makeContext())
            } catch {
                shared.logger.error("handler failed: \(error)", metadata: ["target": "\(head.target)", "connection": "\(id)"])
                response = .text("500 Internal Server Error\n", status: .internalServerError)
            }
            guard !isClosed else { return }
            let keepAlive = head.keepAlive && !closeAfterResponse && !inputEnded && !response.asksToClose
            let keptAlive = await write(response, to: head, keepAlive: keepAlive)
            context.counts.requests += 1
            guard keptAlive, !isClosed else {
                closeWhenFlushed = true
                loop.scheduleFlush(self)
                return
            }
            loop.scheduleFlush(self)
        }
    }

    /// The next parser event, waiting for input as needed; `nil` once input ended or the connection closed.
    private func nextEvent() async -> HTTPParserEvent? {
        while true {
            if let event = parser.next() { return event }
            if inputEnded || isClosed { return nil }
            await withUnsafeContinuation { continuation in
                waiter = continuation
                updateInterest()
            }
        }
    }

    private func waitForDrain() async {
        flush()
        while pendingOutput > 0 && !isClosed {
            waitingForDrain = true
            await withUnsafeContinuation { waiter = $0 }
            waitingForDrain = false
        }
    }

    /// The whole body, after `100 Continue` if the client waits for it; `nil` when the exchange ended instead (an
    /// early response, a parser error, a timeout or the end of input).
    private func readBody(of head: HTTPRequestHead) async -> ([UInt8], HTTPHeaders?)? {
        var body: [UInt8] = []
        var expectsBody = true
        switch head.framing {
        case .noBody, .contentLength(0):
            expectsBody = false
        case .contentLength(let length):
            body.reserveCapacity(length)
        case .chunked:
            break
        }
        if expectsBody && head.expectsContinue && parser.bufferedByteCount == 0 {
            if let early = shared.responder.responseBeforeBody(for: head) {
                inputEnded = true
                _ = await write(early, to: head, keepAlive: false)
                closeWhenFlushed = true
                loop.scheduleFlush(self)
                return nil
            }
            output.append(contentsOf: ResponseHeadWriter.continueResponse)
            flush()
        }
        if expectsBody {
            phase = .readingBody
            deadline = loop.now &+ shared.bodyTimeout
        }
        while true {
            guard let event = await nextEvent() else { return nil }
            switch event {
            case .body(let bytes):
                body.append(contentsOf: bytes)
                deadline = loop.now &+ shared.bodyTimeout
            case .end(let trailers):
                if body.count > 64 * 1024 { parserHoldsLargeBuffer = true }
                return (body, trailers)
            case .error(let error):
                await respond(to: error)
                return nil
            case .head:
                return nil
            }
        }
    }

    private func respond(to error: HTTPParserError) async {
        context.counts.parserErrors += 1
        inputEnded = true
        _ = await write(shared.configuration.errorResponder(error), to: nil, keepAlive: false)
        closeWhenFlushed = true
        loop.scheduleFlush(self)
    }

    private func makeContext() -> HTTPRequestContext {
        var context = HTTPRequestContext(remoteAddress: peer, connectionID: id, logger: shared.logger)
        // The longer of two measures. From the kernel's receipt of the request's bytes, when it stamped them: that
        // counts the time the loop's thread waited for a core, which the loop cannot see. And the loop's own estimate
        // (its last round and this one so far): it counts what the stamp misses, bytes held up in the network
        // stack before they reached the socket (on a starved machine, loopback's backlog waits for its softirq), or
        // a read the kernel did not stamp (stamping starts a moment after the first socket asks for it).
        let now = EventLoop.monotonicNow()
        let stamped = arrived > 0 && arrived <= now ? now - arrived : 0
        context.queueDelay = .nanoseconds(Int64(clamping: max(stamped, loop.queueDelay())))
        return context
    }

    // MARK: - Writing responses

    /// Writes `response` for a request with `head` (`nil` for a request the parser rejected); returns whether the
    /// connection stays open after it.
    private func write(_ response: HTTPResponse, to head: HTTPRequestHead?, keepAlive: Bool) async -> Bool {
        let isHead = head?.method == .head
        let version = head?.version ?? .http1_1
        switch response.body {
        case .bytes:
            appendResponse(response, isHead: isHead, version: version, keepAlive: keepAlive)
            return keepAlive
        case .stream(let produce):
            let code = response.status.code
            let bodyless = code < 200 || code == 204 || code == 304
            // HTTP/1.0 has no chunked coding: the body ends when the connection closes.
            let chunked = version >= .http1_1
            let keepAlive = keepAlive && chunked
            ResponseHeadWriter.write(
                status: response.status,
                headers: response.headers,
                framing: bodyless ? .noBody : (chunked ? .chunked : .noBody),
                connection: connectionField(keepAlive: keepAlive, version: version),
                dateField: loop.dateField,
                into: &output
            )
            guard !isHead && !bodyless else { return keepAlive }
            let writer = HTTPBodyWriter(connection: self, chunked: chunked)
            do {
                try await produce(writer)
                writer.finish()
                return keepAlive
            } catch {
                if !isClosed {
                    shared.logger.error("response body failed: \(error)", metadata: ["connection": "\(id)"])
                }
                // Without the last chunk the client knows the body is incomplete.
                inputEnded = true
                return false
            }
        }
    }

    private func appendResponse(_ response: HTTPResponse, isHead: Bool, version: HTTPVersion, keepAlive: Bool) {
        let code = response.status.code
        let bodyless = code < 200 || code == 204 || code == 304
        let bytes: [UInt8]
        if case .bytes(let content) = response.body { bytes = content } else { bytes = [] }
        ResponseHeadWriter.write(
            status: response.status,
            headers: response.headers,
            framing: bodyless ? .noBody : .contentLength(bytes.count),
            connection: connectionField(keepAlive: keepAlive, version: version),
            dateField: loop.dateField,
            into: &output
        )
        if !isHead && !bodyless { output.append(contentsOf: bytes) }
    }

    private func connectionField(keepAlive: Bool, version: HTTPVersion) -> ResponseHeadWriter.ConnectionField {
        if !keepAlive { return .close }
        return version < .http1_1 ? .keepAlive : .none
    }

    /// Appends part of a streaming body, waiting while the output is backed up.
    func writeBodyPart(_ bytes: some Collection<UInt8>, chunked: Bool) async throws {
        guard !isClosed, phase != .lingering else { throw HTTPServerError.connectionClosed }
        if chunked {
            HTTPResponseSerializer.writeChunk(bytes, into: &output)
        } else {
            output.append(contentsOf: bytes)
        }
        if pendingOutput > shared.configuration.maxPendingOutput {
            await waitForDrain()
            guard !isClosed else { throw HTTPServerError.connectionClosed }
        } else {
            loop.scheduleFlush(self)
        }
    }

    /// Ends a chunked body.
    func writeFinalChunk(trailers: HTTPHeaders) {
        guard !isClosed else { return }
        HTTPResponseSerializer.writeFinalChunk(trailers: trailers, into: &output)
    }
}
