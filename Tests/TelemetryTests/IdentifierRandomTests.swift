import Telemetry
import Testing

/// Ids drawn without a system call must still be distinct, across threads as well.
@Suite struct IdentifierRandomTests {
    @Test func drawsAreDistinctAcrossConcurrentTasks() async {
        let ids = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var generator = IdentifierRandom()
                    return (0..<10_000).map { _ in generator.next() }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(ids).count == 40_000)
        let traceIDs = (0..<1_000).map { _ in TraceID.random() }
        #expect(Set(traceIDs).count == 1_000)
    }
}
