import Synchronization

/// Makes and keeps the service's metrics, and renders them in the Prometheus text format.
///
/// Asking twice for the same name and labels returns the same instance, so code can ask where it needs a
/// metric; keep the instance on hot paths, because the lookup takes a lock while updates do not.
///
/// ```swift
/// let registry = MetricsRegistry()
/// let requests = registry.makeCounter(name: "http_requests_total", labels: [("route", "/products")], help: "Requests served.")
/// requests.increment()
/// let body = registry.exposition()  // serve with PrometheusExposition.contentType
/// ```
///
/// Misuse is a programmer error and stops the process with a precondition failure: an invalid metric
/// or label name, a label given twice, a name already registered as another metric type, a histogram
/// name already registered with other buckets, or names whose series would collide (a histogram
/// `x` next to a metric named `x_bucket`, `x_sum` or `x_count`). The `help` text of a family is the one
/// given first.
public final class MetricsRegistry: Sendable {
    private enum Metric {
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Histogram)
    }

    private enum Kind: Equatable {
        case counter
        case gauge
        case histogram(buckets: [Double])

        var typeName: String {
            switch self {
            case .counter: "counter"
            case .gauge: "gauge"
            case .histogram: "histogram"
            }
        }
    }

    private struct Family {
        var kind: Kind
        var help: String
        var metrics: [MetricLabels: Metric] = [:]
    }

    private let families = Mutex<[String: Family]>([:])

    /// Creates an empty registry.
    public init() {}

    /// Returns the counter with this name and labels, creating it at zero on first use.
    ///
    /// - Parameters:
    ///   - name: The metric name, matching `[a-zA-Z_:][a-zA-Z0-9_:]*`; by convention ending in `_total`.
    ///   - labels: Label name-value pairs; order does not matter.
    ///   - help: The `# HELP` text of the family; may contain any text, newlines included.
    /// - Returns: The shared counter.
    public func makeCounter(name: String, labels: [(String, String)] = [], help: String = "") -> Counter {
        let labelSet = MetricLabels(labels, metricName: name)
        let metric = self.metric(name: name, labels: labelSet, kind: .counter, help: help) {
            .counter(Counter(name: name, labels: labelSet))
        }
        guard case .counter(let counter) = metric else { preconditionFailure("metric \(name) is not a counter") }
        return counter
    }

    /// Returns the gauge with this name and labels, creating it at zero on first use.
    ///
    /// - Parameters:
    ///   - name: The metric name, matching `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    ///   - labels: Label name-value pairs; order does not matter.
    ///   - help: The `# HELP` text of the family.
    /// - Returns: The shared gauge.
    public func makeGauge(name: String, labels: [(String, String)] = [], help: String = "") -> Gauge {
        let labelSet = MetricLabels(labels, metricName: name)
        let metric = self.metric(name: name, labels: labelSet, kind: .gauge, help: help) {
            .gauge(Gauge(name: name, labels: labelSet))
        }
        guard case .gauge(let gauge) = metric else { preconditionFailure("metric \(name) is not a gauge") }
        return gauge
    }

    /// Returns the histogram with this name and labels, creating it empty on first use.
    ///
    /// All histograms of one name share one bucket layout; asking for other buckets is a programmer error.
    ///
    /// - Parameters:
    ///   - name: The metric name, matching `[a-zA-Z_:][a-zA-Z0-9_:]*`; for latencies, ending in `_seconds`.
    ///   - labels: Label name-value pairs; order does not matter; `le` is reserved.
    ///   - buckets: Finite upper bounds in strictly ascending order; a trailing `+Inf` is implied and may be
    ///     omitted. Prometheus's defaults (5 ms to 10 s) by default.
    ///   - help: The `# HELP` text of the family.
    /// - Returns: The shared histogram.
    public func makeHistogram(
        name: String,
        labels: [(String, String)] = [],
        buckets: [Double] = Histogram.defaultBuckets,
        help: String = ""
    ) -> Histogram {
        var bounds = buckets
        if bounds.last == .infinity {
            bounds.removeLast()
        }
        precondition(bounds.allSatisfy(\.isFinite), "histogram \(name): bucket bounds must be finite numbers")
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "histogram \(name): bucket bounds must be strictly ascending")
        let labelSet = MetricLabels(labels, metricName: name, reserved: ["le"])
        let metric = self.metric(name: name, labels: labelSet, kind: .histogram(buckets: bounds), help: help) {
            .histogram(Histogram(name: name, labels: labelSet, buckets: bounds))
        }
        guard case .histogram(let histogram) = metric else { preconditionFailure("metric \(name) is not a histogram") }
        return histogram
    }

    /// Appends every metric in the Prometheus text format 0.0.4.
    ///
    /// Families are sorted by name and samples by labels, so the output is stable. Each family has a
    /// `# HELP` line (when it has help text) and a `# TYPE` line; histograms write cumulative `_bucket`
    /// samples ending with `le="+Inf"`, then `_sum` and `_count`.
    ///
    /// - Parameter output: The string to append to.
    public func emit(into output: inout String) {
        let families = self.families.withLock { $0 }
        for name in families.keys.sorted() {
            // Keys come from the dictionary itself, so the lookup cannot fail.
            let family = families[name]!
            if !family.help.isEmpty {
                output += "# HELP \(name) \(PrometheusExposition.escapeHelp(family.help))\n"
            }
            output += "# TYPE \(name) \(family.kind.typeName)\n"
            for labels in family.metrics.keys.sorted() {
                switch family.metrics[labels]! {
                case .counter(let counter):
                    output += "\(name)\(labels.rendered()) \(PrometheusExposition.formatValue(counter.value))\n"
                case .gauge(let gauge):
                    output += "\(name)\(labels.rendered()) \(PrometheusExposition.formatValue(gauge.value))\n"
                case .histogram(let histogram):
                    Self.emit(histogram, name: name, labels: labels, into: &output)
                }
            }
        }
    }

    /// The current samples of the family `name`, for views that read metrics in process (a dashboard) rather
    /// than scraping the exposition. Empty when no such family exists.
    ///
    /// - Parameter name: The family's name, such as `emporium_http_requests_total`.
    /// - Returns: One sample per label set, sorted by labels.
    public func samples(named name: String) -> [MetricSample] {
        guard let family = self.families.withLock({ $0[name] }) else { return [] }
        return family.metrics.keys.sorted().map { labels in
            let pairs = Dictionary(labels.pairs, uniquingKeysWith: { first, _ in first })
            switch family.metrics[labels]! {
            case .counter(let counter):
                return MetricSample(labels: pairs, value: counter.value, histogram: nil)
            case .gauge(let gauge):
                return MetricSample(labels: pairs, value: gauge.value, histogram: nil)
            case .histogram(let histogram):
                let snapshot = histogram.snapshot()
                let distribution = HistogramSnapshot(
                    bounds: histogram.buckets,
                    cumulativeCounts: snapshot.cumulativeCounts,
                    count: snapshot.count,
                    sum: snapshot.sum
                )
                return MetricSample(labels: pairs, value: Double(snapshot.count), histogram: distribution)
            }
        }
    }

    /// Renders every metric in the Prometheus text format 0.0.4; see ``emit(into:)``.
    ///
    /// - Returns: The exposition, ready to serve with ``PrometheusExposition/contentType``.
    public func exposition() -> String {
        var output = ""
        self.emit(into: &output)
        return output
    }

    private static func emit(_ histogram: Histogram, name: String, labels: MetricLabels, into output: inout String) {
        let snapshot = histogram.snapshot()
        for (bound, count) in zip(histogram.buckets, snapshot.cumulativeCounts) {
            let le = labels.rendered(extra: ("le", PrometheusExposition.formatValue(bound)))
            output += "\(name)_bucket\(le) \(count)\n"
        }
        output += "\(name)_bucket\(labels.rendered(extra: ("le", "+Inf"))) \(snapshot.count)\n"
        output += "\(name)_sum\(labels.rendered()) \(PrometheusExposition.formatValue(snapshot.sum))\n"
        output += "\(name)_count\(labels.rendered()) \(snapshot.count)\n"
    }

    private func metric(name: String, labels: MetricLabels, kind: Kind, help: String, make: () -> Metric) -> Metric {
        precondition(
            PrometheusExposition.isValidMetricName(name),
            "invalid metric name \(name.debugDescription) (must match [a-zA-Z_:][a-zA-Z0-9_:]*)"
        )
        return self.families.withLock { families in
            if let family = families[name] {
                precondition(
                    family.kind.typeName == kind.typeName,
                    "metric \(name) is already registered as a \(family.kind.typeName), not a \(kind.typeName)"
                )
                precondition(family.kind == kind, "histogram \(name) is already registered with other buckets")
                if let existing = family.metrics[labels] {
                    return existing
                }
            } else {
                Self.checkSeriesNames(of: name, kind: kind, against: families)
                families[name] = Family(kind: kind, help: help)
            }
            let metric = make()
            families[name]!.metrics[labels] = metric
            return metric
        }
    }

    private static let histogramSuffixes = ["_bucket", "_sum", "_count"]

    private static func checkSeriesNames(of name: String, kind: Kind, against families: [String: Family]) {
        if case .histogram = kind {
            for suffix in Self.histogramSuffixes {
                precondition(families[name + suffix] == nil, "histogram \(name) would collide with metric \(name + suffix)")
            }
        }
        for suffix in Self.histogramSuffixes where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if case .histogram = families[base]?.kind {
                preconditionFailure("metric \(name) would collide with the series of histogram \(base)")
            }
        }
    }
}
