import HTTP
import TestSupport
import Testing

/// Pauses on the client's event loop timer, for tasks that run on the loop.
@Suite("HTTP client sleep")
struct HTTPClientSleepTests {
    @Test("a pause lasts at least its duration, and pauses end in the order of their deadlines")
    func pausesEndInOrder() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let woken = CallRecorder<Int>()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for (index, milliseconds) in [300, 100, 200, 0].enumerated() {
                group.addTask(executorPreference: client.executor) {
                    let begun = ContinuousClock.now
                    await client.sleep(for: .milliseconds(milliseconds))
                    #expect(ContinuousClock.now - begun >= .milliseconds(milliseconds))
                    woken.record(index)
                }
            }
        }
        #expect(woken.values == [3, 1, 2, 0])
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }

    @Test("a cancelled pause ends at once, and so does every pause when the client shuts down")
    func cancellationAndShutdownEndPauses() async throws {
        let client = try HTTPClient()
        let long = Task(executorPreference: client.executor) {
            await client.sleep(for: .seconds(3600))
            return Task.isCancelled
        }
        long.cancel()
        #expect(await long.value, "the pause ended because the task was cancelled")

        // Cancelled before it starts to pause: it does not pause.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await client.sleep(for: .seconds(3600))
            return true
        }
        #expect(await early.value)

        let stranded = Task(executorPreference: client.executor) {
            await client.sleep(for: .seconds(3600))
            return true
        }
        client.shutdown()
        #expect(await stranded.value, "shutting the client down ended the pause")
    }
}
