import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The live line on standard error while a load runs: rates over the last interval, unexpected answers, checkouts.
/// On a terminal it is rewritten in place about once a second; into a file or a pipe a line goes every five seconds.
enum ProgressLine {
    /// Whether standard error is a terminal.
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Prints the line until the task is cancelled, then clears it from a terminal.
    static func run(_ recorder: LoadRecorder, label: String, duration: Duration) async {
        let terminal = isTerminal
        let interval: Duration = terminal ? .seconds(1) : .seconds(5)
        let started = ContinuousClock.now
        var last = (at: started, requests: 0, checkouts: 0)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = ContinuousClock.now
            let totals = recorder.totals
            let seconds = max((now - last.at) / .seconds(1), 0.001)
            let elapsed = min(now - started, duration) / .seconds(1)
            let line =
                "\(label)\(Figures.number(elapsed, decimals: 0))/\(Figures.number(duration / .seconds(1))) s  "
                + "\(Figures.number(Double(totals.requests - last.requests) / seconds, decimals: 0)) req/s  "
                + "\(Figures.number(Double(totals.checkouts - last.checkouts) / seconds, decimals: 1)) checkouts/s  "
                + "\(Figures.grouped(totals.requests)) requests  \(Figures.grouped(totals.refused)) refused  "
                + "\(Figures.grouped(totals.unexpected)) unexpected  "
                + "\(Figures.grouped(totals.checkouts)) checkouts"
            last = (now, totals.requests, totals.checkouts)
            if Task.isCancelled { break }
            write(terminal ? "\r\u{1B}[K" + line : line + "\n")
        }
        if terminal { write("\r\u{1B}[K") }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
