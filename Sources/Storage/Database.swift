internal import CSQLite
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An SQLite database: one file (or an in-memory database) with one writer connection and a pool of readers.
///
/// A file database runs in WAL mode, so readers see the last committed snapshot and never wait for the writer,
/// while writes are serialized through the single writer connection:
///
/// ```swift
/// let db = try Database(path: "catalog.sqlite")
/// try db.write { conn in
///     try conn.execute("INSERT INTO product(id, name) VALUES (?, ?)", [id, name])
/// }
/// let count = try db.read { conn in try conn.scalar(Int.self, "SELECT count(*) FROM product") }
/// ```
///
/// Every connection has `foreign_keys=ON`, a busy timeout and extended result codes; the writer has
/// `synchronous=NORMAL` (durable across process crashes) or `FULL` (also across power loss) by configuration.
///
/// An in-memory database (``inMemory(configuration:)``) has a single connection: reads and writes take turns,
/// and a read made while the same thread is inside ``write(_:)`` sees that write's uncommitted changes.
///
/// The synchronous methods block the calling thread; from async code use the `async` overloads, which wait on a
/// dispatch queue instead of holding a thread of Swift's cooperative pool.
public final class Database: Sendable {
    /// How a database is opened.
    public struct Configuration: Sendable {
        /// SQLite's `synchronous` setting for the writer.
        public enum Synchronous: Sendable {
            /// Committed transactions survive a process crash; the last ones may be lost on power failure.
            case normal
            /// Every commit is synced to disk: also durable across power failure, slower.
            case full
        }

        /// The writer's durability setting. Default ``Synchronous/normal``.
        public var synchronous: Synchronous
        /// How many reader connections a file database may open (lazily, on demand). Default 4.
        public var maximumReaderCount: Int
        /// How long a connection waits for a lock held by another process before failing with `SQLITE_BUSY`.
        public var busyTimeout: Duration
        /// How many prepared statements each connection keeps.
        public var statementCacheCapacity: Int

        /// Creates a configuration; the defaults suit a service's database.
        public init(
            synchronous: Synchronous = .normal,
            maximumReaderCount: Int = 4,
            busyTimeout: Duration = .seconds(5),
            statementCacheCapacity: Int = 256
        ) {
            precondition(maximumReaderCount >= 1, "a database needs at least one reader connection")
            self.synchronous = synchronous
            self.maximumReaderCount = maximumReaderCount
            self.busyTimeout = busyTimeout
            self.statementCacheCapacity = statementCacheCapacity
        }
    }

    /// The file's path, or `:memory:`.
    public let path: String
    /// The configuration the database was opened with.
    public let configuration: Configuration
    private let writer: WriterSlot
    private let readers: ReaderPool?
    private let writeQueue: DispatchQueue

    /// Opens (creating if needed) the database file at `path` in WAL mode.
    /// - Throws: ``StorageError`` when the file cannot be opened, is not a database, or refuses WAL mode.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        let writerConnection = try Connection(
            path: path,
            flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
            configuration: configuration
        )
        let mode = try writerConnection.scalar(String.self, "PRAGMA journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw StorageError(kind: .sqlite, message: "cannot switch \(path) to WAL mode (journal mode is \(mode ?? "unknown"))")
        }
        switch configuration.synchronous {
        case .normal: try writerConnection.execute("PRAGMA synchronous = NORMAL")
        case .full: try writerConnection.execute("PRAGMA synchronous = FULL")
        }
        try writerConnection.execute("PRAGMA foreign_keys = ON")
        // Deleted content is overwritten with zeros rather than left in free pages: a person's erased data must be
        // gone from the file, not merely unlinked.
        try writerConnection.execute("PRAGMA secure_delete = ON")
        self.path = path
        self.configuration = configuration
        self.writer = WriterSlot(connection: writerConnection)
        self.readers = ReaderPool(capacity: configuration.maximumReaderCount) {
            let reader = try Connection(path: path, flags: SQLITE_OPEN_READWRITE, configuration: configuration)
            try reader.execute("PRAGMA foreign_keys = ON")
            // Reader connections must never write: a write would bypass the single writer.
            try reader.execute("PRAGMA query_only = ON")
            return reader
        }
        self.writeQueue = DispatchQueue(label: "emporium.storage.writer")
    }

    private init(memoryWith configuration: Configuration) throws {
        let connection = try Connection(
            path: ":memory:",
            flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
            configuration: configuration
        )
        try connection.execute("PRAGMA foreign_keys = ON")
        self.path = ":memory:"
        self.configuration = configuration
        self.writer = WriterSlot(connection: connection)
        self.readers = nil
        self.writeQueue = DispatchQueue(label: "emporium.storage.writer")
    }

    /// Opens a private in-memory database with a single connection, for tests and scratch work.
    /// - Throws: ``StorageError`` if SQLite cannot allocate it.
    public static func inMemory(configuration: Configuration = Configuration()) throws -> Database {
        try Database(memoryWith: configuration)
    }

    /// Whether the database lives in memory.
    public var isInMemory: Bool { readers == nil }

    // MARK: - Synchronous access

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`): commits when it returns, rolls back when it throws.
    ///
    /// Writes are serialized. A `write` made on the thread that is already inside a `write` of this database
    /// runs as a savepoint of the outer transaction: its own failure undoes only its changes.
    /// - Throws: what `body` throws, or ``StorageError`` (for example `SQLITE_BUSY` when another process holds the
    ///   write lock past the busy timeout, or a constraint failure at commit).
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        try writer.withConnection(
            outermost: { try $0.transaction(begin: "BEGIN IMMEDIATE", body) },
            nested: { connection in try connection.savepoint { try body(connection) } }
        )
    }

    /// Runs `body` in a read transaction on a reader connection: every statement in it sees one snapshot,
    /// the last commit before the first read. Reads run concurrently and never wait for the writer.
    /// - Throws: what `body` throws, or ``StorageError``; any attempt to write fails with `SQLITE_READONLY`.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        if let readers {
            return try readers.withConnection { try $0.transaction(begin: "BEGIN DEFERRED", body) }
        }
        return try writer.withConnection(
            outermost: { connection in try connection.transaction(begin: "BEGIN DEFERRED") { try readOnly($0, body) } },
            nested: { try readOnly($0, body) }
        )
    }

    private func readOnly<T>(_ connection: Connection, _ body: (Connection) throws -> T) throws -> T {
        try connection.execute("PRAGMA query_only = ON")
        defer { try? connection.execute("PRAGMA query_only = OFF") }
        return try body(connection)
    }

    // MARK: - Asynchronous access

    /// Runs `body` in a write transaction without blocking a thread of Swift's cooperative pool while it waits.
    ///
    /// Same semantics as the synchronous ``write(_:)``. When the writer is free and commits do not sync to disk
    /// (``Configuration/Synchronous/normal``), the transaction runs at once on the calling thread; otherwise the
    /// task suspends and the transaction runs on the database's writer queue, so a waiting writer or an `fsync`
    /// never holds a thread of the cooperative pool.
    /// - Throws: `CancellationError` if the task was cancelled before the transaction began; otherwise as ``write(_:)``.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try Task.checkCancellation()
        if configuration.synchronous == .normal,
            let result = try writer.withConnectionIfFree({ try $0.transaction(begin: "BEGIN IMMEDIATE", body) })
        {
            return result
        }
        return try await withCheckedThrowingContinuation { continuation in
            writeQueue.async {
                continuation.resume(with: Result { try self.write(body) })
            }
        }
    }

    /// Runs `body` in a read transaction without blocking a thread of Swift's cooperative pool while it waits.
    ///
    /// Same semantics as the synchronous ``read(_:)``. When a reader connection is free the read runs at once
    /// on the calling thread; otherwise the task suspends until one is.
    /// - Throws: `CancellationError` if the task was cancelled before the read began; otherwise as ``read(_:)``.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try Task.checkCancellation()
        if let readers, let result = try readers.withConnectionIfFree({ try $0.transaction(begin: "BEGIN DEFERRED", body) }) {
            return result
        }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.read(body) })
            }
        }
    }

    // MARK: - Lifecycle

    /// Copies every page of the write-ahead log into the main file and truncates the log to zero bytes, so that
    /// no earlier version of a page survives in it (after erasing a person's data, say).
    ///
    /// Waits, up to the busy timeout, for readers of older snapshots to finish.
    /// - Returns: Whether the log was truncated; `false` when a reader still held an old snapshot.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func truncateLog() async throws -> Bool {
        guard readers != nil else { return true }
        return try await withCheckedThrowingContinuation { continuation in
            writeQueue.async {
                continuation.resume(
                    with: Result {
                        try self.writer.withConnection(
                            outermost: { connection in
                                // One row: busy (1 when a reader kept the log from being reset), log frames, frames copied.
                                guard let row = try connection.queryFirst("PRAGMA wal_checkpoint(TRUNCATE)") else { return false }
                                let busy: Int = try row[0]
                                return busy == 0
                            },
                            nested: { _ in false }
                        )
                    }
                )
            }
        }
    }

    /// Closes every connection after in-flight work finishes. Later calls throw ``StorageError/Kind/closed``.
    ///
    /// Closing is optional: connections also close when the database is released. Close explicitly to make sure
    /// the WAL is checkpointed into the main file before, say, copying it.
    public func close() {
        readers?.close()
        writer.close()
    }

    /// Runs `body` with a connection for whole-database operations such as backup: a reader for a file
    /// database, the single connection for an in-memory one. No transaction is opened.
    func withSnapshotConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        if let readers {
            return try readers.withConnection(body)
        }
        return try writer.withConnection(outermost: body, nested: body)
    }
}

/// The writer connection and its lock, with the owning thread remembered so that a nested write can become a
/// savepoint instead of deadlocking.
private final class WriterSlot: @unchecked Sendable {
    // Safe: `connection` is read and changed only while `lock` is held, by the thread recorded in `owner`.
    private let lock = NSLock()
    private var connection: Connection?
    private let owner = Atomic<UInt>(0)

    init(connection: Connection) {
        self.connection = connection
    }

    func withConnection<T>(outermost: (Connection) throws -> T, nested: (Connection) throws -> T) throws -> T {
        let thread = currentThreadID()
        if owner.load(ordering: .acquiring) == thread, let connection {
            return try nested(connection)
        }
        lock.lock()
        owner.store(thread, ordering: .releasing)
        defer {
            owner.store(0, ordering: .releasing)
            lock.unlock()
        }
        guard let connection else {
            throw StorageError(kind: .closed, message: "the database is closed")
        }
        return try outermost(connection)
    }

    /// Runs `outermost` if the writer is free right now; `nil` without waiting if it is not.
    func withConnectionIfFree<T>(_ outermost: (Connection) throws -> T) throws -> T? {
        guard lock.try() else { return nil }
        owner.store(currentThreadID(), ordering: .releasing)
        defer {
            owner.store(0, ordering: .releasing)
            lock.unlock()
        }
        guard let connection else {
            throw StorageError(kind: .closed, message: "the database is closed")
        }
        return try outermost(connection)
    }

    func close() {
        lock.lock()
        connection = nil
        lock.unlock()
    }
}

/// Reader connections, opened on demand up to a capacity; a caller waits when all are busy.
private final class ReaderPool: @unchecked Sendable {
    // Safe: `available` and `isClosed` are touched only while `lock` is held; a checked-out
    // connection is used by exactly one thread until it is checked back in.
    private let lock = NSLock()
    private let permits: DispatchSemaphore
    private let capacity: Int
    private let open: () throws -> Connection
    private var available: [Connection] = []
    private var isClosed = false

    init(capacity: Int, open: @escaping () throws -> Connection) {
        self.capacity = capacity
        self.permits = DispatchSemaphore(value: capacity)
        self.open = open
    }

    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        permits.wait()
        defer { permits.signal() }
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Runs `body` if a reader is free right now; `nil` without waiting if all are busy.
    func withConnectionIfFree<T>(_ body: (Connection) throws -> T) throws -> T? {
        guard permits.wait(timeout: .now()) == .success else { return nil }
        defer { permits.signal() }
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    private func checkOut() throws -> Connection {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw StorageError(kind: .closed, message: "the database is closed") }
        if let connection = available.popLast() { return connection }
        return try open()
    }

    private func checkIn(_ connection: Connection) {
        lock.lock()
        defer { lock.unlock() }
        if !isClosed { available.append(connection) }
    }

    func close() {
        // Taking every permit waits for the readers in use to be returned.
        for _ in 0..<capacity { permits.wait() }
        lock.lock()
        isClosed = true
        available.removeAll()
        lock.unlock()
        for _ in 0..<capacity { permits.signal() }
    }
}

private func currentThreadID() -> UInt {
    #if canImport(Darwin)
    UInt(bitPattern: pthread_self())
    #else
    UInt(pthread_self())
    #endif
}
