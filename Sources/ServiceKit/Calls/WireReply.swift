import Foundation

/// The JSON codec used on the wire: dates as ``WireDates`` writes them, so a serialized call returns the same
/// values as a direct one.
enum WireCodec {
    static let encoder = WireDates.encoder()

    static let decoder = WireDates.decoder()
}

/// A serialized reply: the response, the endpoint's typed failure, or an undeclared error.
///
/// On the wire: `{"ok": <response>}`, `{"failure": <typed error>}`, `{"idempotency": <IdempotencyFailure>}` or
/// `{"error": <RemoteCallError>}`. Idempotency failures have their own member because any idempotent endpoint
/// throws them besides its own failure type, and the reader must know which type to decode.
enum WireReply {
    case success(Data)
    case declared(Data)
    case idempotency(Data)
    case failure(RemoteCallError)

    /// The reply for an error a handler threw: its declared failure if it is one, else an internal error (or an
    /// unavailable service, when the error says so).
    static func error(_ error: any Error, endpoint: String) -> WireReply {
        if let failure = error as? IdempotencyFailure, let data = try? WireCodec.encoder.encode(failure) {
            return .idempotency(data)
        }
        if let failure = error as? any ServiceFailure, let data = try? WireCodec.encoder.encode(failure) {
            return .declared(data)
        }
        if let remote = error as? RemoteCallError {
            return .failure(remote)
        }
        return .failure(RemoteCallError.undeclared(error, endpoint: endpoint))
    }

    func encoded() -> Data {
        var data = Data()
        switch self {
        case .success(let body):
            data.append(contentsOf: #"{"ok":"#.utf8)
            data.append(body)
        case .declared(let body):
            data.append(contentsOf: #"{"failure":"#.utf8)
            data.append(body)
        case .idempotency(let body):
            data.append(contentsOf: #"{"idempotency":"#.utf8)
            data.append(body)
        case .failure(let error):
            data.append(contentsOf: #"{"error":"#.utf8)
            data.append((try? WireCodec.encoder.encode(error)) ?? Data("null".utf8))
        }
        data.append(UInt8(ascii: "}"))
        return data
    }

    /// Decodes a reply: returns the response or throws the declared failure or the remote error.
    static func decode<Response: Decodable>(
        _ data: Data,
        as type: Response.Type,
        failure: any ServiceFailure.Type,
        endpoint: String
    ) throws
        -> Response
    {
        let reply: Reply<Response>
        do {
            reply = try WireCodec.decoder.decode(Reply<Response>.self, from: data)
        } catch {
            throw RemoteCallError(kind: .badReply, endpoint: endpoint, message: String(describing: error))
        }
        if let ok = reply.ok { return ok }
        if let error = reply.error { throw error }
        if let idempotency = reply.idempotency { throw idempotency }
        // A declared failure: decode it as the endpoint's failure type.
        let declared: any ServiceFailure
        do {
            declared = try decodeFailure(failure, from: data)
        } catch {
            throw RemoteCallError(kind: .badReply, endpoint: endpoint, message: "undecodable failure: \(error)")
        }
        throw declared
    }

    private static func decodeFailure<F: ServiceFailure>(_ type: F.Type, from data: Data) throws -> any ServiceFailure {
        try WireCodec.decoder.decode(FailureReply<F>.self, from: data).failure
    }

    private struct Reply<Response: Decodable>: Decodable {
        let ok: Response?
        let error: RemoteCallError?
        let idempotency: IdempotencyFailure?
    }

    private struct FailureReply<F: ServiceFailure>: Decodable {
        let failure: F
    }
}
