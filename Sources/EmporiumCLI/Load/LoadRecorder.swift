import Synchronization

/// What a load run counted for one kind of step.
struct StepTally: Sendable {
    /// How long the answers took that were not refusals: what an admitted request costs a shopper.
    var latencies = LatencyHistogram()
    /// Answers by status, refusals included; a request that got no answer (refused, reset, timed out) is not here but
    /// in ``noAnswer``.
    var statuses: [Int: Int] = [:]
    /// Answers that turned the request away for now: `429`, or `503` with `Retry-After`.
    var refused = 0
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
    /// Refusals (`429`, `503` with `Retry-After`) of every step.
    var refused = 0
    /// How long the refusals took: shedding is only worth it when turning away is quick.
    var refusedLatencies = LatencyHistogram()
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
    /// Whether refusals count as expected for every step (`--allow-shed`).
    private let allowsRefusals: Bool

    init(allowsRefusals: Bool = false) {
        self.allowsRefusals = allowsRefusals
    }

    /// Whether an answer turns the request away for now rather than answering it: `429 Too Many Requests`, or `503`
    /// with `Retry-After` (shed for overload, or a service behind the shop not taking calls).
    static func isRefusal(status: Int, retryAfter: Bool) -> Bool {
        status == 429 || (status == 503 && retryAfter)
    }

    /// Counts an answer and its latency (with the admitted answers' latencies, or the refusals').
    /// - Returns: Whether the status is one the step expects.
    @discardableResult
    func record(
        _ step: LoadStep,
        status: Int,
        refusal: Bool = false,
        latency: Duration,
        path: String,
        detail: @autoclosure () -> String = ""
    ) -> Bool {
        let expected = step.expectedStatuses.contains(status) || (refusal && allowsRefusals)
        var sample: String?
        if !expected {
            let detail = detail()
            sample = "\(step.rawValue) \(path) answered \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        }
        tally.withLock { tally in
            if refusal {
                tally.steps[step.index].refused += 1
                tally.refused += 1
                tally.refusedLatencies.record(latency)
            } else {
                tally.steps[step.index].latencies.record(latency)
            }
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

    /// Requests, refusals, unexpected answers and checkouts so far, for the progress line.
    var totals: (requests: Int, refused: Int, unexpected: Int, checkouts: Int) {
        tally.withLock { ($0.requests, $0.refused, $0.unexpected, $0.checkouts) }
    }

    /// A copy of everything counted.
    var snapshot: LoadTally {
        tally.withLock { $0 }
    }
}
