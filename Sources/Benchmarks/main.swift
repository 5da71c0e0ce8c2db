// `emporium-bench`: benchmarks are programs, not tests.
//
// Output contract, shared by every suite: human-readable progress on stderr; on stdout one line per figure,
// `figure-name value unit`, the median over several runs (for example `storage.write-tx.normal 31250 tx/s`).
import Foundation

let suites: [String: any BenchmarkSuite] = [
    "storage": StorageSuite(),
    "bus": BusSuite(),
    "calls": CallsSuite(),
    "http": HTTPSuite(),
    "search": SearchSuite(),
    "identity": IdentitySuite(),
    "inventory": InventorySuite(),
    "payments": PaymentsSuite(),
    "checkout": CheckoutSuite(),
    "recommendations": RecommendationsSuite(),
    "startup": StartupSuite(),
]

func usage() -> String {
    """
    Usage: emporium-bench SUITE... [--runs N] [--seconds S] [--only PREFIX]...
           emporium-bench --list

    Runs each SUITE and prints one line per figure on stdout: `name value unit` (medians of N runs).
    Progress goes to stderr.

    Suites: \(suites.keys.sorted().joined(separator: ", "))
    Options:
      --runs N      runs per figure, the median is reported (default 5)
      --seconds S   length of one timed run in seconds (default 1)
      --only PREFIX run only the figures whose names start with PREFIX (repeatable)
    """
}

var options = BenchmarkOptions()
var selected: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--help", "-h":
        print(usage())
        exit(0)
    case "--list":
        print(suites.keys.sorted().joined(separator: "\n"))
        exit(0)
    case "--runs":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
            Progress.fail("--runs needs a positive whole number")
        }
        options.runs = value
    case "--seconds":
        guard let value = arguments.popFirst().flatMap(Double.init), value > 0 else {
            Progress.fail("--seconds needs a positive number")
        }
        options.secondsPerRun = value
    case "--only":
        guard let prefix = arguments.popFirst() else { Progress.fail("--only needs a figure-name prefix") }
        options.only.append(prefix)
    case let name where suites[name] != nil:
        selected.append(name)
    default:
        Progress.fail("unknown suite or option '\(argument)'\n\n\(usage())")
    }
}
if selected.isEmpty {
    Progress.fail(usage())
}
// Suites run on the cooperative pool, as server code does, not on the main actor: a task on the main actor pays a
// thread switch on every hop to the pool, which measured ten times the cost of a child task.
let chosen = selected.map { ($0, suites[$0]!) }
let runOptions = options
try await Task.detached {
    for (name, suite) in chosen {
        Progress.say("== suite \(name): \(runOptions.runs) runs of \(runOptions.secondsPerRun) s each")
        try await suite.run(options: runOptions)
    }
}.value
