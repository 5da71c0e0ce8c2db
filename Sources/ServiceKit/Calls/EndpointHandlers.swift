import Foundation

/// The handlers one service instance registers, by endpoint name: what a transport calls.
public struct EndpointHandlers: Sendable {
    struct Entry: Sendable {
        /// The handler as a ``TypedHandler``, type-erased; direct calls get it back with ``typed(_:_:)``.
        let typed: any AnyObject & Sendable
        /// The endpoint's `Request` and `Response` types, which the handler's ``TypedHandler`` is generic over.
        let requestType: ObjectIdentifier
        let responseType: ObjectIdentifier
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
            typed: TypedHandler(handler),
            requestType: ObjectIdentifier(Request.self),
            responseType: ObjectIdentifier(Response.self),
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

extension EndpointHandlers.Entry {
    /// The handler with its types, or `nil` when they are not `Request` and `Response`.
    ///
    /// Two pointer comparisons instead of a dynamic cast: casting to a function type looks up its metadata on
    /// every call.
    func typed<Request, Response>(_: Request.Type, _: Response.Type) -> TypedHandler<Request, Response>? {
        guard requestType == ObjectIdentifier(Request.self), responseType == ObjectIdentifier(Response.self) else { return nil }
        return unsafeDowncast(typed, to: TypedHandler<Request, Response>.self)
    }
}

/// A handler with its types, boxed so that ``EndpointHandlers`` can store handlers of every endpoint together.
final class TypedHandler<Request, Response>: Sendable {
    let call: @Sendable (Request) async throws -> Response

    init(_ call: @escaping @Sendable (Request) async throws -> Response) {
        self.call = call
    }
}
