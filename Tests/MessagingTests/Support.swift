import Foundation
import Messaging
import Storage
import Synchronization
import TestSupport
import Testing

/// Runs `body` while the bus's workers run, then shuts the bus down.
func withRunningBus<T: Sendable>(_ bus: InProcessMessageBus, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await bus.run() }
        let result = try await body()
        group.cancelAll()
        try await group.waitForAll()
        return result
    }
}

/// A thread-safe list of what handlers saw.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }
}

struct TestEvent: DomainEvent, Equatable {
    static let eventType = "test.thing-happened.v1"
    let number: Int
}

func envelope(_ number: Int, subject: String? = nil, type: String = TestEvent.eventType) throws -> Envelope {
    var envelope = try Envelope(TestEvent(number: number), source: "/tests", subject: subject)
    envelope.type = type
    return envelope
}
