package import Foundation
import Messaging
public import ModuleKit
import PaymentsAPI
public import ServiceKit

extension Module {
    /// Payments: a simulated card processor with Stripe's PaymentIntents semantics in `payments.sqlite`: intents
    /// authorised, captured, voided and refunded under idempotency keys, the ledger of every movement, and monthly
    /// membership subscriptions renewed on the system clock.
    ///
    /// Settings: `payments.capture-window` (seconds an authorisation waits for its capture before it is canceled as
    /// expired, 604800: 7 days); `payments.subscription-period` (seconds a subscription period lasts; not set by
    /// default, which means one calendar month in UTC); `payments.renewal-retries` (seconds after a declined
    /// renewal's due date at which it is tried again, `86400,259200,432000`: 1, 3 and 5 days; `none` for no retries);
    /// `payments.sweep-interval` (seconds between background passes, 60).
    public static let payments = Module.payments(clock: SystemClock())

    /// Payments with its background passes waiting on `clock`, and its time (expiry, renewals, idempotency keys)
    /// read from it: a ``ServiceKit/ManualClock`` lets a test move a week on without waiting.
    public static func payments(clock: any ServiceClock) -> Module {
        payments(clock: clock, startingAt: nil)
    }

    /// Payments on `clock` whose wall clock reads `start` when the module is built (the system's time then, when
    /// `nil`), and moves on as `clock` moves: tests pick the date that card expiries and calendar months are
    /// reckoned from.
    package static func payments(clock: any ServiceClock, startingAt start: Date?) -> Module {
        Module(
            name: "payments",
            migrations: PaymentsSchema.migrator,
            publishes: PaymentsEvents.published,
            settings: [
                ModuleSetting(
                    "capture-window",
                    default: "604800",
                    help: "seconds an authorisation waits for its capture before it is canceled as expired (7 days)"
                ),
                ModuleSetting("subscription-period", help: "seconds a subscription period lasts; one calendar month in UTC when not set"),
                ModuleSetting(
                    "renewal-retries",
                    default: "86400,259200,432000",
                    help: "seconds after a declined renewal's due date at which it is tried again, comma-separated and increasing "
                        + "(1, 3 and 5 days), or none; when the last is declined the subscription lapses"
                ),
                ModuleSetting(
                    "sweep-interval",
                    default: "60",
                    help: "seconds between passes that expire authorisations, settle refunds and renew subscriptions"
                ),
            ]
        ) { context in try parts(context, clock: clock, start: start) }
    }
}

/// Payments' parts over its context.
private func parts(_ context: ModuleContext, clock: any ServiceClock, start: Date?) throws -> ModuleParts {
    var configuration = SQLitePaymentsService.Configuration()
    configuration.captureWindow = try context.settings.seconds("capture-window") ?? configuration.captureWindow
    if let period = try context.settings.seconds("subscription-period") { configuration.renewals.period = .fixed(period) }
    configuration.renewals.retries = try retries(context.settings.string("renewal-retries")) ?? configuration.renewals.retries
    let sweep = try context.settings.seconds("sweep-interval") ?? .seconds(60)
    let service = SQLitePaymentsService(
        database: context.database,
        outbox: context.outbox,
        signingSecret: context.signingSecret,
        configuration: configuration,
        logger: context.logger,
        now: clock.wallClock(startingAt: start)
    )
    var handlers = EndpointHandlers()
    handlers.registerPayments(service)
    let subscription = EventSubscription(through: context.inbox, service.eventHandlers)
    let sweeper = PaymentsSweeper(interval: sweep, clock: clock) { await service.sweep() }
    let purger = purger(of: service.keys, on: clock)
    return ModuleParts(handlers: handlers, subscription: subscription, services: [sweeper, purger])
}

/// The purger of expired idempotency keys, on the module's clock (opened from its existential, which does not
/// convert to `any Clock<Duration>` as it is).
private func purger(of keys: IdempotencyKeys, on clock: some ServiceClock) -> IdempotencyKeyPurger {
    IdempotencyKeyPurger(keys: keys, module: "payments", clock: clock)
}

/// The setting `payments.renewal-retries`: increasing positive seconds separated by commas, or `none`.
/// - Throws: ``ModuleKit/ModuleSettingError`` with a sentence.
private func retries(_ text: String?) throws(ModuleSettingError) -> [Duration]? {
    guard let text else { return nil }
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed == "none" { return [] }
    var retries: [Duration] = []
    for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
        let seconds = Double(part.trimmingCharacters(in: .whitespaces)) ?? .nan
        let retry = Duration.milliseconds(Int64(seconds.isFinite && seconds > 0 ? (seconds * 1000).rounded() : 0))
        guard retry > .zero, retries.last.map({ $0 < retry }) ?? true else {
            throw ModuleSettingError(
                key: "payments.renewal-retries",
                message: "payments.renewal-retries must be increasing positive numbers of seconds separated by commas, or none, not '\(text)'"
            )
        }
        retries.append(retry)
    }
    return retries
}
