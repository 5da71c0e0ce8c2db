// `emporium-test-helper`: child processes that the test suites start and kill with SIGKILL mid-work.
//
//   emporium-test-helper storage-stream DATABASE [normal|full]
//       Writes a numbered stream of transactions (row n in `stream`, `meta.last = n`; every 7th carries a 32 KiB
//       blob so the WAL grows and checkpoints run) and prints "committed N" after every 25th commit. It stops by
//       itself after 200,000 transactions or 60 seconds, whichever comes first, so an orphan never runs long.
//
//   emporium-test-helper relay-crash DIRECTORY first|restart
//       Module "a" (a.sqlite) has an outbox; module "b" (b.sqlite) subscribes through its inbox and counts effects.
//       `first` commits one event and runs the relay, which prints "delivered ID" once b handled it and then
//       hangs before saving b's cursor, waiting for SIGKILL. `restart` runs the relay again on the same files and
//       prints "drained" when b has handled everything. The subscriber prints "handled ID fresh=true|false".
//
//   emporium-test-helper relay-stream DIRECTORY first|restart
//       Module "a" commits events of three types about 16 subjects, numbered per subject, each with a row in its
//       `event_log`; group "b" (b.sqlite, 4 lanes) takes all three types, group "c" (c.sqlite) only
//       `a.released.v1`; each records what it handled, in order, through its inbox. `first` writes and relays
//       until killed, printing "handled b=N c=M" now and then. `restart` only relays, and prints "drained" once
//       both groups have handled everything.
import Foundation
import Messaging
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("emporium-test-helper: \(message)\n".utf8))
    exit(2)
}

/// Writes a line straight to stdout, unbuffered, so the parent sees it even if this process is killed next.
func report(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        guard written > 0 else { return }
        offset += written
    }
}

func storageStream(path: String, synchronous: Database.Configuration.Synchronous) throws {
    let database = try Database(path: path, configuration: .init(synchronous: synchronous))
    var migrator = Migrator()
    migrator.add(
        "1-stream",
        sql: """
            CREATE TABLE stream (n INTEGER PRIMARY KEY, payload BLOB NOT NULL);
            CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
            INSERT INTO meta (id, last) VALUES (1, 0);
            """
    )
    try migrator.migrate(database)
    var next = (try database.read { try $0.scalar(Int64.self, "SELECT last FROM meta") } ?? 0) + 1
    let started = ContinuousClock.now
    let bigPayload = Data(repeating: 0xA5, count: 32 * 1024)
    let smallPayload = Data("row".utf8)
    report("ready")
    while next <= 200_000, ContinuousClock.now - started < .seconds(60) {
        let n = next
        try database.write { connection in
            try connection.execute("INSERT INTO stream (n, payload) VALUES (?, ?)", [n, n % 7 == 0 ? bigPayload : smallPayload])
            try connection.execute("UPDATE meta SET last = ? WHERE id = 1", [n])
        }
        if n % 25 == 0 { report("committed \(n)") }
        next += 1
    }
}

func open(_ path: String, _ name: String, _ table: String) throws -> Database {
    let database = try Database(path: path)
    var schema = Migrator()
    MessagingSchema.register(in: &schema)
    schema.add("\(name)-1", sql: table)
    try schema.migrate(database)
    return database
}

func relayCrash(directory: String, phase: String) async throws {
    let a = try open(directory + "/a.sqlite", "a", "CREATE TABLE reservation (id TEXT PRIMARY KEY)")
    let b = try open(directory + "/b.sqlite", "b", "CREATE TABLE effect (event_id TEXT NOT NULL)")
    let outbox = Outbox(database: a, name: "a")
    let inbox = Inbox(database: b, consumer: "b")
    let bus = InProcessMessageBus()
    bus.subscribe(Subscription(topic: "a.reserved.v1", group: "b")) { envelope in
        let fresh = try await inbox.process(envelope) { conn in
            try conn.execute("INSERT INTO effect (event_id) VALUES (?)", [envelope.id])
        }
        report("handled \(envelope.id) fresh=\(fresh)")
    }
    if phase == "first" {
        try await a.write { conn in
            try conn.execute("INSERT INTO reservation (id) VALUES ('r-1')")
            try outbox.enqueue(Envelope(id: "evt-r-1", source: "/a", type: "a.reserved.v1", subject: "r-1", data: Data("{}".utf8)), in: conn)
        }
    }
    var hang: OutboxRelay.BatchHook?
    if phase == "first" {
        hang = { _, envelopes in
            report("delivered " + envelopes.map(\.id).joined(separator: ","))
            // Stop between delivering and saving the cursor; the test kills the process here.
            try await Task.sleep(for: .seconds(60))
        }
    }
    let relay = OutboxRelay(outbox: outbox, bus: bus, beforeSavingCursor: hang)
    try await run(bus, relay, until: phase == "restart" ? relay : nil)
}

/// Runs the bus and the relay; with `drained`, stops once every group has handled every event and says so.
func run(
    _ bus: InProcessMessageBus,
    _ relay: OutboxRelay,
    until drained: OutboxRelay?,
    alongside writer: (@Sendable () async throws -> Void)? = nil
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await bus.run() }
        group.addTask { try await relay.run() }
        if let writer { group.addTask { try await writer() } }
        if let drained {
            let deadline = ContinuousClock.now + .seconds(60)
            func done() async throws -> Bool {
                let progress = try await drained.progress()
                return !progress.isEmpty && progress.allSatisfy { $0.pending == 0 }
            }
            while try await !done(), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            report(try await done() ? "drained" : "not drained")
            group.cancelAll()
        }
        try await group.next()
        group.cancelAll()
    }
}

func relayStream(directory: String, phase: String) async throws {
    let a = try open(
        directory + "/a.sqlite",
        "a",
        "CREATE TABLE event_log (event_id TEXT PRIMARY KEY, type TEXT NOT NULL, subject TEXT NOT NULL, n INTEGER NOT NULL)"
    )
    let effects = "CREATE TABLE effect (event_id TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL, n INTEGER NOT NULL)"
    let b = try open(directory + "/b.sqlite", "b", effects)
    let c = try open(directory + "/c.sqlite", "c", effects)
    let outbox = Outbox(database: a, name: "a")
    let bus = InProcessMessageBus()
    let types = ["a.reserved.v1", "a.extended.v1", "a.released.v1"]
    let counts = Counts()
    for (database, group, taken) in [(b, "b", types), (c, "c", ["a.released.v1"])] {
        let inbox = Inbox(database: database, consumer: group)
        bus.subscribeInBatches(Subscription(group: group, eventTypes: taken, concurrency: group == "b" ? 4 : 1)) { envelopes in
            let fresh = try await inbox.process(batch: envelopes) { conn, envelope in
                let n = Int(String(decoding: envelope.data, as: UTF8.self)) ?? -1
                try conn.execute(
                    "INSERT INTO effect (event_id, type, subject, n) VALUES (?, ?, ?, ?)",
                    [envelope.id, envelope.type, envelope.subject, n]
                )
            }
            counts.add(fresh, to: group)
        }
    }
    let writer: @Sendable () async throws -> Void = {
        var next = try await a.read { try $0.scalar(Int.self, "SELECT count(*) FROM event_log") } ?? 0
        while !Task.isCancelled {
            let n = next
            try await a.write { conn in
                let subject = "s-\(n % 16)"
                let type = types[(n / 16) % 3]
                let envelope = Envelope(source: "/a", type: type, subject: subject, data: Data(String(n).utf8))
                try conn.execute("INSERT INTO event_log (event_id, type, subject, n) VALUES (?, ?, ?, ?)", [envelope.id, type, subject, n])
                try outbox.enqueue(envelope, in: conn)
            }
            next += 1
            if n % 50 == 0 {
                report("handled b=\(counts.value("b")) c=\(counts.value("c"))")
                await Task.yield()
            }
        }
    }
    let relay = OutboxRelay(outbox: outbox, bus: bus, batchSize: 64)
    try await run(bus, relay, until: phase == "restart" ? relay : nil, alongside: phase == "first" ? writer : nil)
}

/// Events each group handled in this run.
final class Counts: Sendable {
    private let values = Mutex<[String: Int]>([:])
    func add(_ count: Int, to group: String) { values.withLock { $0[group, default: 0] += count } }
    func value(_ group: String) -> Int { values.withLock { $0[group] ?? 0 } }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "storage-stream":
    guard arguments.count >= 2 else { fail("usage: storage-stream DATABASE [normal|full]") }
    let synchronous: Database.Configuration.Synchronous = arguments.count > 2 && arguments[2] == "full" ? .full : .normal
    do {
        try storageStream(path: arguments[1], synchronous: synchronous)
    } catch {
        fail("\(error)")
    }
case "relay-crash":
    guard arguments.count == 3, ["first", "restart"].contains(arguments[2]) else {
        fail("usage: relay-crash DIRECTORY first|restart")
    }
    do {
        try await relayCrash(directory: arguments[1], phase: arguments[2])
    } catch is CancellationError {
    } catch {
        fail("\(error)")
    }
case "relay-stream":
    guard arguments.count == 3, ["first", "restart"].contains(arguments[2]) else {
        fail("usage: relay-stream DIRECTORY first|restart")
    }
    do {
        try await relayStream(directory: arguments[1], phase: arguments[2])
    } catch is CancellationError {
    } catch {
        fail("\(error)")
    }
default:
    fail("unknown command \(arguments.first ?? "(none)"); commands: storage-stream, relay-crash, relay-stream")
}
