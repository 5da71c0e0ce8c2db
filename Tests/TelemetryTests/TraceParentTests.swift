import Telemetry
import Testing

@Suite struct TraceParentTests {
    @Test func parsesTheSpecExample() throws {
        let parent = try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(parent.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.spanID.description == "00f067aa0ba902b7")
        #expect(parent.flags == .sampled)
        #expect(parent.isSampled)

        let unsampled = try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!unsampled.isSampled)
    }

    @Test(arguments: [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ff",
    ])
    func formatsBackExactlyWhatItParsed(header: String) throws {
        let parent = try #require(TraceParent(header))
        #expect(parent.description == header)
        #expect(TraceParent(parent.description) == parent)
    }

    @Test(arguments: [
        ("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        (
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ),
        ("01-12345678901234567890123456789012-1234567890123456-00-", "00-12345678901234567890123456789012-1234567890123456-00"),
    ])
    func acceptsFutureVersionsAndFormatsThemAsVersion00(header: String, formatted: String) throws {
        let parent = try #require(TraceParent(header))
        #expect(parent.description == formatted)
    }

    @Test(arguments: [
        // trace id all zeros
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        // parent id all zeros
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        // version ff is forbidden
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // uppercase hex in each field
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        // non-hex characters
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b.-01",
        "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-x1",
        // too short and too long fields
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "",
        "00",
        // bad separators
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736.00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 01",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // version 00 with trailing data
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-not-be-like",
        // a future version must separate extra fields with a dash
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future-will-not-be-like",
        // a future version still needs valid fields
        "cc-00000000000000000000000000000000-00f067aa0ba902b7-01-extra",
    ])
    func rejectsInvalidHeaders(header: String) {
        #expect(TraceParent(header) == nil)
    }

    @Test func randomIDsAreValidAndDistinct() {
        let traceIDs = Set((0..<1_000).map { _ in TraceID.random() })
        let spanIDs = Set((0..<1_000).map { _ in SpanID.random() })
        #expect(traceIDs.count == 1_000)
        #expect(spanIDs.count == 1_000)
        for id in traceIDs.prefix(20) {
            #expect(TraceID(hex: id.description) == id)
            #expect(id.description.count == 32)
        }
        for id in spanIDs.prefix(20) {
            #expect(SpanID(hex: id.description) == id)
        }
    }

    @Test func traceContextRoundTripsThroughTheHeader() throws {
        let incoming = try #require(TraceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
        let context = TraceContext(incoming)
        #expect(context.traceParent == incoming)
    }
}
