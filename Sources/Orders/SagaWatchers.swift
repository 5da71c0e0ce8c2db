import Commerce
import Messaging
import OrdersAPI
import Synchronization

/// The requests waiting on a saga: a checkout waiting for its order's decision, a cancellation waiting for the
/// saga's background steps. A persisted step wakes only its own order's watchers, and a saga that has just decided
/// an order lets them answer their clients before it goes on with its background steps, so that an answer is not
/// queued behind the capture and the fulfilment of the order it confirms.
final class SagaWatchers: Sendable {
    private struct Watch {
        var count: Int
        let steps: WakeSignal
        /// The order once its saga has persisted it answerable (decided, and out of the cart when confirmed).
        var answer: Order?
    }

    private let watches = Mutex<[OrderID: Watch]>([:])
    /// Woken whenever a watcher leaves.
    private let left = WakeSignal()

    /// Starts watching the saga of `id`; every `watch` is paired with a `leave`.
    /// - Returns: The signal woken at each of the saga's persisted steps.
    func watch(_ id: OrderID) -> WakeSignal {
        watches.withLock { watches in
            if let watch = watches[id] {
                watches[id]?.count += 1
                return watch.steps
            }
            let steps = WakeSignal()
            watches[id] = Watch(count: 1, steps: steps)
            return steps
        }
    }

    /// Stops watching the saga of `id`.
    func leave(_ id: OrderID) {
        watches.withLock { watches in
            guard let watch = watches[id] else { return }
            if watch.count > 1 { watches[id]?.count -= 1 } else { watches[id] = nil }
        }
        left.wake()
    }

    /// Wakes the watchers of `id`: a step of its saga was persisted, and when the order can be answered with,
    /// `answer` is it.
    func stepped(_ id: OrderID, answer: Order?) {
        let steps = watches.withLock { watches -> WakeSignal? in
            if let answer { watches[id]?.answer = answer }
            return watches[id]?.steps
        }
        steps?.wake()
    }

    /// The order to answer the watchers of `id` with, once its saga has persisted one.
    func answer(_ id: OrderID) -> Order? {
        watches.withLock { $0[id]?.answer }
    }

    /// Returns once nobody watches `id`, or after `timeout`.
    func awaitLeaving(_ id: OrderID, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while true {
            let seen = left.generation
            let watched = watches.withLock { $0[id] != nil }
            let remaining = deadline - ContinuousClock.now
            guard watched, remaining > .zero, !Task.isCancelled else { return }
            await left.wait(after: seen, timeout: remaining)
        }
    }
}
