import Dispatch
import Synchronization
import Telemetry

#if canImport(Glibc)
import CLinux
import Glibc
#endif

/// One thread running an ``IOSelector`` and the Swift jobs of the tasks that prefer it.
///
/// The loop is a `TaskExecutor`: a task started with `Task(executorPreference: loop)` runs its nonisolated code on
/// the loop's thread, so a connection's task and the loop's I/O callbacks share the connection's state without locks
/// or thread hops. A job enqueued from the loop's own thread (a continuation resumed by an I/O callback) goes into a
/// plain array; from any other thread it goes through a mutex and an eventfd wake-up, written only when the loop
/// has not already been woken.
///
/// One iteration: wait for I/O (not at all when jobs are pending), run I/O callbacks, run jobs, flush the
/// connections that wrote, then drop handlers closed during the iteration.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    // Safety: `remote`, `wakePending` and `threadID` are synchronised; `selector.wakeUp()` is thread-safe; every
    // other stored property is touched on the loop's thread only (checked by `inLoop` where it matters).
    private struct Remote {
        var jobs: [UnownedJob] = []
        var closures: [@Sendable () -> Void] = []
        var stopped = false
    }

    /// The thread name, also used in logs.
    let name: String
    let selector: PlatformSelector
    private let remote = PthreadLock(Remote())
    private let wakePending = Atomic<Bool>(false)
    private let threadID = Atomic<UInt>(0)

    private var jobs: [UnownedJob] = []
    private var runningJobs: [UnownedJob] = []
    private var handlers: [IOHandler] = []
    private var graveyard: [IOHandler] = []
    private var flushQueue: [IOHandler] = []
    private var flushing: [IOHandler] = []
    private var nextTick: UInt64 = 0
    private var stopRequested = false
    private var tasksAbandoned = false
    private var dateSecond = -1
    /// Tasks sleeping on the loop's timer (``sleep(until:)``), the earliest deadline first.
    var sleepers = SleeperHeap()

    /// Monotonic nanoseconds, read once per iteration.
    private(set) var now: UInt64 = 0
    /// When this round of I/O callbacks and jobs began (the wait for I/O returned), and how long the last round took.
    private var roundStarted: UInt64 = 0
    private var lastRound: UInt64 = 0
    /// `Date: <IMF-fixdate>\r\n`, rebuilt when the second changes.
    private(set) var dateField: [UInt8] = []
    /// Shared read buffer: a read completes into it and is copied out before the next read.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// How often handlers' ``IOHandler/tick(now:)`` runs, in nanoseconds.
    var tickInterval: UInt64
    /// Tasks started on this loop that have not finished; the loop does not stop before they do.
    var liveTasks = 0
    /// Runs after every tick, on the loop's thread.
    var onTick: (() -> Void)?
    /// Runs on the loop's thread once it has stopped.
    var onExit: (@Sendable () -> Void)?

    init(name: String, tickInterval: Duration = .milliseconds(100)) throws(SocketError) {
        self.name = name
        selector = try PlatformSelector()
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        self.tickInterval = Self.nanoseconds(tickInterval)
    }

    deinit {
        readBuffer.deallocate()
    }

    // MARK: - Threads

    /// Whether the caller runs on the loop's thread.
    var inLoop: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Starts the loop on a new thread.
    func start() throws(SocketError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { argument in
                let loop = Unmanaged<EventLoop>.fromOpaque(argument!).takeRetainedValue()
                loop.run()
                return nil
            },
            context
        )
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            throw SocketError(operation: "pthread_create", code: result)
        }
        pthread_detach(thread)
    }

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        // Linux thread names hold 15 bytes.
        _ = String(name.utf8.prefix(15))!.withCString { pthread_setname_np(pthread_self(), $0) }
        while true {
            updateClock()
            lastRound = now &- roundStarted
            if now >= nextTick { tick() }
            if stopRequested && handlers.isEmpty && (liveTasks == 0 || tasksAbandoned) && jobs.isEmpty { break }
            let wakeAt = min(nextTick, sleepers.earliest ?? .max)
            let timeout: CInt = jobs.isEmpty && flushQueue.isEmpty ? CInt((wakeAt - min(now, wakeAt)) / 1_000_000 + 1) : 0
            let count = selector.wait(timeoutMilliseconds: timeout)
            // Deadlines that callbacks and jobs set count from now, not from before the wait or a long batch.
            updateClock()
            roundStarted = now
            sleepers.wake(dueBy: now)
            for index in 0..<count {
                guard let (token, readiness) = selector.event(at: index) else { continue }
                let handler = Unmanaged<IOHandler>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(token))!).takeUnretainedValue()
                if readiness.readable && handler.slot >= 0 { handler.readable() }
                if readiness.writable && handler.slot >= 0 { handler.writable() }
            }
            if wakePending.load(ordering: .acquiring) { takeRemoteWork() }
            if count > 16 { updateClock() }
            runJobs()
            flushHandlers()
            graveyard.removeAll(keepingCapacity: true)
        }
        let leftover = remote.withLock { remote in
            remote.stopped = true
            defer { remote.jobs = [] }
            return remote.jobs
        }
        for job in leftover { forward(job) }
        // Nothing will fire these timers any more: their tasks go on now, on global threads.
        sleepers.wake(dueBy: .max)
        for job in jobs { forward(job) }
        jobs.removeAll()
        // The hooks capture their owners, which hold the loop: dropping them lets the loop and its descriptors go.
        let exit = onExit
        onTick = nil
        onExit = nil
        handlers.removeAll()
        exit?()
    }

    // MARK: - Work from other threads

    /// Runs `body` on the loop's thread: now if the caller is on it, else at the next iteration. Once the loop has
    /// stopped, `body` runs on the caller's thread: nothing else touches the loop's state any more.
    func execute(_ body: @escaping @Sendable () -> Void) {
        if inLoop {
            body()
            return
        }
        let accepted = remote.withLock { remote in
            guard !remote.stopped else { return false }
            remote.closures.append(body)
            return true
        }
        if accepted { wake() } else { body() }
    }

    /// Runs `body` on the loop's thread and returns its result.
    func submit<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            execute { continuation.resume(returning: body()) }
        }
    }

    /// Enqueues a job of a task that prefers this loop.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inLoop {
            jobs.append(job)
            return
        }
        let accepted = remote.withLock { remote in
            guard !remote.stopped else { return false }
            remote.jobs.append(job)
            return true
        }
        if accepted { wake() } else { forward(job) }
    }

    /// A job that arrives after the loop stopped (a handler still running when the shutdown deadline forced its
    /// connection closed) runs on a global thread, where it only finds closed connections.
    private func forward(_ job: UnownedJob) {
        let executor = asUnownedTaskExecutor()
        DispatchQueue.global().async { job.runSynchronously(on: executor) }
    }

    private func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            selector.wakeUp()
        }
    }

    private func takeRemoteWork() {
        wakePending.store(false, ordering: .releasing)
        let (newJobs, closures) = remote.withLock { remote in
            defer {
                remote.jobs.removeAll(keepingCapacity: true)
                remote.closures.removeAll()
            }
            return (remote.jobs, remote.closures)
        }
        jobs.append(contentsOf: newJobs)
        for closure in closures { closure() }
    }

    private func runJobs() {
        // Bounded so that a task that keeps re-enqueueing itself cannot starve I/O.
        var rounds = 0
        while !jobs.isEmpty && rounds < 8 {
            swap(&jobs, &runningJobs)
            for job in runningJobs {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            runningJobs.removeAll(keepingCapacity: true)
            rounds += 1
        }
    }

    // MARK: - Handlers

    /// Registers `handler` for `interest` and keeps it alive until ``deregister(_:)``.
    func register(_ handler: IOHandler, interest: IOInterest, exclusive: Bool = false) throws(SocketError) {
        try selector.register(handler.fd, token: handler.token, interest: interest, exclusive: exclusive)
        handler.interest = interest
        handler.slot = handlers.count
        handlers.append(handler)
    }

    /// Changes what `handler`'s descriptor is watched for; a no-op when unchanged.
    func setInterest(_ handler: IOHandler, _ interest: IOInterest) {
        guard handler.slot >= 0, interest != handler.interest else { return }
        do {
            try selector.modify(handler.fd, token: handler.token, interest: interest)
            handler.interest = interest
        } catch {
            // Only fails for a descriptor already gone; its next read or write reports why.
        }
    }

    /// Stops watching `handler`'s descriptor; the caller closes it afterwards.
    func deregister(_ handler: IOHandler) {
        guard handler.slot >= 0 else { return }
        selector.deregister(handler.fd)
        let slot = handler.slot
        let last = handlers.removeLast()
        if last !== handler {
            handlers[slot] = last
            last.slot = slot
        }
        handler.slot = -1
        graveyard.append(handler)
    }

    /// Asks for `handler.flush()` after this iteration's jobs, so responses produced together leave in one write.
    func scheduleFlush(_ handler: IOHandler) {
        guard !handler.flushScheduled else { return }
        handler.flushScheduled = true
        flushQueue.append(handler)
    }

    private func flushHandlers() {
        guard !flushQueue.isEmpty else { return }
        swap(&flushQueue, &flushing)
        for handler in flushing {
            handler.flushScheduled = false
            handler.flush()
        }
        flushing.removeAll(keepingCapacity: true)
    }

    /// Calls `body` for every registered handler; handlers may close themselves meanwhile.
    func forEachHandler(_ body: (IOHandler) -> Void) {
        for handler in handlers { body(handler) }
    }

    /// Lets the loop end once no handler is registered and no task started on it is alive.
    func requestStop() {
        stopRequested = true
    }

    /// Lets a stopping loop end even though tasks started on it are still running (their handlers outlived the
    /// shutdown deadline); their later jobs run on global threads.
    func abandonTasks() {
        tasksAbandoned = true
    }

    // MARK: - Time

    private func tick() {
        for handler in handlers { handler.tick(now: now) }
        onTick?()
        nextTick = now + tickInterval
    }

    private func updateClock() {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        now = UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
        clock_gettime(CLOCK_REALTIME_COARSE, &time)
        if time.tv_sec != dateSecond {
            dateSecond = time.tv_sec
            dateField.removeAll(keepingCapacity: true)
            dateField.append(contentsOf: "Date: ".utf8)
            HTTPDate.append(secondsSince1970: time.tv_sec, to: &dateField)
            dateField.append(contentsOf: "\r\n".utf8)
        }
    }

    /// An estimate, in nanoseconds, of how long work that became ready in the last round waited before running
    /// now: the last round (bytes that arrived during it waited in the kernel until this round's wait) and this
    /// round's work so far. Near zero on an idle loop; the loop's queue on a busy one. On the loop's thread only.
    func queueDelay() -> UInt64 {
        lastRound &+ (Self.monotonicNow() &- roundStarted)
    }

    /// The current monotonic time in nanoseconds, for callers off the loop.
    static func monotonicNow() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// A duration in whole nanoseconds, saturating.
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.clampedNanoseconds))
    }
}
