#if canImport(Glibc)
import Glibc
#endif

/// A value behind a `pthread_mutex_t`.
///
/// The event loop's cross-thread queue uses this rather than `Synchronization.Mutex` because ThreadSanitizer
/// intercepts pthread mutexes but cannot see the futex inside `Mutex`, and would report every queue access as a
/// race.
final class PthreadLock<Value>: @unchecked Sendable {
    // Safety: `value` is only touched between pthread_mutex_lock and pthread_mutex_unlock of `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
