import Synchronization

/// A random number generator that many concurrent calls can draw from, behind a lock.
///
/// Resilience components shared by all calls to one service (retry jitter, load balancing) take one of
/// these, so a simulation seeds a single generator and gets reproducible choices; production code uses
/// the system generator.
///
/// ```swift
/// let random = SharedRandomNumberGenerator(SplitMix64(seed: 7))
/// ```
public final class SharedRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private let generator: Mutex<any RandomNumberGenerator & Sendable>

    /// Wraps `generator`; every draw goes through a lock.
    public init(_ generator: some RandomNumberGenerator & Sendable) {
        self.generator = Mutex(generator)
    }

    /// Wraps the system's cryptographically secure generator.
    public convenience init() {
        self.init(SystemRandomNumberGenerator())
    }

    /// Returns the next value of the wrapped generator.
    public func next() -> UInt64 {
        generator.withLock { $0.next() }
    }
}
