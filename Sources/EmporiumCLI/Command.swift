/// A subcommand of `emporium`: its flags, its help and what it does.
protocol Command: SendableMetatype {
    /// The word that selects it: `serve`.
    static var name: String { get }
    /// One line for the command list.
    static var summary: String { get }
    /// The usage line after `emporium`: `serve [flags]`.
    static var usage: String { get }
    /// What a user must know beyond the flags.
    static var discussion: String { get }
    static var options: [Option] { get }
    static var examples: [String] { get }

    /// Runs the command.
    /// - Returns: The exit status.
    /// - Throws: ``CLIError``, ``EmporiumError`` (mapped to its exit status), or any other error (status 1).
    static func run(_ arguments: ParsedArguments) async throws -> ExitCode
}

extension Command {
    /// `emporium help COMMAND`.
    static var help: String {
        var lines = ["emporium \(name): \(summary)", "", "Usage: emporium \(usage)"]
        if !discussion.isEmpty { lines += ["", discussion] }
        let rows = options.map { option in
            [option.synopsis, option.summary + (option.environment.map { " [env \($0)\(option.takesValue ? "" : "=1")]" } ?? "")]
        }
        lines += ["", "Flags:"] + Console.table(rows + [["--help", "Show this help."]], indent: "  ")
        if !examples.isEmpty { lines += ["", "Examples:"] + examples.map { "  \($0)" } }
        return lines.joined(separator: "\n")
    }
}

/// A command as the dispatcher holds it. Closures rather than `any Command.Type`: Swift 6.3 crashes generating code
/// for static members reached through an existential metatype here.
struct CommandEntry: Sendable {
    let name: String
    let summary: String
    let help: String
    let options: [Option]
    let run: @Sendable (ParsedArguments) async throws -> ExitCode

    init<C: Command>(_ command: C.Type) {
        name = C.name
        summary = C.summary
        help = C.help
        options = C.options
        run = { try await C.run($0) }
    }
}
