/// An infrastructure failure raised by the call pipeline rather than by the called service.
///
/// Switch on ``code`` to decide what to do (for example map ``Code/circuitOpen`` to HTTP 503 with a
/// `Retry-After` of ``retryAfter``); the other properties carry the details of the case at hand and are
/// `nil` when they do not apply. New cases may be added, so do not assume the list of codes is closed.
public struct ResilienceError: Error, CustomStringConvertible {
    /// What went wrong, in a form that can be compared and switched over.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case circuitOpen = "circuit-open"
            case bulkheadFull = "bulkhead-full"
            case timeout
            case noHealthyInstance = "no-healthy-instance"
            case retriesExhausted = "retries-exhausted"
        }

        fileprivate let base: Base

        /// The circuit breaker of the service is open: the call was not attempted.
        public static let circuitOpen = Code(base: .circuitOpen)
        /// The service's bulkhead had no free permit and no room in its wait queue.
        public static let bulkheadFull = Code(base: .bulkheadFull)
        /// The call did not complete before its deadline and was cancelled.
        public static let timeout = Code(base: .timeout)
        /// Discovery found no healthy instance of the service.
        public static let noHealthyInstance = Code(base: .noHealthyInstance)
        /// The call failed, was retried, and the last attempt failed too.
        public static let retriesExhausted = Code(base: .retriesExhausted)

        /// A stable, kebab-case name such as `circuit-open`, suitable for logs and metric labels.
        public var description: String {
            base.rawValue
        }
    }

    private enum Backing {
        case circuitOpen(service: String, retryAfter: Duration)
        case bulkheadFull(service: String)
        case timeout(endpoint: String?, after: Duration)
        case noHealthyInstance(service: String)
        case retriesExhausted(attempts: Int, lastError: any Error)
    }

    private let backing: Backing

    private init(_ backing: Backing) {
        self.backing = backing
    }

    /// The circuit breaker of `service` is open; calls are expected to be permitted again after `retryAfter`.
    public static func circuitOpen(service: String, retryAfter: Duration) -> ResilienceError {
        ResilienceError(.circuitOpen(service: service, retryAfter: retryAfter))
    }

    /// The bulkhead of `service` is saturated: every permit is taken and the wait queue is full.
    public static func bulkheadFull(service: String) -> ResilienceError {
        ResilienceError(.bulkheadFull(service: service))
    }

    /// A call to `endpoint` (when known) was cancelled after running for `duration`.
    public static func timeout(endpoint: String?, after duration: Duration) -> ResilienceError {
        ResilienceError(.timeout(endpoint: endpoint, after: duration))
    }

    /// No instance of `service` is healthy.
    public static func noHealthyInstance(service: String) -> ResilienceError {
        ResilienceError(.noHealthyInstance(service: service))
    }

    /// A call was tried `attempts` times; `lastError` is what the final attempt threw.
    public static func retriesExhausted(attempts: Int, lastError: any Error) -> ResilienceError {
        ResilienceError(.retriesExhausted(attempts: attempts, lastError: lastError))
    }

    /// What went wrong.
    public var code: Code {
        switch backing {
        case .circuitOpen: .circuitOpen
        case .bulkheadFull: .bulkheadFull
        case .timeout: .timeout
        case .noHealthyInstance: .noHealthyInstance
        case .retriesExhausted: .retriesExhausted
        }
    }

    /// The service concerned, for ``Code/circuitOpen``, ``Code/bulkheadFull`` and ``Code/noHealthyInstance``.
    public var service: String? {
        switch backing {
        case .circuitOpen(let service, _), .bulkheadFull(let service), .noHealthyInstance(let service): service
        case .timeout, .retriesExhausted: nil
        }
    }

    /// How long until the open circuit lets calls through again, for ``Code/circuitOpen``.
    public var retryAfter: Duration? {
        if case .circuitOpen(_, let retryAfter) = backing {
            return retryAfter
        }
        return nil
    }

    /// The endpoint that timed out, for ``Code/timeout`` when the caller named it.
    public var endpoint: String? {
        if case .timeout(let endpoint, _) = backing {
            return endpoint
        }
        return nil
    }

    /// The time limit that was exceeded, for ``Code/timeout``.
    public var timeout: Duration? {
        if case .timeout(_, let duration) = backing {
            return duration
        }
        return nil
    }

    /// The number of attempts made, for ``Code/retriesExhausted``.
    public var attempts: Int? {
        if case .retriesExhausted(let attempts, _) = backing {
            return attempts
        }
        return nil
    }

    /// The error of the last attempt, for ``Code/retriesExhausted``.
    public var underlyingError: (any Error)? {
        if case .retriesExhausted(_, let lastError) = backing {
            return lastError
        }
        return nil
    }

    /// A one-line, human-readable explanation.
    public var description: String {
        switch backing {
        case .circuitOpen(let service, let retryAfter):
            "circuit breaker for \(service) is open; retry after \(retryAfter)"
        case .bulkheadFull(let service):
            "bulkhead for \(service) is full"
        case .timeout(let endpoint?, let duration):
            "call to \(endpoint) timed out after \(duration)"
        case .timeout(nil, let duration):
            "operation timed out after \(duration)"
        case .noHealthyInstance(let service):
            "no healthy instance of \(service)"
        case .retriesExhausted(let attempts, let lastError):
            "gave up after \(attempts) attempts: \(lastError)"
        }
    }
}
