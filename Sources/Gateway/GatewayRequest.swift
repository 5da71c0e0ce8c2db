import Foundation
public import HTTP

/// What a route's mapping closure gets to build the endpoint's request from: the HTTP request, the
/// authenticated principal and the request id, with helpers that fail as `400 Bad Request`.
///
/// ```swift
/// gateway.route(.post, "/api/v1/carts/{id}/items", to: CartEndpoints.addItem, access: .authenticated("customer")) { request in
///     AddItem(cart: CartID(try request.pathParameter("id")), owner: request.principal!.subject, line: try request.decodeBody())
/// }
/// ```
public struct GatewayRequest: Sendable {
    /// The routed HTTP request.
    public var http: HTTPRequest
    /// The verified principal; `nil` on public routes.
    public var principal: Principal?
    /// The request's id.
    public var requestID: String

    /// The path parameter `name` (percent-decoded).
    /// - Throws: ``GatewayError`` (400) when the route has no such parameter.
    public func pathParameter(_ name: String) throws -> String {
        guard let value = http.pathParameters[name] else { throw GatewayError.badRequest("missing path parameter \(name)") }
        return value
    }

    /// The first value of query parameter `name`, or `nil`.
    public func queryParameter(_ name: String) -> String? {
        http.queryParameters[name]
    }

    /// The JSON body decoded as `type`, dates in ISO 8601.
    /// - Throws: ``GatewayError`` (400) when the body is missing or does not decode.
    public func decodeBody<Body: Decodable>(_ type: Body.Type = Body.self) throws -> Body {
        guard !http.body.isEmpty else { throw GatewayError.badRequest("the request needs a JSON body") }
        do {
            return try JSONCoding.decoder().decode(type, from: Data(http.body))
        } catch let error as DecodingError {
            throw GatewayError.badRequest("the body is not valid: \(JSONCoding.describe(error))")
        } catch {
            throw GatewayError.badRequest("the body is not valid JSON")
        }
    }
}

/// The JSON settings of gateway bodies: ISO 8601 dates, sorted keys.
enum JSONCoding {
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A short description of a decoding error that does not echo the body back.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the document" : path
        }
        switch error {
        case .typeMismatch(_, let context): return "wrong type at \(path(context))"
        case .valueNotFound(_, let context): return "missing value at \(path(context))"
        case .keyNotFound(let key, let context): return "missing key \(key.stringValue) in \(path(context))"
        case .dataCorrupted(let context): return "malformed at \(path(context))"
        @unknown default: return "malformed"
        }
    }
}
