import Synchronization

/// A Prometheus histogram: counts observations in buckets by upper bound, plus their sum and count.
///
/// Get one from ``MetricsRegistry/makeHistogram(name:labels:buckets:help:)`` and keep it. Latency
/// histograms are in seconds (name them `…_seconds`): `record(_ duration:)` converts a `Duration`.
public final class Histogram: Sendable {
    /// Prometheus's default buckets, in seconds: from 5 ms to 10 s.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Snapshot {
        /// Observations at or below each bucket's bound, in bucket order.
        var cumulativeCounts: [UInt64]
        var sum: Double
        var count: UInt64
    }

    private struct State {
        // Observations per bucket, not cumulative: recording touches a single slot.
        var bucketCounts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    /// The metric name.
    public let name: String
    /// The upper bounds of the buckets, ascending; the `+Inf` bucket is implicit.
    public let buckets: [Double]
    let labelSet: MetricLabels
    private let state: Mutex<State>

    init(name: String, labels: MetricLabels, buckets: [Double]) {
        self.name = name
        self.labelSet = labels
        self.buckets = buckets
        self.state = Mutex(State(bucketCounts: Array(repeating: 0, count: buckets.count)))
    }

    /// The label pairs, sorted by label name.
    public var labels: [(String, String)] {
        self.labelSet.pairs
    }

    /// Records one observation.
    ///
    /// - Parameter value: The observed value, in the unit of the buckets.
    public func record(_ value: Double) {
        // Binary search for the first bound >= value, outside the lock; NaN falls in no finite bucket.
        var low = 0
        var high = self.buckets.count
        while low < high {
            let middle = (low + high) / 2
            if self.buckets[middle] >= value {
                high = middle
            } else {
                low = middle + 1
            }
        }
        let index = value.isNaN ? self.buckets.count : low
        self.state.withLock { state in
            if index < state.bucketCounts.count {
                state.bucketCounts[index] += 1
            }
            state.sum += value
            state.count += 1
        }
    }

    /// Records a duration in seconds, for histograms whose buckets are in seconds.
    ///
    /// - Parameter duration: The observed duration.
    public func record(_ duration: Duration) {
        self.record(duration / .seconds(1))
    }

    /// The number of observations so far.
    public var count: UInt64 {
        self.state.withLock { $0.count }
    }

    /// The sum of the observations so far.
    public var sum: Double {
        self.state.withLock { $0.sum }
    }

    func snapshot() -> Snapshot {
        let state = self.state.withLock { $0 }
        var running: UInt64 = 0
        let cumulative = state.bucketCounts.map { count in
            running += count
            return running
        }
        return Snapshot(cumulativeCounts: cumulative, sum: state.sum, count: state.count)
    }
}
