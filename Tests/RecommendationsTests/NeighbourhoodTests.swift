import Foundation
import ModuleKit
import RecommendationsAPI
import ServiceKit
import Testing

@testable import Recommendations

/// Each product's neighbours as the Space-Saving algorithm counts them, as a value.
@Suite struct NeighbourhoodTests {
    @Test func aNewcomerToAFullListTakesTheWeakestsPlaceAndItsCountAsError() {
        var neighbours = Neighbourhood(stored: [:])
        for key in 1...Int64(Learning.neighbourCapacity) { neighbours.add(Double(key), to: key) }
        #expect(neighbours.entries.count == Learning.neighbourCapacity)
        #expect(neighbours.entries.values.allSatisfy { $0.error == 0 })

        neighbours.add(5, to: 100)
        #expect(neighbours.entries[1] == nil)
        #expect(neighbours.entries[100] == Neighbourhood.Entry(strength: 6, error: 1))
        #expect(neighbours.entries.count == Learning.neighbourCapacity)
        // A neighbour already listed just counts on.
        neighbours.add(2, to: 100)
        #expect(neighbours.entries[100] == Neighbourhood.Entry(strength: 8, error: 1))
        // Among equally weak neighbours the one first heard of (the lower key) goes.
        neighbours.add(1, to: 2)
        neighbours.add(1, to: 200)
        #expect(neighbours.entries[2] == nil && neighbours.entries[3] != nil)
        #expect(neighbours.entries[200] == Neighbourhood.Entry(strength: 4, error: 3))
        #expect(neighbours.stored.isEmpty)
    }
}

extension RecommendationsTests {
    @Test func aLandmarkFarBehindIsMovedWithoutChangingTheAnswers() async throws {
        // A half-life of 14.4 minutes: 2.9 days are 290 half-lives, past the 256 at which the landmark moves.
        try await RecommendationsFixture.with(settings: ["recommendations.half-life": "0.01"]) { fixture in
            try await fixture.stock(product("p-lamp"), product("p-shade"), product("p-bulb"), product("p-plug"))
            try await fixture.publish(
                try placed("c-1", ["p-lamp", "p-shade"], at: daysAgo(3)),
                try placed("c-2", ["p-lamp", "p-shade"], at: daysAgo(3)),
                try placed("c-3", ["p-lamp", "p-plug"], at: daysAgo(3))
            )
            let before = try await fixture.scalar("SELECT landmark_us FROM learner")
            try await fixture.publish(try placed("c-4", ["p-lamp", "p-bulb"], at: daysAgo(0.1)))
            let moved = try await fixture.scalar("SELECT landmark_us FROM learner")
            #expect(moved - before == 2.9 * 86_400 * 1_000_000)
            let page = try await fixture.forProduct("p-lamp")
            #expect(page.ids == ["p-bulb", "p-shade", "p-plug"])
            #expect(page.items[0].score == 1)
            // The older pairs are still ranked among themselves, though their scores round to nothing.
            #expect(page.items[1].score == 0 && page.items[2].score == 0)
            #expect(try await fixture.scalar("SELECT max(popularity) FROM item") < 2)

            _ = try await fixture.recommendations.rebuild()
            #expect(try await fixture.forProduct("p-lamp") == page)
            #expect(try await fixture.scalar("SELECT landmark_us FROM learner") == moved)
        }
    }
}
