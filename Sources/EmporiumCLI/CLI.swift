import Emporium
import Foundation

/// Chooses the command, runs it, and turns every failure into a message and an exit status.
enum CLI {
    static let commands = [
        CommandEntry(Serve.self), CommandEntry(Demo.self), CommandEntry(Seed.self), CommandEntry(Backup.self), CommandEntry(Services.self),
        CommandEntry(AuditCommand.self), CommandEntry(Load.self),
    ]

    static var help: String {
        var lines = [
            "emporium \(Emporium.version): an e-commerce platform in one binary, a modular monolith of",
            "\(Emporium.moduleNames.joined(separator: ", ")) behind an API gateway, each module on its own SQLite database.",
            "",
            "Usage: emporium COMMAND [flags]",
            "       emporium --version | --help",
            "",
            "Commands:",
        ]
        let helpRow = ["help COMMAND", "Show a command's flags, environment and examples."]
        lines += Console.table(commands.map { [$0.name, $0.summary] } + [helpRow], indent: "  ")
        lines += [
            "",
            "Run 'emporium help COMMAND' (or 'emporium COMMAND --help') for its flags and examples.",
            "Flags win over their environment variables (EMPORIUM_PORT, EMPORIUM_DATA, ...).",
            "",
            "Exit codes:",
        ]
        lines += Console.table(ExitCode.allCases.map { ["\($0.rawValue)", $0.meaning] }, indent: "  ")
        return lines.joined(separator: "\n")
    }

    /// Runs the command line `arguments` (without the program name).
    /// - Returns: The exit status.
    static func main(_ arguments: [String], environment: [String: String]) async -> ExitCode {
        do {
            return try await dispatch(arguments, environment: environment)
        } catch let error as CLIError {
            Console.report(error)
            return error.code
        } catch let error as EmporiumError {
            let error = CLIError(error)
            Console.report(error)
            return error.code
        } catch {
            Console.report(CLIError(.failure, "\(error)"))
            return .failure
        }
    }

    private static func dispatch(_ arguments: [String], environment: [String: String]) async throws -> ExitCode {
        guard let first = arguments.first else {
            Console.error(help)
            return .usage
        }
        switch first {
        case "--version", "-V", "version":
            Console.out("emporium \(Emporium.version)")
            return .success
        case "--help", "-h":
            Console.out(help)
            return .success
        case "help":
            guard let topic = arguments.dropFirst().first else {
                Console.out(help)
                return .success
            }
            Console.out(try command(named: topic).help)
            return .success
        default:
            let command = try command(named: first)
            let parsed = try ParsedArguments(Array(arguments.dropFirst()), options: command.options, command: command.name, environment: environment)
            if parsed.wantsHelp {
                Console.out(command.help)
                return .success
            }
            return try await command.run(parsed)
        }
    }

    private static func command(named name: String) throws(CLIError) -> CommandEntry {
        if let command = commands.first(where: { $0.name == name }) { return command }
        let hint = name.hasPrefix("-") ? "flags come after the command: 'emporium serve \(name)'" : "see 'emporium --help'"
        throw CLIError(.usage, "unknown command '\(name)'", hint: hint + "; commands: \(commands.map(\.name).joined(separator: ", "))")
    }
}
