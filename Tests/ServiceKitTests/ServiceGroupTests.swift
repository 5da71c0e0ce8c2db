import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A service that records when it starts and stops.
private struct Recording: Service {
    let name: String
    let log: LockedValue<[String]>
    var failAfterStart = false

    func run() async throws {
        log.withLock { $0.append("start \(name)") }
        if failAfterStart { throw Boom() }
        do {
            try await Task.sleep(for: .seconds(60))
        } catch {
            log.withLock { $0.append("stop \(name)") }
            throw error
        }
    }
}

@Suite(.serialized) struct ServiceGroupTests {
    @Test func servicesStartInOrderAndStopInReverseOrder() async throws {
        let log = LockedValue<[String]>([])
        let group = ServiceGroup(
            services: ["bus", "relay", "http"].map { Recording(name: $0, log: log) },
            signals: []
        )
        let running = Task { try await group.run() }
        try await waitUntil("all three started") { log.value.count == 3 }
        #expect(log.value == ["start bus", "start relay", "start http"])
        group.triggerGracefulShutdown()
        #expect(try await running.value == .requested)
        #expect(Array(log.value.suffix(3)) == ["stop http", "stop relay", "stop bus"])
    }

    @Test func cancellingTheGroupStopsEveryService() async throws {
        let log = LockedValue<[String]>([])
        let group = ServiceGroup(services: ["bus", "relay"].map { Recording(name: $0, log: log) }, signals: [])
        let running = Task { try await group.run() }
        try await waitUntil("both started") { log.value.count == 2 }
        running.cancel()
        #expect(try await running.value == .cancelled)
        #expect(Set(log.value.suffix(2)) == ["stop bus", "stop relay"])
    }

    @Test func aServiceThatIgnoresCancellationDoesNotHoldUpTheOthers() async throws {
        struct Stubborn: Service {
            let name = "stubborn"
            let log: LockedValue<[String]>
            let gate: Gate
            func run() async throws {
                log.withLock { $0.append("start stubborn") }
                // Ignores cancellation until the test lets it go.
                await gate.wait()
                log.withLock { $0.append("stubborn finished") }
            }
        }
        let log = LockedValue<[String]>([])
        let gate = Gate()
        let group = ServiceGroup(
            services: [Recording(name: "bus", log: log), Stubborn(log: log, gate: gate)],
            signals: [],
            gracePeriod: .milliseconds(20)
        )
        let running = Task { try await group.run() }
        try await waitUntil("both started") { log.value.count == 2 }
        group.triggerGracefulShutdown()
        // The bus is stopped once the stubborn service's grace period is over, while it still runs.
        try await waitUntil("the bus stopped") { log.value.contains("stop bus") }
        #expect(!log.value.contains("stubborn finished"))
        gate.open()
        _ = try await running.value
        #expect(log.value.last == "stubborn finished")
    }
}
