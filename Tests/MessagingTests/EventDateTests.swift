import Foundation
import Messaging
import Testing

/// An event's dates reach its handlers exactly as the publisher wrote them, through the envelope's JSON form
/// (what the outbox stores and the bus carries).
@Suite struct EventDateTests {
    struct Registered: DomainEvent, Equatable {
        static let eventType = "test.registered.v1"
        var user: String
        var createdAt: Date
        var sessions: [Date]
    }

    @Test func payloadDatesRoundTripToTheFractionOfASecond() throws {
        let event = Registered(
            user: "u-1",
            createdAt: Date(timeIntervalSince1970: 1_790_000_000.123_456),
            sessions: [Date(timeIntervalSinceReferenceDate: 0.1), Date(timeIntervalSinceReferenceDate: -1.000_000_7)]
        )
        let envelope = try Envelope(event, source: "/tests", subject: "u-1")
        #expect(try envelope.decode(Registered.self) == event)
        let stored = try Envelope(jsonData: envelope.jsonData())
        #expect(try stored.decode(Registered.self) == event)
    }

    @Test func payloadsWithISO8601DatesFromEarlierVersionsStillDecode() throws {
        let whole = Envelope(
            source: "/tests",
            type: Registered.eventType,
            data: Data(#"{"user":"u-1","createdAt":"2026-09-21T10:00:00Z","sessions":["2026-09-21T10:00:00.250Z"]}"#.utf8)
        )
        let decoded = try whole.decode(Registered.self)
        #expect(decoded.createdAt == Date(timeIntervalSince1970: 1_789_984_800))
        #expect(decoded.sessions == [Date(timeIntervalSince1970: 1_789_984_800.25)])
    }
}
