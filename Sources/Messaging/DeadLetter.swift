public import Foundation
import Synchronization

/// An event a consumer group gave up on after its last retry, with why.
public struct DeadLetter: Sendable, Hashable {
    /// The group that could not handle it.
    public var group: String
    /// The event as published.
    public var envelope: Envelope
    /// The last error, as text.
    public var error: String
    /// How many attempts were made.
    public var attempts: Int
    /// When the last attempt failed.
    public var failedAt: Date

    /// Creates a dead letter.
    public init(group: String, envelope: Envelope, error: String, attempts: Int, failedAt: Date) {
        self.group = group
        self.envelope = envelope
        self.error = error
        self.attempts = attempts
        self.failedAt = failedAt
    }
}

/// Where a consumer group's dead letters are kept, for operators to list and replay.
public protocol DeadLetterStore: Sendable {
    /// Stores a dead letter; a later failure of the same event for the same group replaces the earlier one.
    func record(_ letter: DeadLetter) async throws
    /// The stored dead letters, oldest first.
    func list(limit: Int) async throws -> [DeadLetter]
    /// Removes and returns the dead letter of `eventID` for `group`, or `nil` when there is none.
    func take(eventID: String, group: String) async throws -> DeadLetter?
}

extension DeadLetterStore {
    /// Hands a dead letter back to its group and waits until the group is done with it. If handling fails
    /// again, the event comes back here with the new error.
    /// - Throws: ``MessagingError/deadLetterNotFound(_:)``, or what the bus throws.
    public func replay(eventID: String, group: String, on bus: any MessageBus) async throws {
        guard let letter = try await take(eventID: eventID, group: group) else {
            throw MessagingError.deadLetterNotFound(eventID)
        }
        try await bus.deliver([letter.envelope], toGroup: letter.group)
    }
}

/// Dead letters kept in memory, the most recent `capacity` of them: the bus's default store.
public final class InMemoryDeadLetterStore: DeadLetterStore {
    private let capacity: Int
    private let letters = Mutex<[DeadLetter]>([])

    /// Creates a store keeping at most `capacity` letters.
    public init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    /// Stores a dead letter, dropping the oldest beyond capacity.
    public func record(_ letter: DeadLetter) async throws {
        letters.withLock { letters in
            letters.removeAll { $0.group == letter.group && $0.envelope.id == letter.envelope.id }
            letters.append(letter)
            if letters.count > capacity { letters.removeFirst(letters.count - capacity) }
        }
    }

    /// The stored letters, oldest first.
    public func list(limit: Int) async throws -> [DeadLetter] {
        letters.withLock { Array($0.prefix(limit)) }
    }

    /// Removes and returns one letter.
    public func take(eventID: String, group: String) async throws -> DeadLetter? {
        letters.withLock { letters in
            guard let index = letters.firstIndex(where: { $0.group == group && $0.envelope.id == eventID }) else { return nil }
            return letters.remove(at: index)
        }
    }
}
