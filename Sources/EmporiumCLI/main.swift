// The `emporium` executable. Later issues add `serve`, `demo`, `seed`, `services` and `backup`.
import Foundation

let version = "0.1.0"
let arguments = CommandLine.arguments.dropFirst()

switch arguments.first {
case nil, "--version", "version":
    print("emporium \(version)")
case "--help", "-h", "help":
    print(
        """
        emporium \(version): an e-commerce platform as a modular monolith.

        Usage: emporium [--version | --help]

        The serving commands (serve, demo, seed, services, backup) arrive with the next releases.
        """
    )
default:
    FileHandle.standardError.write(Data("emporium: unknown command '\(arguments.first!)'; see 'emporium --help'\n".utf8))
    exit(64)
}
