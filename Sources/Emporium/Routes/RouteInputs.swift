import Commerce
import Gateway
import HTTP
import ServiceKit

/// Reading request inputs the same way on every route.
enum RouteInputs {
    /// The version an `If-Match` field names (`"3"` or `W/"3"`); `nil` without the field.
    /// - Throws: ``GatewayError`` (412) for a tag that is no version of ours, such as `*` or a list.
    static func expectedVersion(_ request: GatewayRequest) throws -> Int? {
        guard let field = request.http.headers.first(name: "If-Match") else { return nil }
        var tag = HTTPHeaders.trimmingWhitespace(field[...])
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.count >= 3, tag.first == "\"", tag.last == "\"", let version = Int(tag.dropFirst().dropLast()), version > 0 else {
            throw GatewayError(status: .preconditionFailed, detail: "If-Match must be one ETag this resource was sent with, such as \"3\".")
        }
        return version
    }

    /// The query parameter `name` as an integer; `nil` when absent.
    /// - Throws: ``GatewayError`` (400) when present but not an integer.
    static func integer(_ request: GatewayRequest, _ name: String) throws -> Int64? {
        guard let text = request.queryParameter(name) else { return nil }
        guard let value = Int64(text) else { throw GatewayError.invalidField(name, "must be an integer") }
        return value
    }

    /// The query parameter `name` as `true` or `false`; `nil` when absent.
    /// - Throws: ``GatewayError`` (400) when present but neither.
    static func boolean(_ request: GatewayRequest, _ name: String) throws -> Bool? {
        guard let text = request.queryParameter(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw GatewayError.invalidField(name, "must be true or false")
        }
    }

    /// The signed-in caller as a customer: the token's subject (a customer's id is their user id).
    /// - Throws: ``GatewayError`` (401) when the request has no principal.
    static func customer(_ request: GatewayRequest) throws -> CustomerID {
        guard let subject = request.principal?.subject, !subject.isEmpty else {
            throw GatewayError(status: .unauthorized, detail: "The token names no user.")
        }
        return CustomerID(rawValue: subject)
    }

    /// The query parameter `limit`, 1 to `maximum`; `fallback` when absent.
    /// - Throws: ``GatewayError`` (400) when present but not an integer in range.
    static func limit(_ request: GatewayRequest, default fallback: Int, maximum: Int) throws -> Int {
        guard let value = try integer(request, "limit") else { return fallback }
        guard (1...Int64(maximum)).contains(value) else { throw GatewayError.invalidField("limit", "must be between 1 and \(maximum)") }
        return Int(value)
    }
}
