package import Foundation

/// How dates cross a wire and sit in event payloads: exactly.
///
/// They are written as Foundation writes a `Date` by default, a JSON number of seconds since 2001-01-01 00:00 UTC
/// (`818234815.2481476`). That number *is* the `Double` a `Date` stores, and JSON numbers carry a `Double` exactly
/// (the encoder writes the shortest text that reads back to the same value), so a date that crosses the wire equals
/// the one sent, fractions of a second and all. ISO 8601 text, used before, keeps whole seconds only; seconds since
/// 1970 would need an addition that can round.
///
/// Reading also accepts ISO 8601 text, with or without fractional seconds, so payloads written by earlier versions
/// (events still in an outbox, dead letters) still decode.
package enum WireDates {
    /// The decoding strategy: a number of seconds since 2001-01-01, or ISO 8601 text.
    package static let decodingStrategy: JSONDecoder.DateDecodingStrategy = .custom { decoder in
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            return Date(timeIntervalSinceReferenceDate: seconds)
        }
        let text = try container.decode(String.self)
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "a date is a number of seconds since 2001 or ISO 8601 text")
    }

    /// A JSON encoder that writes dates losslessly (Foundation's default).
    package static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .deferredToDate
        return encoder
    }

    /// A JSON decoder that reads what ``encoder()`` writes, and ISO 8601 dates.
    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = decodingStrategy
        return decoder
    }
}
