import Foundation
import HTTP
import Synchronization

/// `emporium load --record FILE`: every checkout's answer and every stock adjustment of the run, one JSON object a
/// line, appended as it happens. A drill that kills the server under the load reads it afterwards to learn what the
/// clients were told (which orders were answered `201`, for how much) and how much stock the run added.
///
/// Lines, with sorted keys:
///
/// ```
/// {"at":"2026-…Z","delta":99950,"event":"stocked","productId":"p-00001","warehouse":"berlin"}
/// {"at":"2026-…Z","event":"checkout","key":"load-…","ms":5.1,"orderId":"o-…","orderStatus":"confirmed","shopper":3,"status":201,"total":{"currency":"EUR","minorUnits":2599}}
/// {"at":"2026-…Z","event":"checkout","key":"load-…","ms":2.3,"orderId":"o-…","problem":"payments-unavailable","shopper":5,"status":503}
/// {"at":"2026-…Z","event":"checkout","key":"load-…","ms":10000.4,"shopper":7}
/// ```
///
/// `at` is when the answer came (or the request gave up), `ms` how long the request took. A checkout line without
/// `status` got no answer (the connection was refused, reset or timed out). Each line is one
/// write on a file opened for appending, so a process killed between two lines leaves whole lines behind.
final class LoadJournal: Sendable {
    private let file: Mutex<FileHandle>
    /// Where the lines go.
    let path: String

    /// Opens `path` for appending, creating it when it does not exist.
    /// - Throws: ``CLIError`` (73) when the file cannot be created or opened.
    init(path: String) throws(CLIError) {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CLIError(.cannotWrite, "--record: cannot create \(path)", hint: "name a file in a directory you can write to")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CLIError(.cannotWrite, "--record: cannot open \(path) for writing")
        }
        _ = try? handle.seekToEnd()
        self.path = path
        file = Mutex(handle)
    }

    deinit {
        file.withLock { try? $0.close() }
    }

    /// What one line says; `nil` members are left out.
    private struct Line: Encodable {
        var event: String
        var at: String
        var shopper: Int?
        var key: String?
        var ms: Double?
        var status: Int?
        var orderId: String?
        var orderStatus: String?
        var total: Total?
        var problem: String?
        var productId: String?
        var warehouse: String?
        var delta: Int?
    }

    struct Total: Codable {
        var minorUnits: Int64
        var currency: String
    }

    /// Records a stock adjustment the run made before the shoppers started.
    func stocked(_ productId: String, warehouse: String, delta: Int) {
        append(Line(event: "stocked", at: Self.now(), productId: productId, warehouse: warehouse, delta: delta))
    }

    /// Records a checkout's answer, or that it got none (`response` is `nil`): the order's id, status and total for a
    /// `201` or `202`, the problem's type and the order it names otherwise.
    func checkout(shopper: Int, key: String, latency: Duration, response: HTTPClientResponse?) {
        let milliseconds = (latency / .microseconds(100)).rounded() / 10
        var line = Line(event: "checkout", at: Self.now(), shopper: shopper, key: key, ms: milliseconds)
        if let response {
            let code = response.status.code
            line.status = code
            if code == 201 || code == 202, let order = try? JSONDecoder().decode(OrderBody.self, from: Data(response.body)) {
                line.orderId = order.id
                line.orderStatus = order.status
                line.total = order.totals.total
            } else if let problem = try? JSONDecoder().decode(ProblemBody.self, from: Data(response.body)) {
                line.problem = problem.type.map { $0.replacingOccurrences(of: "urn:emporium:problem:", with: "") }
                line.orderId = problem.orderId
            }
            if line.orderId == nil, let location = response.headers.first(name: "Location"), location.hasPrefix("/api/v1/orders/") {
                line.orderId = String(location.dropFirst("/api/v1/orders/".count))
            }
        }
        append(line)
    }

    private struct OrderBody: Decodable {
        struct Totals: Decodable { var total: Total }
        var id: String
        var status: String
        var totals: Totals
    }

    private struct ProblemBody: Decodable {
        var type: String?
        var orderId: String?
    }

    private func append(_ line: Line) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(line) else { return }
        data.append(UInt8(ascii: "\n"))
        // One write per line: a reader, or a kill, never sees half of one.
        file.withLock { try? $0.write(contentsOf: data) }
    }

    private static func now() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
