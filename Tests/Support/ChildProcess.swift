public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process (by default `emporium-test-helper`) whose stdout lines the test waits on with deadlines.
///
/// The waits block on `poll(2)`, so they run on a thread of their own: a test awaiting a slow child must not hold
/// one of the few threads of Swift's cooperative pool that every other test running in parallel needs.
// @unchecked: a test makes one wait at a time (each is awaited), so `buffer` is only touched by that wait's thread.
public final class ChildProcess: @unchecked Sendable {
    /// The running process.
    public let process: Subprocess
    /// The read end of the pipe the child writes its standard output to.
    private let output: Int32
    private var buffer: [UInt8] = []

    /// The helper executable, built beside the test bundle (the test target depends on it).
    public static var helperURL: URL {
        get throws {
            if let override = ProcessInfo.processInfo.environment["EMPORIUM_TEST_HELPER"] {
                return URL(fileURLWithPath: override)
            }
            return try builtExecutable("emporium-test-helper")
        }
    }

    /// An executable product of this package, built beside the test bundle (the test target must depend on it).
    public static func builtExecutable(_ name: String) throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // On Darwin the test binary sits inside an .xctest bundle three levels deeper.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw HelperMissing(name: name)
    }

    public struct HelperMissing: Error, CustomStringConvertible {
        var name = "emporium-test-helper"
        public var description: String { "\(name) not found beside \(CommandLine.arguments[0]); run `swift build` first" }
    }

    public struct Timeout: Error, CustomStringConvertible {
        let waitingFor: String
        public var description: String { "timed out waiting for the helper to print \(waitingFor)" }
    }

    /// Starts `emporium-test-helper` with `arguments`.
    public convenience init(arguments: [String]) async throws {
        try await self.init(executable: try Self.helperURL, arguments: arguments)
    }

    /// Starts `executable` with `arguments`; its standard error goes to `standardError` (inherited by default).
    public init(executable: URL, arguments: [String], standardError: FileHandle? = nil) async throws {
        let ends = try Subprocess.pipe()
        do {
            process = try Subprocess(executable.path, arguments, standardOutput: ends[1], standardError: standardError?.fileDescriptor)
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])
        output = ends[0]
    }

    /// Everything the child writes to standard output until it exits; fails after `timeout`.
    public func readToEnd(within timeout: Duration) async throws -> String {
        try await Self.offload { try self.blockingReadToEnd(within: timeout) }
    }

    private func blockingReadToEnd(within timeout: Duration) throws -> String {
        var lines: [String] = []
        do {
            _ = try blockingWaitForLine(within: timeout, description: "the end of its output") { line in
                lines.append(line)
                return false
            }
        } catch let timeout as Timeout where timeout.waitingFor.hasSuffix("(the helper exited)") {
            lines.append(String(decoding: buffer, as: UTF8.self))
            return lines.joined(separator: "\n")
        }
        return lines.joined(separator: "\n")
    }

    deinit {
        if process.isRunning {
            kill(process.pid, SIGKILL)
            process.waitUntilExit()
        }
        close(output)
    }

    /// Reads lines until one satisfies `predicate`, or fails once `timeout` passes or the child exits.
    @discardableResult
    public func waitForLine(
        within timeout: Duration,
        description: String,
        where predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        try await Self.offload { try self.blockingWaitForLine(within: timeout, description: description, where: predicate) }
    }

    private func blockingWaitForLine(within timeout: Duration, description: String, where predicate: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + timeout
        let fd = output
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
    public func waitForExit(within timeout: Duration) async throws -> Int32 {
        try await Self.offload { try self.blockingWaitForExit(within: timeout) }
    }

    private func blockingWaitForExit(within timeout: Duration) throws -> Int32 {
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

    /// Runs `body` on a new thread and resumes with its result.
    private static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Kills the child with SIGKILL (no chance to clean up) and reaps it.
    public func killHard() {
        if process.isRunning { kill(process.pid, SIGKILL) }
        process.waitUntilExit()
    }
}
