public import Foundation

extension Envelope {
    /// The envelope in CloudEvents' structured JSON format (`application/cloudevents+json`).
    /// - Throws: ``MessagingError`` when the envelope says its data is JSON but the bytes are not.
    public func jsonData() throws -> Data {
        var object: [String: Any] = [
            "specversion": Self.specVersion,
            "id": id,
            "source": source,
            "type": type,
            "time": Self.formatTime(time),
            "datacontenttype": dataContentType,
        ]
        if let subject { object["subject"] = subject }
        if let traceParent { object["traceparent"] = traceParent }
        if let correlationID { object["correlationid"] = correlationID }
        if let causationID { object["causationid"] = causationID }
        if hasJSONData {
            guard let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
                throw MessagingError.invalidEnvelope("event \(id) says its data is JSON, but it does not parse")
            }
            object["data"] = value
        } else {
            object["data_base64"] = data.base64EncodedString()
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Reads an envelope from CloudEvents' structured JSON format.
    /// - Throws: ``MessagingError/invalidEnvelope(_:)`` naming what is missing or malformed.
    public init(jsonData: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: jsonData) as? [String: Any] else {
            throw MessagingError.invalidEnvelope("not a JSON object")
        }
        func required(_ key: String) throws -> String {
            guard let value = object[key] as? String, !value.isEmpty else {
                throw MessagingError.invalidEnvelope("missing or empty required attribute '\(key)'")
            }
            return value
        }
        let version = try required("specversion")
        guard version == Self.specVersion else {
            throw MessagingError.invalidEnvelope("unsupported specversion '\(version)'; this reader takes 1.0")
        }
        let time: Date
        if let text = object["time"] as? String {
            guard let parsed = Self.parseTime(text) else {
                throw MessagingError.invalidEnvelope("time '\(text)' is not an RFC 3339 timestamp")
            }
            time = parsed
        } else {
            time = Date()
        }
        let contentType = object["datacontenttype"] as? String ?? "application/json"
        let data: Data
        if let base64 = object["data_base64"] as? String {
            guard let decoded = Data(base64Encoded: base64) else {
                throw MessagingError.invalidEnvelope("data_base64 is not valid base64")
            }
            data = decoded
        } else if let value = object["data"] {
            if let text = value as? String, !contentType.lowercased().contains("json") {
                data = Data(text.utf8)
            } else {
                data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
            }
        } else {
            data = Data()
        }
        self.init(
            id: try required("id"),
            source: try required("source"),
            type: try required("type"),
            time: time,
            subject: object["subject"] as? String,
            dataContentType: contentType,
            data: data,
            traceParent: object["traceparent"] as? String,
            correlationID: object["correlationid"] as? String,
            causationID: object["causationid"] as? String
        )
    }

    static func formatTime(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    static func parseTime(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
