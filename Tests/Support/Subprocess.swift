import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for the tests that start programs.
///
/// Not Foundation's `Process`: on Linux its `run()` reads `/proc/self/fd` with a 256-byte copy of each directory
/// entry and crashes now and then when an entry sits at the end of a mapped page (swift-corelibs-foundation
/// PR 5472, fixed after Swift 6.3.1); a full test run here crashed about one time in seven. The child gets the
/// standard descriptors it is given and none of the parent's others.
public final class Subprocess: Sendable {
    /// The child's process id.
    public let pid: Int32
    private let status = Mutex<Int32?>(nil)

    /// A spawn that failed: the call and `errno`'s text.
    public struct SpawnFailed: Error, CustomStringConvertible {
        /// What was started, and why it did not start.
        public let description: String
    }

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - environment: The child's environment; this process's when `nil`.
    ///   - standardInput: The descriptor to read from; `/dev/null` when `nil`.
    ///   - standardOutput: The descriptor to write to; this process's when `nil`.
    ///   - standardError: The descriptor for errors; this process's when `nil`.
    /// - Throws: ``SpawnFailed``.
    public init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        standardInput: Int32? = nil,
        standardOutput: Int32? = nil,
        standardError: Int32? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let standardOutput { posix_spawn_file_actions_adddup2(&actions, standardOutput, 1) }
        if let standardError { posix_spawn_file_actions_adddup2(&actions, standardError, 2) }
        // Every other descriptor stays behind: a pipe end inherited by another child would keep the pipe open.
        Self.closeFrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and nothing blocked, whatever the test process set.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in variables { free(variable) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, variables)
        guard result == 0 else {
            throw SpawnFailed(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module does not
    /// declare.
    private static let addCloseFrom: CloseFrom? = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: CloseFrom.self)
    }

    private static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        if let addCloseFrom {
            _ = addCloseFrom(&actions, lowest)
        }
    }

    /// Whether the child has not exited yet (reaping it if it has).
    public var isRunning: Bool {
        status.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
            status = Self.decode(raw)
            return false
        }
    }

    /// Waits for the child to exit and returns its status: the exit code, or the number of the signal that
    /// ended it.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        if let known = status.withLock({ $0 }) { return known }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
        let decoded = Self.decode(raw)
        return status.withLock { status in
            if status == nil { status = decoded }
            return status!
        }
    }

    /// The status once exited (see ``waitUntilExit()``).
    public var terminationStatus: Int32 { waitUntilExit() }

    /// Sends `signal` to the child, if it is still running.
    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// A pipe, both ends closed on exec (a child gets an end only through its file actions).
    /// - Returns: The read end and the write end.
    public static func pipe() throws -> [Int32] {
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else { throw SpawnFailed(description: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return ends
    }

    private static func decode(_ raw: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : signal
    }

    /// Runs `executable` to the end and returns its status and its standard output and error, together.
    /// - Parameter input: A file whose contents the child reads on standard input.
    /// - Throws: ``SpawnFailed``.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let ends = try pipe()
        let inputDescriptor = try input.map { path -> Int32 in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw SpawnFailed(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
            return descriptor
        }
        defer { if let inputDescriptor { close(inputDescriptor) } }
        let child: Subprocess
        do {
            child = try Subprocess(executable, arguments, standardInput: inputDescriptor, standardOutput: ends[1], standardError: ends[1])
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])
        let output = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true).readDataToEndOfFile()
        return (child.waitUntilExit(), String(decoding: output, as: UTF8.self))
    }
}
