import Telemetry
import Testing

@Suite struct MetricsRegistryTests {
    @Test func expositionOfASmallRegistryIsExact() {
        let registry = MetricsRegistry()
        let requests = registry.makeCounter(
            name: "http_requests_total",
            labels: [("route", "/a\"b"), ("method", "GET")],
            help: "Requests served.\nBy route \\ method."
        )
        requests.increment(by: 3)
        registry.makeCounter(name: "http_requests_total", labels: [("method", "POST"), ("route", "C:\\path\nnext")]).increment()
        let depth = registry.makeGauge(name: "mailbox_depth", help: "Messages waiting.")
        depth.set(to: 7)
        depth.decrement(by: 2)
        registry.makeGauge(name: "breaker_ratio").set(to: 0.25)
        let latency = registry.makeHistogram(
            name: "request_duration_seconds",
            labels: [("route", "/a")],
            buckets: [0.125, 0.5, 1],
            help: "Latency."
        )
        latency.record(0.0625)
        latency.record(0.125)
        latency.record(.milliseconds(250))
        latency.record(2)

        let expected = #"""
            # TYPE breaker_ratio gauge
            breaker_ratio 0.25
            # HELP http_requests_total Requests served.\nBy route \\ method.
            # TYPE http_requests_total counter
            http_requests_total{method="GET",route="/a\"b"} 3
            http_requests_total{method="POST",route="C:\\path\nnext"} 1
            # HELP mailbox_depth Messages waiting.
            # TYPE mailbox_depth gauge
            mailbox_depth 5
            # HELP request_duration_seconds Latency.
            # TYPE request_duration_seconds histogram
            request_duration_seconds_bucket{route="/a",le="0.125"} 2
            request_duration_seconds_bucket{route="/a",le="0.5"} 3
            request_duration_seconds_bucket{route="/a",le="1"} 3
            request_duration_seconds_bucket{route="/a",le="+Inf"} 4
            request_duration_seconds_sum{route="/a"} 2.4375
            request_duration_seconds_count{route="/a"} 4

            """#
        #expect(registry.exposition() == expected)
    }

    @Test func histogramBucketsAreCumulativeWithInfEqualToCount() {
        let registry = MetricsRegistry()
        let histogram = registry.makeHistogram(name: "handler_duration_seconds")
        #expect(histogram.buckets == Histogram.defaultBuckets)
        for value in [0.001, 0.003, 0.007, 0.2, 0.2, 3, 11, 42] {
            histogram.record(value)
        }

        let buckets = registry.exposition().split(separator: "\n").filter { $0.hasPrefix("handler_duration_seconds_bucket") }
        let counts = buckets.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        #expect(counts == [2, 3, 3, 3, 3, 5, 5, 5, 5, 6, 6, 8])
        #expect(buckets.last == #"handler_duration_seconds_bucket{le="+Inf"} 8"#)
        #expect(histogram.count == 8)
    }

    @Test func sameNameAndLabelsReturnTheSameInstanceWhateverTheLabelOrder() {
        let registry = MetricsRegistry()
        let first = registry.makeCounter(name: "events_total", labels: [("topic", "orders"), ("outcome", "ok")])
        let second = registry.makeCounter(name: "events_total", labels: [("outcome", "ok"), ("topic", "orders")])
        let other = registry.makeCounter(name: "events_total", labels: [("outcome", "error"), ("topic", "orders")])
        #expect(first === second)
        #expect(first !== other)
        #expect(registry.makeGauge(name: "depth") === registry.makeGauge(name: "depth"))
        #expect(registry.makeHistogram(name: "latency_seconds") === registry.makeHistogram(name: "latency_seconds"))
        first.increment()
        #expect(second.value == 1)
        #expect(first.labels.map(\.0) == ["outcome", "topic"])
    }

    @Test func concurrentUpdatesFromManyTasksAddUp() async {
        let registry = MetricsRegistry()
        let tasks = 50
        let iterations = 1_000

        await withTaskGroup { group in
            for _ in 0..<tasks {
                group.addTask {
                    let counter = registry.makeCounter(name: "jobs_total")
                    let fractional = registry.makeCounter(name: "work_seconds_total")
                    let gauge = registry.makeGauge(name: "in_flight")
                    let histogram = registry.makeHistogram(name: "job_duration_seconds")
                    for _ in 0..<iterations {
                        counter.increment()
                        fractional.increment(by: 0.5)
                        gauge.increment()
                        gauge.decrement(by: 0.5)
                        histogram.record(0.25)
                    }
                }
            }
        }

        let total = Double(tasks * iterations)
        #expect(registry.makeCounter(name: "jobs_total").value == total)
        #expect(registry.makeCounter(name: "work_seconds_total").value == total / 2)
        #expect(registry.makeGauge(name: "in_flight").value == total / 2)
        let histogram = registry.makeHistogram(name: "job_duration_seconds")
        #expect(histogram.count == UInt64(tasks * iterations))
        #expect(histogram.sum == total / 4)
    }

    @Test(arguments: [
        (1.0, "1"),
        (-3.0, "-3"),
        (0.0, "0"),
        (-0.0, "0"),
        (0.25, "0.25"),
        (1e-05, "1e-05"),
        (123_456_789_012.0, "123456789012"),
        (1e20, "1e+20"),
        (Double.infinity, "+Inf"),
        (-Double.infinity, "-Inf"),
        (Double.nan, "NaN"),
    ])
    func formatsValuesAsPrometheusParsesThem(value: Double, expected: String) {
        #expect(PrometheusExposition.formatValue(value) == expected)
    }

    @Test func validatesMetricAndLabelNames() {
        for valid in ["a", "http_requests_total", "_x", "ns:sub:metric", "A9"] {
            #expect(PrometheusExposition.isValidMetricName(valid), "\(valid)")
        }
        for invalid in ["", "9a", "a-b", "a b", "é", "a.b"] {
            #expect(!PrometheusExposition.isValidMetricName(invalid), "\(invalid)")
        }
        for valid in ["route", "_x", "a9", "_"] {
            #expect(PrometheusExposition.isValidLabelName(valid), "\(valid)")
        }
        for invalid in ["", "__name__", "__x", "a:b", "9a", "a-b"] {
            #expect(!PrometheusExposition.isValidLabelName(invalid), "\(invalid)")
        }
    }

    @Test func registeringANameAsAnotherTypeStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.makeCounter(name: "orders_total")
            _ = registry.makeGauge(name: "orders_total")
        }
    }

    @Test func registeringAHistogramWithOtherBucketsStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = MetricsRegistry()
            _ = registry.makeHistogram(name: "latency_seconds", buckets: [0.1, 1])
            _ = registry.makeHistogram(name: "latency_seconds", labels: [("route", "/")], buckets: [0.5, 1])
        }
    }

    @Test func anInvalidLabelNameStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRegistry().makeCounter(name: "orders_total", labels: [("__reserved", "x")])
        }
    }
}
