import Foundation
import ServiceKit
import Testing

/// A serialized call returns the same dates as a direct one, to the fraction of a second.
@Suite struct WireDatesTests {
    struct Stamped: Codable, Sendable, Hashable {
        var name: String
        var at: Date
        var history: [Date]
    }

    /// Dates with sub-second parts a whole-second format would lose, and a few that are hard to print exactly.
    static let dates = [
        Date(timeIntervalSince1970: 1_790_000_000.123_456),
        Date(timeIntervalSinceReferenceDate: 0.1),
        Date(timeIntervalSinceReferenceDate: -123_456_789.987_654_321),
        Date(timeIntervalSinceReferenceDate: .ulpOfOne),
        Date(timeIntervalSinceReferenceDate: 818_234_815.248_147_6),
    ]

    private static func instance() -> ServiceInstance {
        var handlers = EndpointHandlers()
        handlers.register(Endpoint<Int, Date>("clock.date", failure: PricingError.self)) { index in dates[index] }
        handlers.register(Endpoint<Stamped, Stamped>("clock.echo", failure: PricingError.self)) { stamped in
            Stamped(name: stamped.name, at: stamped.at, history: stamped.history + [dates[0]])
        }
        return ServiceInstance(service: "clock", id: "clock-1", version: "1", address: .inProcess(handlers))
    }

    @Test(arguments: InProcessTransport.Mode.allCases)
    func datesArriveExactlyAsTheyWereSent(mode: InProcessTransport.Mode) async throws {
        let instance = Self.instance()
        let transport = InProcessTransport(mode: mode)
        for index in Self.dates.indices {
            let date = try await transport.call(Endpoint<Int, Date>("clock.date", failure: PricingError.self), index, on: instance)
            #expect(date == Self.dates[index], "\(mode) \(index)")
        }
        let sent = Stamped(name: "lamp", at: Self.dates[2], history: Array(Self.dates.dropFirst()))
        let echoed = try await transport.call(Endpoint<Stamped, Stamped>("clock.echo", failure: PricingError.self), sent, on: instance)
        #expect(echoed == Stamped(name: "lamp", at: sent.at, history: sent.history + [Self.dates[0]]))
    }

    @Test func bothModesAnswerEqualValues() async throws {
        let instance = Self.instance()
        let endpoint = Endpoint<Stamped, Stamped>("clock.echo", failure: PricingError.self)
        let sent = Stamped(name: "lamp", at: Self.dates[0], history: Self.dates)
        let direct = try await InProcessTransport(mode: .direct).call(endpoint, sent, on: instance)
        let serialized = try await InProcessTransport(mode: .serialized).call(endpoint, sent, on: instance)
        #expect(direct == serialized)
    }
}
