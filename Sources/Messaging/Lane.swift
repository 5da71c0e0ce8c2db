import Synchronization
import Telemetry

/// One ordered, bounded mailbox of a subscription, drained by exactly one worker.
///
/// A publisher that finds the lane full suspends until the worker frees a slot: nothing is dropped, and the
/// publisher is paced by the slowest subscriber (backpressure).
final class Lane: Sendable {
    struct Item: Sendable {
        let envelope: Envelope
        let acknowledgement: Acknowledgement?
    }

    private struct State {
        var items = RingBuffer<Item>()
        var consumer: CheckedContinuation<Void, Never>?
        var producers = RingBuffer<CheckedContinuation<Void, Never>>()
        var isClosed = false
    }

    let capacity: Int
    private let state = Mutex(State())
    private let depthGauge: Gauge

    init(capacity: Int, depth: Gauge) {
        precondition(capacity > 0, "a mailbox needs room for at least one event")
        self.capacity = capacity
        self.depthGauge = depth
    }

    /// How many events wait in the lane.
    var depth: Int { state.withLock { $0.items.count } }

    /// Appends an item, waiting while the lane is full.
    /// - Throws: ``MessagingError/busClosed`` once the lane is closed.
    func put(_ item: Item) async throws {
        while true {
            enum Outcome {
                case added(CheckedContinuation<Void, Never>?)
                case full
                case closed
            }
            let outcome = state.withLock { state -> Outcome in
                if state.isClosed { return .closed }
                guard state.items.count < capacity else { return .full }
                state.items.append(item)
                defer { state.consumer = nil }
                return .added(state.consumer)
            }
            switch outcome {
            case .added(let consumer):
                depthGauge.increment()
                consumer?.resume()
                return
            case .closed:
                throw MessagingError.busClosed
            case .full:
                await withCheckedContinuation { continuation in
                    let retryNow = state.withLock { state -> Bool in
                        if state.isClosed || state.items.count < capacity { return true }
                        state.producers.append(continuation)
                        return false
                    }
                    if retryNow { continuation.resume() }
                }
            }
        }
    }

    /// Moves up to `limit` items into `batch`, waiting while the lane is empty.
    /// - Returns: `false` when the lane is closed and drained.
    func take(into batch: inout [Item], limit: Int) async -> Bool {
        // Before parking, yield a few times: a busy publisher usually adds more at once, and a parked worker costs
        // a wake-up per event when the handler is faster than the publisher.
        var yieldsBeforeParking = 8
        while true {
            enum Outcome {
                case items([Item], [CheckedContinuation<Void, Never>])
                case empty
                case finished
            }
            let outcome = state.withLock { state -> Outcome in
                if state.items.isEmpty {
                    return state.isClosed ? .finished : .empty
                }
                var taken: [Item] = []
                taken.reserveCapacity(Swift.min(limit, state.items.count))
                while taken.count < limit, let item = state.items.popFirst() {
                    taken.append(item)
                }
                var woken: [CheckedContinuation<Void, Never>] = []
                while woken.count < taken.count, let producer = state.producers.popFirst() {
                    woken.append(producer)
                }
                return .items(taken, woken)
            }
            switch outcome {
            case .items(let items, let producers):
                depthGauge.decrement(by: Double(items.count))
                for producer in producers { producer.resume() }
                batch.append(contentsOf: items)
                return true
            case .finished:
                return false
            case .empty:
                if yieldsBeforeParking > 0 {
                    yieldsBeforeParking -= 1
                    await Task.yield()
                    continue
                }
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Bool in
                        if !state.items.isEmpty || state.isClosed { return true }
                        state.consumer = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
        }
    }

    /// Refuses further items and wakes everyone waiting; items already queued can still be taken.
    func close() {
        let (consumer, producers) = state.withLock { state in
            state.isClosed = true
            var producers: [CheckedContinuation<Void, Never>] = []
            while let producer = state.producers.popFirst() { producers.append(producer) }
            defer { state.consumer = nil }
            return (state.consumer, producers)
        }
        consumer?.resume()
        for producer in producers { producer.resume() }
    }
}
