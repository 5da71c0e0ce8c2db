import Synchronization

/// A Prometheus gauge: a value that goes up and down, such as a queue depth or a breaker state.
///
/// Get one from ``MetricsRegistry/makeGauge(name:labels:help:)`` and keep it; updates are lock-free.
public final class Gauge: Sendable {
    /// The metric name.
    public let name: String
    let labelSet: MetricLabels
    private let bits = Atomic<UInt64>(Double.zero.bitPattern)

    init(name: String, labels: MetricLabels) {
        self.name = name
        self.labelSet = labels
    }

    /// The label pairs, sorted by label name.
    public var labels: [(String, String)] {
        self.labelSet.pairs
    }

    /// Replaces the value.
    ///
    /// - Parameter value: The new value.
    public func set(to value: Double) {
        self.bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds to the value.
    ///
    /// - Parameter amount: The amount to add; 1 by default.
    public func increment(by amount: Double = 1) {
        var current = self.bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + amount).bitPattern
            let (exchanged, original) = self.bits.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Subtracts from the value.
    ///
    /// - Parameter amount: The amount to subtract; 1 by default.
    public func decrement(by amount: Double = 1) {
        self.increment(by: -amount)
    }

    /// The current value.
    public var value: Double {
        Double(bitPattern: self.bits.load(ordering: .relaxed))
    }
}
