import Synchronization

/// What a load run counted for one kind of step.
struct StepTally: Sendable {
    var latencies = LatencyHistogram()
    /// Answers by status; a request that got no answer (refused, reset, timed out) is not here but in ``noAnswer``.
    var statuses: [Int: Int] = [:]
    var noAnswer = 0
    /// Answers whose status is not one the step expects, and requests without an answer.
    var unexpected = 0

    var requests: Int { statuses.values.reduce(0, +) + noAnswer }
}

/// Everything a load run counted, in memory that does not grow with the run's length.
struct LoadTally: Sendable {
    var steps = [StepTally](repeating: StepTally(), count: LoadStep.allCases.count)
    var requests = 0
    var unexpected = 0
    /// Checkouts answered `201` or `202`.
    var checkouts = 0
    /// Checkouts whose shopper found the last order's units still in the cart, and looked again until they left.
    var waitsForCart = 0
    /// The first few requests that got no answer, and unexpected answers, as sentences.
    var samples: [String] = []
    static let sampleLimit = 8

    subscript(step: LoadStep) -> StepTally {
        get { steps[step.index] }
        set { steps[step.index] = newValue }
    }
}

/// The counts every virtual shopper adds to, behind one lock: a few hundred nanoseconds a request, against
/// hundreds of microseconds for the request itself.
final class LoadRecorder: Sendable {
    private let tally = Mutex(LoadTally())
    /// Statuses that count as expected for every step (`429` with `--allow-429`).
    private let alsoExpected: Set<Int>

    init(alsoExpected: Set<Int> = []) {
        self.alsoExpected = alsoExpected
    }

    /// Counts an answer and its latency.
    /// - Returns: Whether the status is one the step expects.
    @discardableResult
    func record(_ step: LoadStep, status: Int, latency: Duration, path: String, detail: @autoclosure () -> String = "") -> Bool {
        let expected = step.expectedStatuses.contains(status) || alsoExpected.contains(status)
        var sample: String?
        if !expected {
            let detail = detail()
            sample = "\(step.rawValue) \(path) answered \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        }
        tally.withLock { tally in
            tally.steps[step.index].latencies.record(latency)
            tally.steps[step.index].statuses[status, default: 0] += 1
            tally.requests += 1
            if step == .checkout && (status == 201 || status == 202) { tally.checkouts += 1 }
            if !expected {
                tally.steps[step.index].unexpected += 1
                tally.unexpected += 1
                if let sample, tally.samples.count < LoadTally.sampleLimit { tally.samples.append(sample) }
            }
        }
        return expected
    }

    /// Counts a request that got no answer.
    func recordNoAnswer(_ step: LoadStep, path: String, error: any Error) {
        tally.withLock { tally in
            tally.steps[step.index].noAnswer += 1
            tally.steps[step.index].unexpected += 1
            tally.requests += 1
            tally.unexpected += 1
            if tally.samples.count < LoadTally.sampleLimit { tally.samples.append("\(step.rawValue) \(path) got no answer: \(error)") }
        }
    }

    /// Counts a checkout that waited for the last order's units to leave the cart.
    func recordWaitForCart() {
        tally.withLock { $0.waitsForCart += 1 }
    }

    /// Requests, unexpected answers and checkouts so far, for the progress line.
    var totals: (requests: Int, unexpected: Int, checkouts: Int) {
        tally.withLock { ($0.requests, $0.unexpected, $0.checkouts) }
    }

    /// A copy of everything counted.
    var snapshot: LoadTally {
        tally.withLock { $0 }
    }
}
