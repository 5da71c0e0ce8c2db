import ServiceKit

/// Writes the mail that handlers did not (``SQLiteCustomersService/spoolPass()``): at start, which is what picks up
/// after a crash between a notification's commit and its file, and every `interval` on its clock after that.
struct MailSpooler: Service {
    let name = "customers-mail"
    /// The time between two passes.
    let interval: Duration
    /// The clock it waits on: the system's, or a manual one in tests.
    let clock: any ServiceClock
    /// One pass.
    let pass: @Sendable () async -> Void

    func run() async throws {
        while true {
            await pass()
            try await clock.sleep(until: clock.now.advanced(by: interval))
        }
    }
}
