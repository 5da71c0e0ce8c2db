import Foundation

/// Settings shared by every suite.
struct BenchmarkOptions {
    var runs = 5
    var secondsPerRun = 1.0
    /// Only figures whose name starts with one of these run; all when empty.
    var only: [String] = []

    /// Whether the figure (or group of figures) named `name` should run.
    func wants(_ name: String) -> Bool {
        only.isEmpty || only.contains { name.hasPrefix($0) || $0.hasPrefix(name) }
    }

    var runDuration: Duration { .milliseconds(Int64(secondsPerRun * 1000)) }
}

/// A named group of figures.
protocol BenchmarkSuite: Sendable {
    func run(options: BenchmarkOptions) async throws
}

/// Progress lines on stderr, figures on stdout.
enum Progress {
    static func say(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func fail(_ text: String) -> Never {
        say("emporium-bench: \(text)")
        exit(64)
    }

    /// Prints one figure in the `name value unit` contract.
    static func figure(_ name: String, _ value: Double, _ unit: String) {
        let formatted = value >= 100 ? String(Int(value.rounded())) : String(format: "%.3f", value)
        FileHandle.standardOutput.write(Data("\(name) \(formatted) \(unit)\n".utf8))
    }
}

/// The median of a non-empty sample.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Runs `measure` `runs` times, prints each run's value as progress and the median as a figure.
func reportMedian(_ name: String, unit: String, options: BenchmarkOptions, _ measure: () async throws -> Double) async rethrows {
    guard options.wants(name) else { return }
    var samples: [Double] = []
    for run in 1...options.runs {
        let value = try await measure()
        samples.append(value)
        Progress.say("  \(name) run \(run)/\(options.runs): \(Int(value.rounded())) \(unit)")
    }
    Progress.figure(name, median(samples), unit)
}

/// Calls `body` repeatedly until `duration` has passed; returns operations per second.
func throughput(for duration: Duration, batch: Int = 64, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    var operations = 0
    repeat {
        for _ in 0..<batch { try body() }
        operations += batch
    } while clock.now - start < duration
    return Double(operations) / ((clock.now - start) / .seconds(1))
}

/// A scratch directory removed when released.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("emporium-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// This process's resident memory, from `/proc/self/statm` (0 where there is none).
func residentMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// A benchmark that found the system answering wrongly: its figures would mean nothing.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
