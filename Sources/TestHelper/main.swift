// `emporium-test-helper`: child processes that the test suites start and kill with SIGKILL mid-work.
//
//   emporium-test-helper storage-stream DATABASE [normal|full]
//       Writes a numbered stream of transactions (row n in `stream`, `meta.last = n`; every 7th carries a 32 KiB
//       blob so the WAL grows and checkpoints run) and prints "committed N" after every 25th commit. It stops by
//       itself after 200,000 transactions or 60 seconds, whichever comes first, so an orphan never runs long.
import Foundation
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
default:
    fail("unknown command \(arguments.first ?? "(none)"); commands: storage-stream")
}
