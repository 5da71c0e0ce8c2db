import Testing

@testable import EmporiumCLI

/// The load generator's arithmetic, as values: the histogram's buckets and percentiles, the mix, the argument forms.
@Suite struct LoadFiguresTests {
    @Test func everyValueFallsIntoABucketWhoseRangeHoldsItAndIsAtMostAThirtySecondWide() {
        var value: UInt64 = 0
        while value < 1 << 37 {
            let index = LatencyHistogram.index(of: value)
            #expect(index >= 0 && index < LatencyHistogram.bucketCount)
            // Beyond 2^36 µs (19 hours) everything counts in the last bucket.
            if value < 1 << 36 { #expect(LatencyHistogram.highestValue(in: index) >= value, "\(value)") }
            if index > 0 && value < 1 << 36 {
                let lowest = LatencyHistogram.highestValue(in: index - 1) + 1
                #expect(lowest <= value, "\(value)")
                #expect(Double(LatencyHistogram.highestValue(in: index) - lowest) <= Double(lowest) / 32 + 1, "\(value)")
            }
            value = value < 200 ? value + 1 : value + value / 7
        }
        #expect(LatencyHistogram.index(of: .max) == LatencyHistogram.bucketCount - 1)
    }

    @Test func percentilesComeFromTheBucketsAndNeverExceedTheLargestValue() {
        var histogram = LatencyHistogram()
        #expect(histogram.percentile(0.99) == 0)
        // 1 ms to 100 ms, one each: p50 is about 50 ms, p99 about 99 ms, within a bucket's width.
        for milliseconds in 1...100 { histogram.record(.milliseconds(milliseconds)) }
        #expect(histogram.count == 100)
        #expect((50_000...51_600).contains(histogram.percentile(0.50)), "\(histogram.percentile(0.50))")
        #expect((99_000...100_000).contains(histogram.percentile(0.99)), "\(histogram.percentile(0.99))")
        #expect(histogram.percentile(1) == 100_000)
        #expect(histogram.maximumMicroseconds == 100_000)
        #expect(histogram.meanMicroseconds == 50_500)

        var other = LatencyHistogram()
        other.record(microseconds: 7)
        histogram.merge(other)
        #expect(histogram.count == 101)
        #expect(histogram.percentile(0.001) == 7)
    }

    @Test func theMixIsOnlineBoutiquesWithSearchForTheCurrency() {
        #expect(
            LoadStep.mix.map { "\($0.step.rawValue)=\($0.weight)" } == [
                "home=1", "browse=10", "search=2", "add-to-cart=2", "view-cart=3", "checkout=1",
            ]
        )
        #expect(LoadStep.checkout.expectedStatuses == [201, 202])
    }

    @Test func durationsAndThinkRanges() {
        #expect(Load.duration("20s") == .seconds(20))
        #expect(Load.duration("1500ms") == .milliseconds(1500))
        #expect(Load.duration("5m") == .seconds(300))
        #expect(Load.duration("61m") == nil)
        #expect(Load.duration("soon") == nil)
        #expect(Load.thinkRange("0ms") == .zero ... .zero)
        #expect(Load.thinkRange("500ms-1s") == .milliseconds(500) ... .seconds(1))
        #expect(Load.thinkRange("1s-500ms") == nil)
        #expect(Load.thinkRange("1s-2s-3s") == nil)
        #expect(Figures.grouped(1_234_567) == "1,234,567")
        #expect(Figures.number(5160.46, decimals: 1) == "5,160.5")
        #expect(Figures.number(0.996, decimals: 2) == "1.00")
    }
}
