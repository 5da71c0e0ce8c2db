import Foundation

/// One flag a command accepts, with the environment variable that stands in for it: the single source of both the
/// parser and the help text.
struct Option: Sendable {
    enum Kind: Sendable {
        /// `--durable`: present or not.
        case flag
        /// `--port 8080` or `--port=8080`; the last one given wins.
        case value(placeholder: String)
        /// `--fault A --fault B`; the environment variable holds several, separated by `separator`.
        case repeatable(placeholder: String, separator: Character)
    }

    /// The name without dashes: `port`.
    let name: String
    let kind: Kind
    /// `EMPORIUM_PORT`; `nil` when only the flag sets it.
    let environment: String?
    /// One line for `--help`.
    let summary: String

    init(_ name: String, _ kind: Kind, environment: String? = nil, _ summary: String) {
        self.name = name
        self.kind = kind
        self.environment = environment
        self.summary = summary
    }

    /// `--port PORT`.
    var synopsis: String {
        switch kind {
        case .flag: "--\(name)"
        case .value(let placeholder), .repeatable(let placeholder, _): "--\(name) \(placeholder)"
        }
    }

    var takesValue: Bool {
        if case .flag = kind { return false }
        return true
    }
}

/// Where a value came from, so an error can name it.
enum ValueSource: Sendable, Equatable, CustomStringConvertible {
    case flag(String)
    case environment(String)

    var description: String {
        switch self {
        case .flag(let name): "--\(name)"
        case .environment(let name): name
        }
    }

    /// A bad flag is a usage error; a bad environment variable is a configuration error.
    var exitCode: ExitCode {
        switch self {
        case .flag: .usage
        case .environment: .invalidConfiguration
        }
    }
}

/// A command line split into flags and positional arguments, checked against a command's options. Flags win over
/// their environment variables.
struct ParsedArguments: Sendable {
    /// Arguments that are not flags, in order.
    private(set) var positionals: [String] = []
    /// Whether `--help` or `-h` was given.
    private(set) var wantsHelp = false
    private var given: [String: [String]] = [:]
    private let environment: [String: String]

    /// Parses `arguments` (after the command name).
    /// - Throws: ``CLIError`` (usage) for an unknown flag or a flag without its value.
    init(_ arguments: [String], options: [Option], command: String, environment: [String: String]) throws(CLIError) {
        self.environment = environment
        var index = arguments.startIndex
        var onlyPositionals = false
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "--help" || argument == "-h" {
                wantsHelp = true
                continue
            }
            let body = argument.drop { $0 == "-" }
            let name = String(body.prefix { $0 != "=" })
            let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
            guard argument.hasPrefix("--"), let option = options.first(where: { $0.name == name }) else {
                throw CLIError(.usage, "unknown flag '\(argument)' for '\(command)'", hint: "see 'emporium help \(command)'")
            }
            if !option.takesValue {
                guard inline == nil else { throw CLIError(.usage, "--\(name) takes no value", hint: "see 'emporium help \(command)'") }
                given[name, default: []].append("")
                continue
            }
            if let inline {
                given[name, default: []].append(inline)
            } else if index < arguments.endIndex {
                given[name, default: []].append(arguments[index])
                index += 1
            } else {
                throw CLIError(.usage, "\(option.synopsis): the value is missing", hint: "see 'emporium help \(command)'")
            }
        }
    }

    /// Whether a flag was given, or its environment variable is `1`, `true` or `yes`.
    func isSet(_ option: Option) -> Bool {
        if given[option.name] != nil { return true }
        guard let name = option.environment, let value = environment[name] else { return false }
        return ["1", "true", "yes", "on"].contains(value.lowercased())
    }

    /// The last value of a flag, else its environment variable (ignored when empty).
    func value(_ option: Option) -> (text: String, source: ValueSource)? {
        if let last = given[option.name]?.last { return (last, .flag(option.name)) }
        guard let name = option.environment, let value = environment[name], !value.isEmpty else { return nil }
        return (value, .environment(name))
    }

    /// Every value of a repeatable flag, else the parts of its environment variable.
    func values(_ option: Option) -> [(text: String, source: ValueSource)] {
        if let all = given[option.name] { return all.map { ($0, .flag(option.name)) } }
        guard let name = option.environment, let value = environment[name], case .repeatable(_, let separator) = option.kind else { return [] }
        return value.split(separator: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
            ($0, .environment(name))
        }
    }

    /// A value converted by `convert`, or an error naming the flag (or variable) and what was expected.
    func value<Value>(_ option: Option, expected: String, _ convert: (String) -> Value?) throws(CLIError) -> Value? {
        guard let (text, source) = value(option) else { return nil }
        guard let converted = convert(text) else { throw CLIError(source.exitCode, "\(source): '\(text)' is not \(expected)") }
        return converted
    }

    /// Fails unless there are exactly `names.count` positional arguments.
    func requirePositionals(_ names: [String], command: String) throws(CLIError) {
        guard positionals.count == names.count else {
            let what = names.isEmpty ? "no arguments" : names.joined(separator: " ")
            let got = positionals.isEmpty ? "none" : positionals.map { "'\($0)'" }.joined(separator: ", ")
            throw CLIError(.usage, "'\(command)' takes \(what); got \(got)", hint: "see 'emporium help \(command)'")
        }
    }
}
