/// What a registered descriptor should be watched for.
struct IOInterest: OptionSet, Sendable {
    let rawValue: UInt8

    static let readable = IOInterest(rawValue: 1)
    static let writable = IOInterest(rawValue: 2)
}

/// What the selector reported for a descriptor. Errors and hang-ups are reported as both readable and writable, so
/// the next read or write discovers them with its `errno`.
struct IOReadiness: Sendable {
    var readable: Bool
    var writable: Bool
}

/// The operating-system seam of the event loop: readiness notification for non-blocking descriptors plus a wake-up
/// that any thread may trigger. ``EpollSelector`` implements it on Linux; a kqueue selector would implement the same
/// methods on Darwin and the BSDs, and nothing above this protocol would change.
///
/// Registrations are level-triggered. Every method except ``wakeUp()`` is called on the loop's thread only.
protocol IOSelector: AnyObject {
    /// Starts watching `fd`; `token` comes back with each of its events. `exclusive` asks the kernel to wake only one
    /// of the selectors watching the same descriptor (a listening socket shared by several loops).
    func register(_ fd: CInt, token: UInt64, interest: IOInterest, exclusive: Bool) throws(SocketError)
    /// Changes what `fd` is watched for.
    func modify(_ fd: CInt, token: UInt64, interest: IOInterest) throws(SocketError)
    /// Stops watching `fd`; call before closing it.
    func deregister(_ fd: CInt)
    /// Blocks until a descriptor is ready, ``wakeUp()`` is called or the timeout passes (`-1`: no timeout); returns
    /// how many events ``event(at:)`` can read.
    func wait(timeoutMilliseconds: CInt) -> Int
    /// The token and readiness of an event of the last wait, or `nil` for a wake-up (consumed here).
    func event(at index: Int) -> (token: UInt64, readiness: IOReadiness)?
    /// Makes a current or the next ``wait(timeoutMilliseconds:_:)`` return promptly. Safe from any thread.
    func wakeUp()
}

#if os(Linux)
/// The selector of this platform.
typealias PlatformSelector = EpollSelector
#endif
