/// The outcomes a ``CircuitBreaker`` computes its rates over: the last N calls, or the last N seconds.
struct CircuitBreakerWindow: Sendable, Hashable {
    struct Totals: Sendable, Hashable {
        var calls = 0
        var failures = 0
        var slowCalls = 0

        mutating func add(_ slot: Slot) {
            calls += slot.calls
            failures += slot.failures
            slowCalls += slot.slowCalls
        }

        mutating func subtract(_ slot: Slot) {
            calls -= slot.calls
            failures -= slot.failures
            slowCalls -= slot.slowCalls
        }
    }

    /// One call of a count-based window, or one second of a time-based one.
    struct Slot: Sendable, Hashable {
        var epochSecond: Int64
        var calls = 0
        var failures = 0
        var slowCalls = 0
    }

    private let isTimeBased: Bool
    private var slots: [Slot]
    /// Count-based only: the slot the next call overwrites, and the running sums.
    private var nextSlot = 0
    private var countTotals = Totals()

    init(_ window: CircuitBreaker.Configuration.SlidingWindow) {
        switch window {
        case .countBased(let size):
            isTimeBased = false
            slots = Array(repeating: Slot(epochSecond: 0), count: size)
        case .timeBased(let seconds):
            isTimeBased = true
            slots = Array(repeating: Slot(epochSecond: .min), count: seconds)
        }
    }

    mutating func record(failure: Bool, slow: Bool, now: ServiceInstant) {
        let call = Slot(epochSecond: 0, calls: 1, failures: failure ? 1 : 0, slowCalls: slow ? 1 : 0)
        if isTimeBased {
            let second = Self.epochSecond(of: now)
            let index = Int(((second % Int64(slots.count)) + Int64(slots.count)) % Int64(slots.count))
            if slots[index].epochSecond != second {
                slots[index] = Slot(epochSecond: second)
            }
            slots[index].calls += call.calls
            slots[index].failures += call.failures
            slots[index].slowCalls += call.slowCalls
        } else {
            countTotals.subtract(slots[nextSlot])
            slots[nextSlot] = call
            countTotals.add(call)
            nextSlot = (nextSlot + 1) % slots.count
        }
    }

    func totals(now: ServiceInstant) -> Totals {
        guard isTimeBased else {
            return countTotals
        }
        let second = Self.epochSecond(of: now)
        let oldest = second - Int64(slots.count)
        var totals = Totals()
        for slot in slots where slot.epochSecond > oldest && slot.epochSecond <= second {
            totals.add(slot)
        }
        return totals
    }

    private static func epochSecond(of instant: ServiceInstant) -> Int64 {
        let (seconds, attoseconds) = instant.offset.components
        return attoseconds < 0 ? seconds - 1 : seconds
    }
}
