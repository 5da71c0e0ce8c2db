import Foundation

/// The handlers one service instance registers, by endpoint name: what a transport calls.
public struct EndpointHandlers: Sendable {
    struct Entry: Sendable {
        /// The handler as `@Sendable (Request) async throws -> Response`, type-erased; direct calls cast it back.
        let typed: any Sendable
        /// The handler behind JSON: request bytes in, reply bytes out (a ``WireReply``).
        let serialized: @Sendable (Data) async -> Data
    }

    private(set) var entries: [String: Entry] = [:]

    /// An empty table.
    public init() {}

    /// Registers the handler of `endpoint`.
    /// - Precondition: the endpoint has no handler yet.
    public mutating func register<Request, Response>(
        _ endpoint: Endpoint<Request, Response>,
        _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        precondition(entries[endpoint.name] == nil, "\(endpoint.name) is registered twice")
        let name = endpoint.name
        entries[endpoint.name] = Entry(
            typed: handler,
            serialized: { body in
                let request: Request
                do {
                    request = try WireCodec.decoder.decode(Request.self, from: body)
                } catch {
                    return WireReply.failure(.badRequest(endpoint: name, reason: String(describing: error))).encoded()
                }
                do {
                    let response = try await handler(request)
                    return WireReply.success(try WireCodec.encoder.encode(response)).encoded()
                } catch {
                    return WireReply.error(error, endpoint: name).encoded()
                }
            }
        )
    }

    /// The names of the registered endpoints, sorted.
    public var endpointNames: [String] { entries.keys.sorted() }

    func entry(_ name: String) -> Entry? { entries[name] }
}
