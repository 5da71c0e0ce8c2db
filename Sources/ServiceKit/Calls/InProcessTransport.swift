import Foundation

/// Calls handlers registered in this process.
///
/// - ``Mode/direct`` calls the handler with the request value: no encoding, the fastest path.
/// - ``Mode/serialized`` encodes the request and the reply as JSON on the way, as a network transport would,
///   which proves the API could cross a wire (every request, response and declared error must round-trip).
///   Tests default to it.
///
/// Both modes report undeclared handler errors as ``RemoteCallError`` with kind `internalError` (`unavailable` when
/// the error says the service is temporarily unavailable, ``UnavailabilityReporting``), so callers see the same
/// thing whichever mode is in use.
public struct InProcessTransport: Transport {
    /// How calls reach the handler.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Pass values as they are.
        case direct
        /// Encode and decode JSON around every call.
        case serialized
    }

    /// The mode in use.
    public let mode: Mode

    /// Creates a transport.
    public init(mode: Mode) {
        self.mode = mode
    }

    nonisolated(nonsending) public func call<Request, Response>(
        _ endpoint: Endpoint<Request, Response>,
        _ request: Request,
        on instance: ServiceInstance
    ) async throws
        -> Response
    {
        guard case .inProcess(let handlers) = instance.address, let entry = handlers.entry(endpoint.name) else {
            throw RemoteCallError(kind: .unknownEndpoint, endpoint: endpoint.name, message: "instance \(instance.id) has no handler for it")
        }
        switch mode {
        case .direct:
            guard let handler = entry.typed(Request.self, Response.self)?.call else {
                throw RemoteCallError(kind: .badRequest, endpoint: endpoint.name, message: "handler types differ from the endpoint's")
            }
            do {
                return try await handler(request)
            } catch let error as any ServiceFailure {
                throw error
            } catch let error as RemoteCallError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw RemoteCallError.undeclared(error, endpoint: endpoint.name)
            }
        case .serialized:
            let body: Data
            do {
                body = try WireCodec.encoder.encode(request)
            } catch {
                throw RemoteCallError(kind: .badRequest, endpoint: endpoint.name, message: "request does not encode: \(error)")
            }
            let reply = await entry.serialized(body)
            try Task.checkCancellation()
            return try WireReply.decode(reply, as: Response.self, failure: endpoint.failure, endpoint: endpoint.name)
        }
    }
}
