import Telemetry
import Testing

/// Reading metrics in process: what the operations dashboard shows without scraping `/metrics`.
@Suite struct MetricSamplesTests {
    @Test func samplesGiveEachLabelSetsValue() {
        let registry = MetricsRegistry()
        registry.makeCounter(name: "requests_total", labels: [("status", "200")]).increment(by: 3)
        registry.makeCounter(name: "requests_total", labels: [("status", "500")]).increment()
        registry.makeGauge(name: "depth").set(to: 7)

        let requests = registry.samples(named: "requests_total")
        #expect(requests.map(\.labels) == [["status": "200"], ["status": "500"]])
        #expect(requests.map(\.value) == [3, 1])
        #expect(registry.samples(named: "depth").first?.value == 7)
        #expect(registry.samples(named: "absent").isEmpty)
    }

    @Test func histogramQuantilesInterpolateInsideTheirBucketAsPrometheusDoes() throws {
        let registry = MetricsRegistry()
        let histogram = registry.makeHistogram(name: "latency_seconds", buckets: [0.1, 0.2, 0.4])
        #expect(registry.samples(named: "latency_seconds").first?.histogram?.quantile(0.5) == nil)
        for _ in 0..<50 { histogram.record(0.05) }
        for _ in 0..<50 { histogram.record(0.15) }
        let snapshot = try #require(registry.samples(named: "latency_seconds").first?.histogram)
        #expect(snapshot.count == 100)
        #expect(snapshot.cumulativeCounts == [50, 100, 100])
        // Rank 50 is the top of the first bucket; rank 75 halfway through the second.
        #expect(snapshot.quantile(0.5) == 0.1)
        #expect(abs(try #require(snapshot.quantile(0.75)) - 0.15) < 1e-9)
        histogram.record(9)
        // Beyond the last finite bound, the answer is that bound.
        #expect(registry.samples(named: "latency_seconds").first.flatMap(\.histogram).flatMap { $0.quantile(1) } == 0.4)
    }
}
