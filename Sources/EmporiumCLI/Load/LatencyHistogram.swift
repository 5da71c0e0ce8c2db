import Telemetry

/// Latencies in fixed memory: log-linear buckets of microseconds, as HdrHistogram keeps them.
///
/// Below 64 µs every microsecond has its bucket. Above, each power of two is split into 32 equal buckets, so a
/// bucket is at most 1/32 of its values wide: a percentile read from it is at most about 3 % high. Values up to
/// 2^36 µs (19 hours) have buckets; longer ones count in the last. A load run keeps one histogram per kind of step
/// whatever its length, 8 KB each, where an array of every latency would grow by 8 bytes a request.
struct LatencyHistogram: Sendable, Equatable {
    /// Buckets below 64 µs, one per microsecond.
    private static let exactBuckets = 64
    /// Buckets per power of two above that.
    private static let bucketsPerLevel = 32
    /// The longest value with its own bucket is below 2^(maximumLevel + 1) µs.
    private static let maximumLevel = 35
    static let bucketCount = exactBuckets + (maximumLevel - 5) * bucketsPerLevel

    private var counts = [UInt64](repeating: 0, count: bucketCount)
    private(set) var count: UInt64 = 0
    private(set) var totalMicroseconds: UInt64 = 0
    private(set) var maximumMicroseconds: UInt64 = 0

    /// Counts one latency.
    mutating func record(_ duration: Duration) {
        record(microseconds: UInt64(max(0, duration.clampedMicroseconds)))
    }

    /// Counts one latency given in microseconds.
    mutating func record(microseconds value: UInt64) {
        counts[Self.index(of: value)] += 1
        count += 1
        totalMicroseconds &+= value
        maximumMicroseconds = max(maximumMicroseconds, value)
    }

    /// Adds every count of `other`.
    mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        count += other.count
        totalMicroseconds &+= other.totalMicroseconds
        maximumMicroseconds = max(maximumMicroseconds, other.maximumMicroseconds)
    }

    /// The latency at or below which `fraction` of the values lie (0.99 for p99), in microseconds: the highest value
    /// of its bucket, never above the largest value recorded; 0 when nothing was recorded.
    func percentile(_ fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, UInt64((fraction * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank { return min(Self.highestValue(in: index), maximumMicroseconds) }
        }
        return maximumMicroseconds
    }

    /// The mean in microseconds; 0 when nothing was recorded.
    var meanMicroseconds: Double {
        count == 0 ? 0 : Double(totalMicroseconds) / Double(count)
    }

    /// The bucket of `value` microseconds.
    static func index(of value: UInt64) -> Int {
        if value < UInt64(exactBuckets) { return Int(value) }
        let highestBit = 63 - value.leadingZeroBitCount
        guard highestBit <= maximumLevel else { return bucketCount - 1 }
        // 2^highestBit ... 2^(highestBit+1) - 1 in 32 buckets of 2^shift values each.
        let shift = highestBit - 5
        let bucket = Int(value >> UInt64(shift)) - bucketsPerLevel
        return exactBuckets + (shift - 1) * bucketsPerLevel + bucket
    }

    /// The largest value that falls into bucket `index`.
    static func highestValue(in index: Int) -> UInt64 {
        if index < exactBuckets { return UInt64(index) }
        let shift = (index - exactBuckets) / bucketsPerLevel + 1
        let bucket = UInt64((index - exactBuckets) % bucketsPerLevel + bucketsPerLevel)
        return ((bucket + 1) << UInt64(shift)) - 1
    }
}
