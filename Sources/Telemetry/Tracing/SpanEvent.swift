public import Foundation

/// Something that happened at one instant during a span, such as a retry or a recorded error.
public struct SpanEvent: Sendable, Hashable {
    /// What happened, for example `"exception"` or `"retry"`.
    public var name: String
    /// When it happened.
    public var time: Date
    /// Details of the event.
    public var attributes: SpanAttributes

    /// Creates an event.
    ///
    /// - Parameters:
    ///   - name: What happened.
    ///   - time: When it happened.
    ///   - attributes: Details of the event.
    public init(name: String, time: Date, attributes: SpanAttributes = [:]) {
        self.name = name
        self.time = time
        self.attributes = attributes
    }
}
