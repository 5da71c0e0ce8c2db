import Foundation
import HTTP

#if canImport(Glibc)
import Glibc
#endif

/// HTTP server figures wrk cannot see: resident memory before and after 1,000,000 keep-alive requests (it must
/// stay flat), and the rate of one pipelining connection.
///
/// The client is a blocking socket that writes 16 pipelined requests at a time and reads the replies into a
/// reused buffer, so it adds no memory per request: growth is the server's.
struct HTTPSuite: BenchmarkSuite {
    func run(options: BenchmarkOptions) async throws {
        var router = HTTPRouter()
        let body = Array(#"{"id":"p7","name":"Product 7","priceCents":1007,"currency":"USD"}"#.utf8)
        router.get("/products/{id}") { _, _ in
            HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: body)
        }
        let server = HTTPServer(configuration: HTTPServer.Configuration(port: 0), responder: router)
        let port = try server.start()
        defer { Task { await server.shutdown() } }
        let client = try PipelinedClient(port: port, target: "/products/p7")

        // Warm up: buffers, caches and the allocator reach their working size.
        try client.send(requests: 100_000)
        let rssBefore = residentMegabytes()
        let total = 1_000_000
        let clock = ContinuousClock()
        let start = clock.now
        for done in stride(from: 0, to: total, by: 100_000) {
            try client.send(requests: 100_000)
            Progress.say("  http.rss: \(done + 100_000) requests, \(String(format: "%.1f", residentMegabytes())) MB resident")
        }
        let rate = Double(total) / ((clock.now - start) / .seconds(1))
        let rssAfter = residentMegabytes()
        Progress.figure("http.rss.before-1m-requests", rssBefore, "MB")
        Progress.figure("http.rss.after-1m-requests", rssAfter, "MB")
        Progress.figure("http.rss.growth-over-1m-requests", rssAfter - rssBefore, "MB")
        Progress.figure("http.pipelined-requests.one-connection", rate, "req/s")
    }

}

/// One keep-alive connection on a blocking socket, sending pipelined GETs and reading fixed-size replies.
private final class PipelinedClient {
    private let fd: CInt
    private let batch: [UInt8]
    private let batchSize = 16
    private let responseSize: Int
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init(port: Int, target: String) throws {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClientError(reason: "connect failed: \(String(cString: strerror(errno)))") }
        let request = Array("GET \(target) HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
        batch = Array((0..<batchSize).map { _ in request }.joined())
        // One request first, to learn the (fixed) size of a reply: head up to the blank line, then Content-Length.
        try Self.writeAll(fd, request)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { throw ClientError(reason: "connection closed during the first reply") }
            received += chunk[..<count]
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self).lowercased()
                guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                    let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                else { throw ClientError(reason: "the reply has no Content-Length") }
                let size = end.upperBound + length
                while received.count < size {
                    let more = read(fd, &chunk, chunk.count)
                    guard more > 0 else { throw ClientError(reason: "connection closed during the first reply") }
                    received += chunk[..<more]
                }
                responseSize = size
                break
            }
        }
    }

    deinit { close(fd) }

    /// Sends `requests` requests (a multiple of 16) and reads every reply.
    func send(requests: Int) throws {
        for _ in 0..<(requests / batchSize) {
            try Self.writeAll(fd, batch)
            var remaining = responseSize * batchSize
            while remaining > 0 {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, remaining)) }
                guard count > 0 else { throw ClientError(reason: "connection closed") }
                remaining -= count
            }
        }
    }

    private static func writeAll(_ fd: CInt, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw ClientError(reason: "write failed: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    struct ClientError: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }
}
