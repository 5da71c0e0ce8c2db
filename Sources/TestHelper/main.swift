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
//       hangs before marking it sent, waiting for SIGKILL. `restart` runs the relay again on the same files and
//       prints "drained" when the outbox is empty. The subscriber prints "handled ID fresh=true|false".
import Foundation
import Messaging
import Storage

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

func relayCrash(directory: String, phase: String) async throws {
    let a = try Database(path: directory + "/a.sqlite")
    var aSchema = Migrator()
    MessagingSchema.register(in: &aSchema)
    aSchema.add("a-1", sql: "CREATE TABLE reservation (id TEXT PRIMARY KEY)")
    try aSchema.migrate(a)
    let b = try Database(path: directory + "/b.sqlite")
    var bSchema = Migrator()
    MessagingSchema.register(in: &bSchema)
    bSchema.add("b-1", sql: "CREATE TABLE effect (event_id TEXT NOT NULL)")
    try bSchema.migrate(b)

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
        hang = { envelopes in
            report("delivered " + envelopes.map(\.id).joined(separator: ","))
            // Stop between delivering and marking sent; the test kills the process here.
            try await Task.sleep(for: .seconds(60))
        }
    }
    let relay = OutboxRelay(outbox: outbox, bus: bus, beforeMarkingSent: hang)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await bus.run() }
        group.addTask { try await relay.run() }
        if phase == "restart" {
            let deadline = ContinuousClock.now + .seconds(30)
            while try await outbox.backlog() > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            report(try await outbox.backlog() == 0 ? "drained" : "not drained")
            group.cancelAll()
        }
        try await group.next()
        group.cancelAll()
    }
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
default:
    fail("unknown command \(arguments.first ?? "(none)"); commands: storage-stream, relay-crash")
}
