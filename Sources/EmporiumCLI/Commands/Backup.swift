import Emporium
import Foundation
import Telemetry

/// `emporium backup`: a consistent copy of every module's database, taken with SQLite's online backup.
enum Backup: Command {
    static let name = "backup"
    static let summary = "Copy every module's database into a directory (SQLite online backup)."
    static let usage = "backup DEST [--data DIR]"
    static let discussion = """
        Writes DEST/<module>.sqlite for every module ('emporium services' lists them), each a consistent snapshot, while
        'serve' may keep running on the same data. To restore: stop 'serve', copy the files back into the data
        directory (removing any -wal and -shm files beside them), start again. The signing secret and
        initial-admin-password are not databases: copy them yourself if you need them.
        """
    static let examples = ["emporium backup /backups/emporium-$(date +%F)", "emporium backup ./snapshot --data /var/lib/emporium"]
    static let options = [Options.data, Options.logLevel]

    static func run(_ arguments: ParsedArguments) async throws -> ExitCode {
        try arguments.requirePositionals(["DEST"], command: name)
        let destination = URL(fileURLWithPath: arguments.positionals[0]).standardizedFileURL.path
        let dataDirectory = URL(fileURLWithPath: Options.dataDirectory(arguments)).standardizedFileURL.path
        // Opening an empty directory would create fresh databases and back those up: an empty backup is no backup.
        guard Emporium.moduleNames.contains(where: { FileManager.default.fileExists(atPath: "\(dataDirectory)/\($0).sqlite") }) else {
            throw CLIError(.inputUnreadable, "\(dataDirectory) holds no emporium databases", hint: "pass the data directory of a system with --data")
        }
        guard destination != dataDirectory else { throw CLIError(.usage, "DEST is the data directory itself; choose another directory") }
        var configuration = EmporiumConfiguration(dataDirectory: dataDirectory)
        configuration.serveHTTP = false
        configuration.logLevel = try Options.logLevel(arguments, default: .warning)
        let system = try await Emporium(configuration: configuration)
        let files: [String]
        do {
            files = try await system.backup(to: destination)
        } catch let error as EmporiumError {
            throw error
        } catch {
            throw CLIError(.cannotWrite, "cannot write the backup into \(destination): \(error)")
        }
        for file in files {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            Console.out("\(file)  \(size) bytes")
        }
        return .success
    }
}
