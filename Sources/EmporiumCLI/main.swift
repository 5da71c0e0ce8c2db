// The `emporium` executable: `serve`, `demo`, `seed`, `backup`, `services`; see CLI.swift.
import Foundation

let status = await CLI.main(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
exit(status.rawValue)
