internal import CSQLite
import Foundation
import Storage

/// Storage figures: single-row write transactions (through `Database` and through SQLite's C API directly, for
/// the wrapper's cost), and point reads from two reader tasks while a writer runs.
struct StorageSuite: BenchmarkSuite {
    func run(options: BenchmarkOptions) async throws {
        for (label, synchronous) in [("normal", Database.Configuration.Synchronous.normal), ("full", .full)]
        where options.wants("storage.write-tx.\(label)") {
            var baseline: [Double] = []
            var wrapped: [Double] = []
            // Interleave baseline and wrapper runs so drift on a shared machine hits both alike.
            for run in 1...options.runs {
                baseline.append(try cBaselineWrites(synchronous: label, duration: options.runDuration))
                wrapped.append(try databaseWrites(synchronous: synchronous, duration: options.runDuration))
                Progress.say(
                    "  storage.write-tx.\(label) run \(run)/\(options.runs): \(Int(wrapped.last!)) tx/s (C API: \(Int(baseline.last!)) tx/s)"
                )
            }
            Progress.figure("storage.write-tx.\(label)", median(wrapped), "tx/s")
            Progress.figure("storage.write-tx.c-api.\(label)", median(baseline), "tx/s")
            Progress.figure("storage.write-tx.wrapper-ratio.\(label)", median(wrapped) / median(baseline), "ratio")
        }
        try await reportMedian("storage.write-tx-async.normal", unit: "tx/s", options: options) {
            try await asyncDatabaseWrites(duration: options.runDuration)
        }
        guard options.wants("storage.point-read") else { return }
        var reads: [Double] = []
        var writesDuringReads: [Double] = []
        for run in 1...options.runs {
            let (readRate, writeRate) = try await readsWhileWriting(duration: options.runDuration)
            reads.append(readRate)
            writesDuringReads.append(writeRate)
            Progress.say("  storage.point-read run \(run)/\(options.runs): \(Int(readRate)) reads/s with \(Int(writeRate)) tx/s writing")
        }
        Progress.figure("storage.point-read.two-readers-while-writing", median(reads), "reads/s")
        Progress.figure("storage.write-tx.while-reading", median(writesDuringReads), "tx/s")
    }

    private static let schema = "CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL)"

    /// Single-row transactions through `Database.write`.
    private func databaseWrites(synchronous: Database.Configuration.Synchronous, duration: Duration) throws -> Double {
        let scratch = try ScratchDirectory()
        let db = try Database(path: scratch.path("bench.sqlite"), configuration: .init(synchronous: synchronous))
        try db.write { try $0.execute(Self.schema) }
        var n: Int64 = 0
        return try throughput(for: duration) {
            n += 1
            let id = n
            try db.write { try $0.execute("INSERT INTO item (id, name, price) VALUES (?, ?, ?)", [id, "item", 1999]) }
        }
    }

    /// The same transactions through the async API, one awaiting caller at a time.
    private func asyncDatabaseWrites(duration: Duration) async throws -> Double {
        let scratch = try ScratchDirectory()
        let db = try Database(path: scratch.path("bench.sqlite"))
        try await db.write { try $0.execute(Self.schema) }
        let clock = ContinuousClock()
        let start = clock.now
        var n: Int64 = 0
        repeat {
            for _ in 0..<64 {
                n += 1
                let id = n
                try await db.write { try $0.execute("INSERT INTO item (id, name, price) VALUES (?, ?, ?)", [id, "item", 1999]) }
            }
        } while clock.now - start < duration
        return Double(n) / ((clock.now - start) / .seconds(1))
    }

    /// The same transactions written directly against SQLite's C API: the floor the wrapper is measured against.
    private func cBaselineWrites(synchronous: String, duration: Duration) throws -> Double {
        let scratch = try ScratchDirectory()
        var db: OpaquePointer?
        guard sqlite3_open(scratch.path("baseline.sqlite"), &db) == SQLITE_OK else { throw BaselineError() }
        defer { sqlite3_close(db) }
        let setup = synchronous == "full" ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"
        for sql in ["PRAGMA journal_mode = WAL", setup, "PRAGMA foreign_keys = ON", Self.schema] {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BaselineError() }
        }
        var begin: OpaquePointer?
        var insert: OpaquePointer?
        var commit: OpaquePointer?
        sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nil)
        sqlite3_prepare_v2(db, "INSERT INTO item (id, name, price) VALUES (?, ?, ?)", -1, &insert, nil)
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nil)
        defer {
            sqlite3_finalize(begin)
            sqlite3_finalize(insert)
            sqlite3_finalize(commit)
        }
        var n: Int64 = 0
        return try throughput(for: duration) {
            n += 1
            guard sqlite3_step(begin) == SQLITE_DONE else { throw BaselineError() }
            sqlite3_reset(begin)
            sqlite3_bind_int64(insert, 1, n)
            sqlite3_bind_text(insert, 2, "item", 4, csqlite_transient())
            sqlite3_bind_int64(insert, 3, 1999)
            guard sqlite3_step(insert) == SQLITE_DONE else { throw BaselineError() }
            sqlite3_reset(insert)
            guard sqlite3_step(commit) == SQLITE_DONE else { throw BaselineError() }
            sqlite3_reset(commit)
        }
    }

    /// Two tasks doing point reads through the async API while a third task keeps committing single-row writes,
    /// all three on the cooperative pool (two threads on this machine).
    private func readsWhileWriting(duration: Duration) async throws -> (reads: Double, writes: Double) {
        let scratch = try ScratchDirectory()
        let db = try Database(path: scratch.path("bench.sqlite"))
        let rows: Int64 = 10_000
        try await db.write { conn in
            try conn.execute(Self.schema)
            for id in 1...rows { try conn.execute("INSERT INTO item (id, name, price) VALUES (?, ?, ?)", [id, "item \(id)", id * 10]) }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        let start = clock.now
        // Each task returns (reads, writes) it completed.
        let (reads, writes) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<2 {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    var count = 0
                    while clock.now < deadline {
                        let id = Int64.random(in: 1...rows, using: &generator)
                        let price = try await db.read { try $0.scalar(Int64.self, "SELECT price FROM item WHERE id = ?", [id]) }
                        precondition(price == id * 10)
                        count += 1
                        // Reads that find a free connection complete without suspending; yield now and then as a
                        // request handler would at its socket, or these loops would hold both cooperative threads.
                        if count % 16 == 0 { await Task.yield() }
                    }
                    return (count, 0)
                }
            }
            group.addTask {
                var id = rows
                while clock.now < deadline {
                    id += 1
                    let next = id
                    try await db.write { try $0.execute("INSERT INTO item (id, name, price) VALUES (?, ?, ?)", [next, "new", next * 10]) }
                    if next % 16 == 0 { await Task.yield() }
                }
                return (0, Int(id - rows))
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        let elapsed = (clock.now - start) / .seconds(1)
        return (Double(reads) / elapsed, Double(writes) / elapsed)
    }
}

private struct BaselineError: Error {}
