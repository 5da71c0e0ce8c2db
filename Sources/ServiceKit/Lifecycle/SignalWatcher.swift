import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end of the pipe the signal handler reports to, or -1 when no watcher is active.
private let signalPipe = Atomic<Int32>(-1)

/// Turns POSIX signals into calls on an ordinary thread: the OS-specific seam of ``ServiceGroup``.
///
/// The handler only writes the signal number to a pipe (async-signal-safe); a dedicated thread reads it and
/// calls `onSignal`. One watcher is active per process at a time.
final class SignalWatcher: Sendable {
    private let signals: [Int32]
    private let readEnd: Int32
    private let writeEnd: Int32
    private let previous: Mutex<[Int32: sigaction]>

    init(signals: [Int32], onSignal: @escaping @Sendable (Int32) -> Void) {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "cannot create the signal pipe: \(String(cString: strerror(errno)))")
        let readEnd = fds[0]
        self.signals = signals
        self.readEnd = readEnd
        self.writeEnd = fds[1]
        signalPipe.store(fds[1], ordering: .releasing)
        var saved: [Int32: sigaction] = [:]
        for number in signals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                let fd = signalPipe.load(ordering: .acquiring)
                if fd >= 0 { _ = write(fd, &byte, 1) }
            }
            #else
            action.__sigaction_u.__sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                let fd = signalPipe.load(ordering: .acquiring)
                if fd >= 0 { _ = write(fd, &byte, 1) }
            }
            #endif
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(number, &action, &old)
            saved[number] = old
        }
        previous = Mutex(saved)
        let reader = Thread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                onSignal(Int32(byte))
            }
        }
        reader.name = "emporium-signals"
        reader.start()
    }

    /// Restores the previous handlers and ends the reader thread.
    func stop() {
        let saved = previous.withLock { saved -> [Int32: sigaction] in
            defer { saved.removeAll() }
            return saved
        }
        for (number, var old) in saved {
            sigaction(number, &old, nil)
        }
        _ = signalPipe.compareExchange(expected: writeEnd, desired: -1, ordering: .acquiringAndReleasing)
        // Closing the write end gives the reader end-of-file, which ends its thread; it closes nothing else.
        close(writeEnd)
    }

    deinit {
        close(readEnd)
    }
}
