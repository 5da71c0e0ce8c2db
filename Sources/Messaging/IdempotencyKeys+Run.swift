package import Foundation
import Security
public import ServiceKit
public import Storage
import Synchronization

extension IdempotencyKeys {
    /// Runs an idempotent endpoint's operation at most once per key: the whole of a handler.
    ///
    /// The request's identity is the SHA-256 of the endpoint's name and the body's canonical JSON (sorted keys),
    /// so the same key sent to another endpoint, or with other values, is ``ServiceKit/IdempotencyFailure/keyReused``.
    /// A body must therefore encode the same way every time: arrays rather than `Set`s, whose order varies.
    /// The reply is stored as canonical JSON after `operation` returns, in a transaction of its own; both the first
    /// caller and every replay get the reply decoded from those stored bytes, so they are equal.
    ///
    /// A crash between the operation's own commit and the storing of its reply leaves the key in flight, and a
    /// retry after the ``lease`` runs the operation again; so does a reply that cannot be stored because the storage
    /// is unavailable (a full disk), which is returned all the same, since the operation took effect. An operation that must not run twice records its reply
    /// in its own transaction instead, through the ``IdempotencyCompletion`` the other overload passes it.
    /// - Parameters:
    ///   - request: The endpoint's request.
    ///   - endpoint: The endpoint, whose name is part of the request's identity.
    ///   - operation: The work, given the request's body.
    /// - Returns: The reply, marked replayed when it is the stored reply of an earlier request.
    /// - Throws: ``ServiceKit/IdempotencyFailure``; what `operation` throws (the key is then released);
    ///   ``StorageError``.
    public func run<Body, Reply>(
        _ request: IdempotentRequest<Body>,
        for endpoint: Endpoint<IdempotentRequest<Body>, IdempotentReply<Reply>>,
        _ operation: (Body) async throws -> Reply
    ) async throws -> IdempotentReply<Reply> {
        try await run(request, for: endpoint) { body, _ in try await operation(body) }
    }

    /// Runs an idempotent endpoint's operation at most once per key, the operation storing its reply in its own
    /// write transaction with ``IdempotencyCompletion/record(_:in:)``: the reply commits with the state change or
    /// not at all, so a crash cannot leave the change made and the key unanswered. If the operation returns
    /// without recording, the reply is stored afterwards, in a transaction of its own.
    /// - Parameters:
    ///   - request: The endpoint's request.
    ///   - endpoint: The endpoint, whose name is part of the request's identity.
    ///   - operation: The work, given the request's body and the completion to record the reply with.
    /// - Returns: The reply, marked replayed when it is the stored reply of an earlier request.
    /// - Throws: ``ServiceKit/IdempotencyFailure``; what `operation` throws (the key is then released);
    ///   ``StorageError``.
    public func run<Body, Reply>(
        _ request: IdempotentRequest<Body>,
        for endpoint: Endpoint<IdempotentRequest<Body>, IdempotentReply<Reply>>,
        _ operation: (Body, IdempotencyCompletion) async throws -> Reply
    ) async throws -> IdempotentReply<Reply> {
        let hash = try Self.requestHash(request.body, endpoint: endpoint.name)
        switch try await claim(request.key, caller: request.caller, requestHash: hash) {
        case .replay(let stored):
            return IdempotentReply(body: try Self.decoder.decode(Reply.self, from: stored), replayed: true)
        case .run(let lease):
            let completion = IdempotencyCompletion(lease: lease)
            let reply: Reply
            do {
                reply = try await operation(request.body, completion)
            } catch {
                // In a task of its own: a cancelled request must still give its key up.
                let keys = self
                try? await Task { try await keys.release(lease) }.value
                throw error
            }
            let stored: Data
            if let recorded = completion.recorded {
                stored = recorded
            } else {
                stored = try Self.encoder.encode(reply)
                let keys = self
                do {
                    // A lost lease stores nothing: the request that took the key over answers later callers.
                    _ = try await Task { try await keys.complete(lease, response: stored) }.value
                } catch let error where error.serviceUnavailability != nil {
                    // The operation took effect but its reply cannot be stored (the disk is full): answering with the
                    // storage's error would tell the caller nothing happened. The key keeps its lease, and a retry
                    // after it runs the operation again, as after a crash.
                }
            }
            return IdempotentReply(body: try Self.decoder.decode(Reply.self, from: stored), replayed: false)
        }
    }

    /// The SHA-256 of a request: the endpoint's name, a newline, and the body as JSON with sorted keys.
    /// - Throws: `EncodingError` when the body does not encode.
    package static func requestHash<Body: Encodable>(_ body: Body, endpoint: String) throws -> Data {
        var hasher = SHA256()
        hasher.update(Array(endpoint.utf8))
        hasher.update([UInt8(ascii: "\n")])
        hasher.update(try encoder.encode(body))
        return Data(hasher.finalize())
    }

    /// Stored replies are canonical JSON: sorted keys, and dates as numbers, which decode to the same instant.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder = JSONDecoder()
}

/// Records an idempotent operation's reply inside the operation's own write transaction; see
/// ``IdempotencyKeys/run(_:for:_:)``.
public final class IdempotencyCompletion: Sendable {
    /// The key the operation runs under.
    public let lease: IdempotencyKeys.Lease
    private let stored = Mutex<Data?>(nil)

    init(lease: IdempotencyKeys.Lease) {
        self.lease = lease
    }

    /// Stores `reply` as the key's response in the transaction of `connection`.
    /// - Throws: ``ServiceKit/IdempotencyFailure/inProgress`` when another request took the key over (its lease
    ///   ran out), which rolls the caller's transaction back so the operation's change is not made twice;
    ///   `EncodingError`; ``StorageError``.
    public func record<Reply: Encodable>(_ reply: Reply, in connection: Connection) throws {
        let data = try IdempotencyKeys.encoder.encode(reply)
        guard try IdempotencyKeys.complete(lease, response: data, in: connection) else { throw IdempotencyFailure.inProgress }
        stored.withLock { $0 = data }
    }

    var recorded: Data? { stored.withLock { $0 } }
}
