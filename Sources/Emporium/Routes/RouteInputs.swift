import Gateway
import HTTP

/// Reading request inputs the same way on every route.
enum RouteInputs {
    /// The version an `If-Match` field names (`"3"` or `W/"3"`); `nil` without the field.
    /// - Throws: ``GatewayError`` (412) for a tag that is no version of ours, such as `*` or a list.
    static func expectedVersion(_ request: GatewayRequest) throws -> Int? {
        guard let field = request.http.headers.first(name: "If-Match") else { return nil }
        var tag = HTTPHeaders.trimmingWhitespace(field[...])
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.count >= 3, tag.first == "\"", tag.last == "\"", let version = Int(tag.dropFirst().dropLast()), version > 0 else {
            throw GatewayError(status: .preconditionFailed, detail: "If-Match must be one ETag of the product, such as \"3\".")
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
}
