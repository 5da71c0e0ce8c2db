import Dispatch

/// Runs the jobs of tasks that prefer it (`withTaskExecutorPreference`) on a serial dispatch queue, whose threads
/// are not those of Swift's cooperative pool.
///
/// The whole suite runs at once on two cores and shares that pool's two threads. A test whose work never waits
/// (thousands of transactions that commit at once) holds a thread for seconds and starves timing-sensitive tests
/// beside it; a test whose timing matters (a client racing a server's timeout) loses its turn to everyone else.
/// Either runs here instead, and the operating system shares the cores fairly.
public final class OwnThreadExecutor: TaskExecutor {
    private let queue: DispatchQueue

    /// An executor on a new serial queue named `label`.
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
