import Synchronization

/// A Prometheus counter: a value that only goes up, such as requests served or errors seen.
///
/// Get one from ``MetricsRegistry/makeCounter(name:labels:help:)`` and keep it; increments are lock-free
/// atomic additions. Name counters with a `_total` suffix, as Prometheus conventions ask.
public final class Counter: Sendable {
    /// The metric name.
    public let name: String
    let labelSet: MetricLabels
    private let integral = Atomic<UInt64>(0)
    private let fractionalBits = Atomic<UInt64>(Double.zero.bitPattern)

    init(name: String, labels: MetricLabels) {
        self.name = name
        self.labelSet = labels
    }

    /// The label pairs, sorted by label name.
    public var labels: [(String, String)] {
        self.labelSet.pairs
    }

    /// Adds one.
    public func increment() {
        self.integral.wrappingAdd(1, ordering: .relaxed)
    }

    /// Adds a whole amount.
    ///
    /// - Parameter amount: The amount to add; must not be negative.
    public func increment(by amount: Int) {
        precondition(amount >= 0, "counter \(self.name) cannot decrease (increment by \(amount))")
        self.integral.wrappingAdd(UInt64(amount), ordering: .relaxed)
    }

    /// Adds a fractional amount, such as bytes in kilobytes or seconds spent.
    ///
    /// - Parameter amount: The amount to add; must not be negative.
    public func increment(by amount: Double) {
        precondition(amount >= 0, "counter \(self.name) cannot decrease (increment by \(amount))")
        var current = self.fractionalBits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + amount).bitPattern
            let (exchanged, original) = self.fractionalBits.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The current total.
    public var value: Double {
        Double(self.integral.load(ordering: .relaxed)) + Double(bitPattern: self.fractionalBits.load(ordering: .relaxed))
    }
}
