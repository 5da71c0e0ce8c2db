import Commerce
import ServiceKit
import Synchronization
import Telemetry

/// Runs checkout sagas in the background, each in a child task of its service, so a saga goes on after the request
/// that started it has answered. Requests and the recovery loop submit order ids; the runner drives each (a saga
/// claimed by another runner is left to it).
final class SagaRunner: Sendable {
    /// A saga to drive, and the trace of whoever submitted it.
    struct Job: Sendable {
        var orderId: OrderID
        /// The order and its saga as just stored with the claim already taken (a new checkout's), so the runner
        /// neither claims nor reads it.
        var claimed: SQLiteOrdersService.Stored?
        var trace: TraceContext?
    }

    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    /// Asks for the saga of `orderId` to be driven, in the current trace; `claimed` when the caller just stored it
    /// with the claim taken for the runner.
    func submit(_ orderId: OrderID, claimed: SQLiteOrdersService.Stored? = nil) {
        continuation.yield(Job(orderId: orderId, claimed: claimed, trace: TraceContext.current))
    }

    /// The background service driving submitted sagas with `drive`.
    func service(_ drive: @escaping @Sendable (OrderID, SQLiteOrdersService.Stored?) async -> Void) -> any Service {
        RunnerService(stream: stream, drive: drive)
    }

    private struct RunnerService: Service {
        let name = "orders-sagas"
        let stream: AsyncStream<Job>
        let drive: @Sendable (OrderID, SQLiteOrdersService.Stored?) async -> Void

        func run() async throws {
            await withDiscardingTaskGroup { group in
                for await job in stream {
                    group.addTask { await TraceContext.$current.withValue(job.trace) { await drive(job.orderId, job.claimed) } }
                }
            }
        }
    }
}

/// Resumes every unfinished saga and return nobody is working on: at start, which is what picks up after a crash,
/// and every `interval` on its clock after that.
struct SagaRecovery: Service {
    let name = "orders-recovery"
    /// The time between two passes.
    let interval: Duration
    /// The clock it waits on: the system's, or a manual one in tests.
    let clock: any ServiceClock
    /// One pass.
    let pass: @Sendable () async -> Void

    func run() async throws {
        while true {
            await pass()
            try await clock.sleep(until: clock.now.advanced(by: interval))
        }
    }
}
