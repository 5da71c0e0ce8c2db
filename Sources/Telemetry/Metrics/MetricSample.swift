/// One metric's value at the moment it was read: see ``MetricsRegistry/samples(named:)``.
public struct MetricSample: Sendable, Hashable {
    /// The label pairs.
    public var labels: [String: String]
    /// A counter's or gauge's value; a histogram's observation count.
    public var value: Double
    /// A histogram's buckets; `nil` for counters and gauges.
    public var histogram: HistogramSnapshot?

    /// Creates a sample.
    public init(labels: [String: String], value: Double, histogram: HistogramSnapshot?) {
        self.labels = labels
        self.value = value
        self.histogram = histogram
    }
}

/// A histogram's buckets at one moment.
public struct HistogramSnapshot: Sendable, Hashable {
    /// The finite upper bounds, ascending.
    public var bounds: [Double]
    /// Observations at or below each bound.
    public var cumulativeCounts: [UInt64]
    /// All observations, the `+Inf` bucket included.
    public var count: UInt64
    /// Their sum.
    public var sum: Double

    /// Creates a snapshot.
    public init(bounds: [Double], cumulativeCounts: [UInt64], count: UInt64, sum: Double) {
        self.bounds = bounds
        self.cumulativeCounts = cumulativeCounts
        self.count = count
        self.sum = sum
    }

    /// The `q`-quantile estimated as Prometheus's `histogram_quantile` does: linear interpolation inside the
    /// bucket the rank falls in (from 0 for the first bucket). A rank beyond the last finite bound answers that
    /// bound. `nil` without observations.
    /// - Parameter q: Between 0 and 1.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0, !bounds.isEmpty else { return nil }
        let rank = min(max(q, 0), 1) * Double(count)
        var lowerBound = 0.0
        var lowerCount = 0.0
        for (bound, cumulative) in zip(bounds, cumulativeCounts) {
            let upperCount = Double(cumulative)
            if upperCount >= rank {
                guard upperCount > lowerCount else { return bound }
                return lowerBound + (bound - lowerBound) * (rank - lowerCount) / (upperCount - lowerCount)
            }
            lowerBound = bound
            lowerCount = upperCount
        }
        return bounds.last
    }
}
