public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A helper process started from `emporium-test-helper`, whose stdout lines the test waits on with deadlines.
public final class ChildProcess {
    /// The running process.
    public let process = Process()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    /// The helper executable, built beside the test bundle (the test target depends on it).
    public static var helperURL: URL {
        get throws {
            if let override = ProcessInfo.processInfo.environment["EMPORIUM_TEST_HELPER"] {
                return URL(fileURLWithPath: override)
            }
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            // On Darwin the test binary sits inside an .xctest bundle three levels deeper.
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("emporium-test-helper")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory.deleteLastPathComponent()
            }
            throw HelperMissing()
        }
    }

    public struct HelperMissing: Error, CustomStringConvertible {
        public var description: String { "emporium-test-helper not found beside \(CommandLine.arguments[0]); run `swift build` first" }
    }

    public struct Timeout: Error, CustomStringConvertible {
        let waitingFor: String
        public var description: String { "timed out waiting for the helper to print \(waitingFor)" }
    }

    /// Starts `emporium-test-helper` with `arguments`.
    public init(arguments: [String]) throws {
        process.executableURL = try Self.helperURL
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Reads lines until one satisfies `predicate`, or fails once `deadline` passes or the child exits.
    @discardableResult
    public func waitForLine(within timeout: Duration, description: String, where predicate: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + timeout
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                if predicate(line) { return line }
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw Timeout(waitingFor: description) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&descriptor, 1, max(milliseconds, 1)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Timeout(waitingFor: description + " (the helper exited)") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Waits for the child to exit by itself and returns its status, killing it after `timeout`.
    public func waitForExit(within timeout: Duration) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                killHard()
                throw Timeout(waitingFor: "the helper to exit")
            }
            usleep(2_000)
        }
        return process.terminationStatus
    }

    /// Kills the child with SIGKILL (no chance to clean up) and reaps it.
    public func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
