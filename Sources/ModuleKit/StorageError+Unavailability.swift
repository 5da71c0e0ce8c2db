public import ServiceKit
public import Storage

// Declared here, where both are visible: Storage knows nothing of calls, ServiceKit nothing of SQLite. Every module's
// handlers run inside a ModuleKit wiring, so the transports see the conformance whichever module threw.
extension StorageError: UnavailabilityReporting {
    /// A module's storage that cannot write (the disk is full, the file system read-only, or the disk failing)
    /// makes the module unavailable for a while: the transaction rolled back, so nothing was changed, and the
    /// same request may succeed once an operator has made room. The gateway answers it `503 storage-unavailable`
    /// with `Retry-After`. Any other storage error (a constraint, a damaged file) is not of that kind: `nil`.
    public var unavailability: Unavailability? {
        let cause: String
        switch resultCode?.primary {
        case SQLiteResultCode.full: cause = "its disk is full"
        case SQLiteResultCode.readOnly: cause = "its storage is read-only"
        case SQLiteResultCode.ioError: cause = "its disk is failing"
        default: return nil
        }
        return Unavailability(
            problemType: Self.unavailableProblemType,
            detail: "The service cannot store anything right now (\(cause)); nothing was changed. Try again later.",
            retryAfterSeconds: 30
        )
    }

    /// The problem type of a storage that cannot write: `storage-unavailable`.
    public static let unavailableProblemType = "storage-unavailable"
}
