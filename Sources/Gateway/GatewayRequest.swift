import Foundation
public import HTTP
import ServiceKit

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
        guard let value = http.pathParameters[name] else { throw GatewayError.invalidField(name, "is missing from the path") }
        return value
    }

    /// The first value of query parameter `name`, or `nil`.
    public func queryParameter(_ name: String) -> String? {
        http.queryParameters[name]
    }

    /// The JSON body decoded as `type`, dates in ISO 8601.
    ///
    /// A body is strict: a member `type` does not know is refused, not ignored, so that a misspelt optional
    /// member (`"image"` for `"images"`) is an error the client sees rather than data silently dropped. A member
    /// whose value is `null` counts as absent. Members are known by what `type`'s `Encodable` conformance writes
    /// back, so a request type must encode every member it decodes (synthesized conformances do).
    /// - Throws: ``GatewayError`` (400): `missing-body` without a body, `malformed-json` when it is not JSON,
    ///   `invalid-body` listing the wrong members in `errors` (one missing, of the wrong type, or unknown).
    public func decodeBody<Body: Codable>(_ type: Body.Type = Body.self) throws -> Body {
        guard !http.body.isEmpty else {
            throw GatewayError(status: .badRequest, detail: "The request needs a JSON body.", problemType: "missing-body")
        }
        let data = Data(http.body)
        guard let document = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw GatewayError(status: .badRequest, detail: "The body is not valid JSON.", problemType: "malformed-json")
        }
        // JSON leaves duplicate members undefined and decoders differ (Foundation's keeps the first): refused, so
        // that no layer reads a different value than another.
        if let duplicate = JSONCoding.duplicateMember(in: http.body) {
            let errors = [FieldError(field: duplicate, message: "appears more than once")]
            throw GatewayError(status: .badRequest, detail: Problem.sentence(describing: errors), problemType: "invalid-body", fieldErrors: errors)
        }
        let body: Body
        do {
            body = try JSONCoding.decoder().decode(type, from: data)
        } catch let error as DecodingError {
            // Foundation's decoder names no member for a number an integer cannot hold (`1.5`, or one past 64 bits):
            // found here, so that the client is told which member rather than that the body is not an object.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let number = JSONCoding.unreadableNumber(in: document, decoding: type)
            {
                let errors = [FieldError(field: number.path, message: number.isFractional ? "must be an integer" : "is a number out of range")]
                throw GatewayError(
                    status: .badRequest,
                    detail: Problem.sentence(describing: errors),
                    problemType: "invalid-body",
                    fieldErrors: errors
                )
            }
            throw JSONCoding.invalidBody(error)
        } catch {
            throw GatewayError(status: .badRequest, detail: "The body is not valid JSON.", problemType: "malformed-json")
        }
        let known = (try? JSONCoding.encoder().encode(body)).flatMap { try? JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) }
        let unknown = JSONCoding.unknownMembers(of: document, known: known, path: "")
        guard unknown.isEmpty else {
            let errors = unknown.map { FieldError(field: $0, message: "is not a field of this request") }
            throw GatewayError(status: .badRequest, detail: Problem.sentence(describing: errors), problemType: "invalid-body", fieldErrors: errors)
        }
        return body
    }
}

/// The JSON settings of gateway bodies: ISO 8601 dates, sorted keys.
enum JSONCoding {
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// The dotted path of the first member that appears twice in one object of `json` (valid JSON), or `nil`.
    static func duplicateMember(in json: [UInt8]) -> String? {
        struct Container {
            var isObject: Bool
            var path: String
            var keys: Set<String> = []
            /// In an array, the element being read.
            var element = 0
        }
        var stack: [Container] = []
        var expectingKey = false
        var lastKey = ""
        var index = 0
        while index < json.count {
            switch json[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let parent = stack.last
                let member = parent.map { $0.isObject ? lastKey : String($0.element) }
                let name = parent.map { $0.path.isEmpty ? member ?? "" : $0.path + "." + (member ?? "") } ?? ""
                stack.append(Container(isObject: json[index] == UInt8(ascii: "{"), path: name))
                expectingKey = json[index] == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                stack.removeLast()
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = stack.last?.isObject ?? false
                if stack.last?.isObject == false { stack[stack.count - 1].element += 1 }
            case UInt8(ascii: ":"):
                expectingKey = false
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                var escaped = false
                while index < json.count, json[index] != UInt8(ascii: "\"") {
                    if json[index] == UInt8(ascii: "\\") {
                        escaped = true
                        index += 1
                    }
                    index += 1
                }
                if expectingKey, !stack.isEmpty {
                    let raw = Array(json[start...min(index, json.count - 1)])
                    let key =
                        escaped
                        ? ((try? JSONSerialization.jsonObject(with: Data(raw), options: [.fragmentsAllowed])) as? String ?? "")
                        : String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
                    if stack[stack.count - 1].keys.insert(key).inserted == false {
                        let path = stack[stack.count - 1].path
                        return path.isEmpty ? key : path + "." + key
                    }
                    lastKey = key
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The `invalid-body` problem for a body that is JSON but not the request: the member, in words, without
    /// echoing the body or naming Swift types.
    static func invalidBody(_ error: DecodingError) -> GatewayError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        let field: String
        let message: String
        switch error {
        case .typeMismatch(let expected, let context):
            (field, message) = (path(context.codingPath), "must be \(kind(expected))")
        case .valueNotFound(let expected, let context):
            (field, message) = (path(context.codingPath), "must be \(kind(expected)), not null")
        case .keyNotFound(let key, let context):
            (field, message) = (path(context.codingPath + [key]), "is required")
        case .dataCorrupted(let context):
            (field, message) = (path(context.codingPath), "does not have a valid value")
        @unknown default:
            (field, message) = ("", "does not have a valid value")
        }
        guard !field.isEmpty else {
            let detail = message == "is required" ? "The body is missing a required member." : "The body must be a JSON object of this request."
            return GatewayError(status: .badRequest, detail: detail, problemType: "invalid-body")
        }
        let errors = [FieldError(field: field, message: message)]
        return GatewayError(status: .badRequest, detail: Problem.sentence(describing: errors), problemType: "invalid-body", fieldErrors: errors)
    }

    /// What a JSON value of `type` is called: `a string`, `an integer`, `an object`.
    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: "a string"
        case is Bool.Type: "true or false"
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is Date.Type: "an ISO 8601 date-time string"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    /// The number in `document` (a parsed JSON body) that kept `type` from decoding, found by putting `0` in its place
    /// and decoding again: the first of at most 8 numbers that are not 64-bit integers whose replacement gets the
    /// decoder further. Its dotted path and whether it has a fractional part; `nil` when no number is to blame.
    static func unreadableNumber<Body: Decodable>(in document: Any, decoding type: Body.Type) -> (path: String, isFractional: Bool)? {
        var candidates: [(path: [String], number: NSNumber)] = []
        func collect(_ value: Any, _ path: [String]) {
            guard candidates.count < 8 else { return }
            switch value {
            case let object as [String: Any]:
                for key in object.keys.sorted() { collect(object[key] as Any, path + [key]) }
            case let array as [Any]:
                for (index, element) in array.enumerated() { collect(element, path + [String(index)]) }
            case let number as NSNumber:
                if !path.isEmpty, Int64(number.stringValue) == nil { candidates.append((path, number)) }
            default:
                break
            }
        }
        func replacing(_ path: ArraySlice<String>, in value: Any) -> Any {
            guard let first = path.first else { return 0 }
            if var object = value as? [String: Any], let member = object[first] {
                object[first] = replacing(path.dropFirst(), in: member)
                return object
            }
            if var array = value as? [Any], let index = Int(first), array.indices.contains(index) {
                array[index] = replacing(path.dropFirst(), in: array[index])
                return array
            }
            return value
        }
        collect(document, [])
        for candidate in candidates {
            guard let data = try? JSONSerialization.data(withJSONObject: replacing(candidate.path[...], in: document), options: [.fragmentsAllowed])
            else { continue }
            do {
                _ = try decoder().decode(type, from: data)
            } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                continue
            } catch {}
            let value = candidate.number.doubleValue
            return (candidate.path.joined(separator: "."), value.isFinite && value != value.rounded(.towardZero))
        }
        return nil
    }

    /// The members of `sent` (a parsed JSON body) that `known` (the decoded body encoded again) does not have,
    /// as dotted paths; a member whose value is `null` is as good as absent.
    static func unknownMembers(of sent: Any, known: Any?, path: String) -> [String] {
        func child(_ name: String) -> String { path.isEmpty ? name : path + "." + name }
        switch sent {
        case let object as [String: Any]:
            // A different shape means the type reads this value its own way: trust its decoding.
            guard let knownObject = known as? [String: Any] else { return [] }
            return object.keys.sorted().flatMap { key -> [String] in
                guard let value = object[key] else { return [] }
                guard let knownValue = knownObject[key] else { return value is NSNull ? [] : [child(key)] }
                return unknownMembers(of: value, known: knownValue, path: child(key))
            }
        case let array as [Any]:
            guard let knownArray = known as? [Any], knownArray.count == array.count else { return [] }
            return zip(array, knownArray).enumerated().flatMap { index, pair in
                unknownMembers(of: pair.0, known: pair.1, path: child(String(index)))
            }
        default:
            return []
        }
    }
}
