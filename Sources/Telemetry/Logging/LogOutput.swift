import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a ``JSONLinesLogHandler`` writes its lines: standard output or error, a file descriptor, a
/// closure, or memory (for tests).
///
/// An output is shared by every handler copy that uses it. Writes are serialized by a mutex, so a line
/// is always written whole, even when many tasks log at once.
///
/// ```swift
/// let output = LogOutput.memory()
/// let logger = Logger(label: "test", handler: JSONLinesLogHandler(output: output))
/// logger.info("hello")
/// output.recordedLines  // one JSON object
/// ```
public final class LogOutput: Sendable {
    private enum Target {
        case fileDescriptor(Int32)
        case closure(@Sendable (String) -> Void)
        case memory
    }

    private let target: Target
    // Held for every write, so lines never interleave; also holds the lines of a memory output.
    private let recorded = Mutex<[String]>([])

    /// Writes to the process's standard output (file descriptor 1).
    public static let standardOutput = LogOutput(fileDescriptor: 1)

    /// Writes to the process's standard error (file descriptor 2).
    public static let standardError = LogOutput(fileDescriptor: 2)

    private init(target: Target) {
        self.target = target
    }

    /// Creates an output that writes each line, newline-terminated, to an open file descriptor.
    ///
    /// The output does not own the descriptor: it never closes it, and the caller must keep it open while
    /// loggers use the output. Write errors are ignored, because a failing log must not fail the caller.
    ///
    /// - Parameter fileDescriptor: An open, writable file descriptor.
    public convenience init(fileDescriptor: Int32) {
        self.init(target: .fileDescriptor(fileDescriptor))
    }

    /// Creates an output that passes each line, without its newline, to a closure.
    ///
    /// Calls are serialized: the closure never runs twice at the same time for this output. It runs while
    /// the output's lock is held, so it must not log through a handler that writes to this same output.
    ///
    /// - Parameter write: Receives one complete JSON line per record.
    public convenience init(_ write: @escaping @Sendable (String) -> Void) {
        self.init(target: .closure(write))
    }

    /// Creates an output that keeps lines in memory; read them with ``recordedLines``.
    public static func memory() -> LogOutput {
        LogOutput(target: .memory)
    }

    /// The lines written so far to a ``memory()`` output, oldest first, without newlines; empty for other outputs.
    public var recordedLines: [String] {
        self.recorded.withLock { $0 }
    }

    /// Writes one line. The output adds the newline where one is needed.
    ///
    /// - Parameter line: A complete line without a trailing newline.
    public func write(line: String) {
        switch self.target {
        case .memory:
            self.recorded.withLock { $0.append(line) }
        case .closure(let write):
            self.recorded.withLock { _ in write(line) }
        case .fileDescriptor(let descriptor):
            var text = line
            text.append("\n")
            self.recorded.withLock { _ in
                text.withUTF8 { Self.writeAll($0, to: descriptor) }
            }
        }
    }

    private static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to descriptor: Int32) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            next += written
            remaining -= written
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
