import Foundation
import Messaging
import TestSupport
import Testing

@Suite struct EnvelopeTests {
    @Test func structuredJSONFollowsCloudEvents() throws {
        let time = Date(timeIntervalSince1970: 1_790_000_000.123)
        let envelope = Envelope(
            id: "evt-1",
            source: "/emporium/catalog",
            type: "catalog.product-updated.v1",
            time: time,
            subject: "p-42",
            data: Data(#"{"price":1999,"name":"Lamp"}"#.utf8),
            traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            correlationID: "checkout-7",
            causationID: "evt-0"
        )
        let object = try #require(try JSONSerialization.jsonObject(with: envelope.jsonData()) as? [String: Any])
        #expect(object["specversion"] as? String == "1.0")
        #expect(object["id"] as? String == "evt-1")
        #expect(object["source"] as? String == "/emporium/catalog")
        #expect(object["type"] as? String == "catalog.product-updated.v1")
        #expect(object["subject"] as? String == "p-42")
        #expect(object["datacontenttype"] as? String == "application/json")
        #expect(object["traceparent"] as? String == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(object["correlationid"] as? String == "checkout-7")
        #expect(object["causationid"] as? String == "evt-0")
        #expect((object["time"] as? String)?.hasPrefix("2026-09-21T") == true)
        // JSON data is embedded as JSON, not as an escaped string.
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["price"] as? Int == 1999)
        #expect(object["data_base64"] == nil)

        let decoded = try Envelope(jsonData: envelope.jsonData())
        #expect(decoded.id == envelope.id)
        #expect(decoded.subject == envelope.subject)
        #expect(decoded.traceParent == envelope.traceParent)
        #expect(abs(decoded.time.timeIntervalSince(time)) < 0.001)
        let payload = try #require(try JSONSerialization.jsonObject(with: decoded.data) as? [String: Any])
        #expect(payload["name"] as? String == "Lamp")
    }

    @Test func binaryDataTravelsAsBase64() throws {
        let bytes = Data([0, 1, 2, 250, 255])
        let envelope = Envelope(source: "/tests", type: "test.bytes.v1", dataContentType: "application/octet-stream", data: bytes)
        let object = try #require(try JSONSerialization.jsonObject(with: envelope.jsonData()) as? [String: Any])
        #expect(object["data_base64"] as? String == bytes.base64EncodedString())
        #expect(object["data"] == nil)
        #expect(try Envelope(jsonData: envelope.jsonData()).data == bytes)
    }

    @Test func malformedEnvelopesAreRefusedWithTheReason() throws {
        let cases: [(String, String)] = [
            (#"[1, 2]"#, "not a JSON object"),
            (#"{"specversion":"1.0","source":"/x","type":"t"}"#, "'id'"),
            (#"{"specversion":"0.3","id":"1","source":"/x","type":"t"}"#, "specversion"),
            (#"{"specversion":"1.0","id":"1","source":"/x","type":"t","time":"yesterday"}"#, "RFC 3339"),
            (#"{"specversion":"1.0","id":"1","source":"/x","type":"t","data_base64":"***"}"#, "base64"),
        ]
        for (json, reason) in cases {
            #expect {
                try Envelope(jsonData: Data(json.utf8))
            } throws: { error in
                guard case .invalidEnvelope(let text) = error as? MessagingError else { return false }
                return text.contains(reason)
            }
        }
    }

    @Test func typedEventsRoundTripAndWrongTypesAreRefused() throws {
        struct Other: DomainEvent {
            static let eventType = "test.other.v1"
        }
        let envelope = try Envelope(TestEvent(number: 7), source: "/tests", subject: "s")
        #expect(envelope.type == TestEvent.eventType)
        #expect(try envelope.decode(TestEvent.self) == TestEvent(number: 7))
        #expect(throws: MessagingError.wrongEventType(expected: "test.other.v1", actual: TestEvent.eventType)) {
            try envelope.decode(Other.self)
        }
    }
}

@Suite struct EventIDTests {
    @Test func idsAreVersion7UUIDsThatSortByTime() throws {
        let first = EventID.make()
        let uuid = try #require(UUID(uuidString: first))
        #expect(first == uuid.uuidString.lowercased())
        #expect(Array(first)[14] == "7")
        #expect("89ab".contains(Array(first)[19]))
        var generator = SystemRandomNumberGenerator()
        let earlier = EventID.make(milliseconds: 1_800_000_000_000, using: &generator)
        let later = EventID.make(milliseconds: 1_800_000_000_001, using: &generator)
        #expect(earlier < later)
        // The first 48 bits are the millisecond timestamp.
        #expect(
            String(later.replacingOccurrences(of: "-", with: "").prefix(12))
                == String(1_800_000_000_001, radix: 16, uppercase: false).leftPadded(to: 12)
        )
        let many = (0..<1000).map { _ in EventID.make() }
        #expect(Set(many).count == 1000)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
