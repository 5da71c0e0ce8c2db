/// The W3C Trace Context `traceparent` header: `version-traceid-parentid-flags`.
///
/// ```swift
/// let parent = TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
/// parent?.traceID.description  // "4bf92f3577b34da6a3ce929d0e0e4736"
/// ```
///
/// Parsing follows <https://www.w3.org/TR/trace-context/#traceparent-header>: all fields are lowercase hex,
/// version `ff` and all-zero ids are invalid, and version `00` has exactly four fields. A higher version is
/// accepted for forward compatibility when its first four fields parse as version `00` and anything after
/// them starts with `-`; the extra fields are ignored. Formatting always writes version `00`.
public struct TraceParent: Sendable, Hashable {
    /// The trace the sender's span belongs to.
    public var traceID: TraceID
    /// The sender's span (the header's `parent-id`): the parent of the span the receiver starts.
    public var spanID: SpanID
    /// The trace flags, such as ``TraceFlags/sampled``.
    public var flags: TraceFlags

    /// Creates a header value from its fields.
    ///
    /// - Parameters:
    ///   - traceID: The trace id.
    ///   - spanID: The id of the span that sends the header.
    ///   - flags: The trace flags.
    public init(traceID: TraceID, spanID: SpanID, flags: TraceFlags) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// Whether the sender may have recorded the trace.
    public var isSampled: Bool {
        self.flags.contains(.sampled)
    }
}

extension TraceParent: LosslessStringConvertible {
    /// The header value in version `00` form, for example `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.version00Length)
        bytes.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: "0"), UInt8(ascii: "-")])
        Hex.append(self.traceID.high, digits: 16, to: &bytes)
        Hex.append(self.traceID.low, digits: 16, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Hex.append(self.spanID.rawValue, digits: 16, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Hex.append(UInt64(self.flags.rawValue), digits: 2, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a `traceparent` header value; `nil` if it is invalid.
    ///
    /// The value must already be stripped of surrounding whitespace, as HTTP field parsing does.
    ///
    /// - Parameter description: The header value.
    public init?(_ description: String) {
        let bytes = Array(description.utf8)
        guard bytes.count >= Self.version00Length, let version = Hex.parse(bytes[0..<2]), version != 0xFF else { return nil }
        if version == 0 {
            guard bytes.count == Self.version00Length else { return nil }
        } else if bytes.count > Self.version00Length {
            guard bytes[Self.version00Length] == UInt8(ascii: "-") else { return nil }
        }
        let dash = UInt8(ascii: "-")
        guard bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
            let high = Hex.parse(bytes[3..<19]),
            let low = Hex.parse(bytes[19..<35]),
            let traceID = TraceID(high: high, low: low),
            let span = Hex.parse(bytes[36..<52]),
            let spanID = SpanID(rawValue: span),
            let flags = Hex.parse(bytes[53..<55])
        else { return nil }
        self.init(traceID: traceID, spanID: spanID, flags: TraceFlags(rawValue: UInt8(flags)))
    }

    private static let version00Length = 55
}
