/// Sleeping on the loop's own timer: many tasks that run on the loop (a load generator's shoppers) pause between
/// requests without a timer thread or a hop between threads; the loop's wait for I/O ends at the earliest deadline.
extension EventLoop {
    /// Suspends the calling task until the loop's monotonic clock reaches `deadline` (nanoseconds, as
    /// ``monotonicNow()``), or until the task is cancelled or the loop stops. The task resumes on its preferred executor: on the loop
    /// when it prefers the loop. The loop rounds its wait up to the next millisecond.
    func sleep(until deadline: UInt64) async {
        let sleeper = Sleeper(deadline: deadline)
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                execute { [self] in
                    sleeper.continuation = continuation
                    // Off the loop's thread, the loop has stopped: no timer would fire.
                    if sleeper.cancelled || !inLoop { sleeper.wake() } else { sleepers.insert(sleeper) }
                }
            }
        } onCancel: {
            execute {
                sleeper.cancelled = true
                sleeper.wake()
            }
        }
    }
}

/// A task sleeping on a loop. Touched on the loop's thread only.
final class Sleeper: @unchecked Sendable {
    // Safety: every property is read and written on the thread of the loop the sleeper belongs to (`execute`).
    let deadline: UInt64
    var continuation: CheckedContinuation<Void, Never>?
    var cancelled = false

    init(deadline: UInt64) {
        self.deadline = deadline
    }

    /// Resumes the task, once.
    func wake() {
        continuation?.resume()
        continuation = nil
    }
}

/// A binary min-heap of sleepers by deadline.
struct SleeperHeap {
    private var items: [Sleeper] = []

    /// The earliest deadline, if anyone sleeps.
    var earliest: UInt64? { items.first?.deadline }

    mutating func insert(_ sleeper: Sleeper) {
        items.append(sleeper)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Wakes every sleeper whose deadline is at or before `now`, earliest first.
    mutating func wake(dueBy now: UInt64) {
        while let first = items.first, first.deadline <= now {
            removeFirst()
            first.wake()
        }
    }

    private mutating func removeFirst() {
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count && items[left].deadline < items[smallest].deadline { smallest = left }
            if right < items.count && items[right].deadline < items[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
