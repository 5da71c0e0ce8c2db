public import Foundation
import ServiceKit
public import Telemetry

/// An event on the bus: a past-tense fact with the context attributes of CloudEvents 1.0, plus the trace and
/// causality extensions Emporium adds (`traceparent`, `correlationid`, `causationid`).
///
/// Its JSON form (``jsonData()``, ``init(jsonData:)``) is CloudEvents' structured JSON format: a JSON payload
/// sits under `data` as JSON, any other payload under `data_base64`, so any CloudEvents consumer can read it.
public struct Envelope: Sendable, Hashable {
    /// Unique per event; with `source`, identifies it (CloudEvents `id`). Inboxes deduplicate on it.
    public var id: String
    /// The context that produced the event, a URI-reference such as `/emporium/catalog` (CloudEvents `source`).
    public var source: String
    /// The event type and topic, past tense and versioned: `catalog.product-updated.v1` (CloudEvents `type`).
    public var type: String
    /// When the fact happened (CloudEvents `time`).
    public var time: Date
    /// What the event is about, such as an order id; events with the same subject are delivered in order.
    public var subject: String?
    /// The media type of `data`; `application/json` unless said otherwise.
    public var dataContentType: String
    /// The payload bytes.
    public var data: Data
    /// The W3C `traceparent` of the span that published the event, so handling joins the same trace. The
    /// initializers take the current span's by default.
    public var traceParent: String?
    /// The id shared by every message of one business transaction (for example a checkout).
    public var correlationID: String?
    /// The id of the message that caused this one.
    public var causationID: String?

    /// The CloudEvents version this envelope follows.
    public static let specVersion = "1.0"

    /// Creates an envelope.
    public init(
        id: String = EventID.make(),
        source: String,
        type: String,
        time: Date = Date(),
        subject: String? = nil,
        dataContentType: String = "application/json",
        data: Data,
        traceParent: String? = TraceContext.current?.traceParent.description,
        correlationID: String? = nil,
        causationID: String? = nil
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.subject = subject
        self.dataContentType = dataContentType
        self.data = data
        self.traceParent = traceParent
        self.correlationID = correlationID
        self.causationID = causationID
    }

    /// Wraps a typed event, encoding it as JSON.
    ///
    /// ```swift
    /// let envelope = try Envelope(ProductUpdated(id: id, price: price), source: "/emporium/catalog", subject: id.rawValue)
    /// ```
    /// - Throws: `EncodingError` if the event does not encode.
    public init<E: DomainEvent>(
        _ event: E,
        source: String,
        subject: String? = nil,
        time: Date = Date(),
        traceParent: String? = TraceContext.current?.traceParent.description,
        correlationID: String? = nil,
        causationID: String? = nil
    ) throws {
        self.init(
            source: source,
            type: E.eventType,
            time: time,
            subject: subject,
            data: try Self.encoder.encode(event),
            traceParent: traceParent,
            correlationID: correlationID,
            causationID: causationID
        )
    }

    /// Decodes the payload as a typed event.
    /// - Throws: ``MessagingError`` when the envelope's type is not `E`'s, or `DecodingError` for a bad payload.
    public func decode<E: DomainEvent>(_ type: E.Type) throws -> E {
        guard self.type == E.eventType else {
            throw MessagingError.wrongEventType(expected: E.eventType, actual: self.type)
        }
        return try Self.decoder.decode(E.self, from: data)
    }

    /// Whether the payload is JSON, so the structured format embeds it as a JSON value.
    public var hasJSONData: Bool {
        let base = dataContentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return base == "application/json" || base == "text/json" || base.hasSuffix("+json")
    }

    /// Payload dates are exact (``ServiceKit/WireDates``): a handler sees the date the publisher wrote, to the
    /// fraction of a second, and older ISO 8601 payloads still decode.
    static let encoder: JSONEncoder = {
        let encoder = WireDates.encoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder = WireDates.decoder()
}
