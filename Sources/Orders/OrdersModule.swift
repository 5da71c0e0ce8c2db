import CartAPI
public import Commerce
import CustomersAPI
package import Foundation
import IdentityAPI
import InventoryAPI
import Messaging
public import ModuleKit
import OrdersAPI
import PaymentsAPI
public import ServiceKit
import WarehouseAPI

/// Called after each persisted saga step with the order and the step's name (the timeline step it recorded, such as
/// `stock-reserved`, or `order-created`, else the phase it entered); a throw stops the saga there, as a crash would,
/// leaving its claim to run out. For crash tests: a harness kills the process at that exact point.
public typealias SagaStepHook = @Sendable (OrderID, String) async throws -> Void

extension Module {
    /// Orders: orders and the checkout saga in `orders.sqlite`, with the saga runner and its recovery loop on the
    /// system clock.
    ///
    /// Settings: `orders.checkout-deadline` (5 s), how long a checkout request waits for the saga's decision before it
    /// answers with the order still `pending`; `orders.recovery-interval` (5 s), between passes resuming unfinished
    /// sagas and returns; `orders.step-attempts` (5), calls without an answer before a step is compensated;
    /// `orders.retry-backoff` (0.2 s), the first retry's wait, doubled each time up to 5 s; `orders.payment-hold`
    /// (900 s), how long the reservation holds the stock while the card is authorised; `orders.claim-duration` (60 s),
    /// how long a runner's claim on a saga lasts without a step.
    public static let orders = Module.orders(clock: SystemClock())

    /// Orders with its recovery loop waiting on `clock` and its time (timestamps, claims) read from it, and
    /// `afterStep` called after each persisted saga step.
    public static func orders(clock: any ServiceClock, afterStep: SagaStepHook? = nil) -> Module {
        orders(clock: clock, startingAt: nil, afterStep: afterStep)
    }

    /// Orders on `clock` whose wall clock reads `start` when the module is built (the system's time then, when `nil`).
    package static func orders(clock: any ServiceClock, startingAt start: Date?, afterStep: SagaStepHook?) -> Module {
        Module(
            name: "orders",
            migrations: OrdersSchema.migrator,
            publishes: OrdersEvents.published,
            settings: [
                ModuleSetting("checkout-deadline", default: "5", help: "seconds a checkout waits for the saga's decision before answering pending"),
                ModuleSetting("recovery-interval", default: "5", help: "seconds between passes resuming unfinished checkout sagas and returns"),
                ModuleSetting("step-attempts", default: "5", help: "calls without an answer before a saga step is compensated"),
                ModuleSetting("retry-backoff", default: "0.2", help: "seconds before a saga step's first retry, doubled for each next one up to 5"),
                ModuleSetting("payment-hold", default: "900", help: "seconds the reservation holds the stock while the card is authorised"),
                ModuleSetting("claim-duration", default: "60", help: "seconds a runner's claim on a saga lasts without a step"),
                ModuleSetting(
                    "crash-after",
                    help: "for crash tests only: the saga step (such as stock-reserved) after which the process kills itself with SIGKILL"
                ),
            ]
        ) { context in
            var configuration = SQLiteOrdersService.Configuration()
            configuration.checkoutDeadline = try context.settings.seconds("checkout-deadline") ?? configuration.checkoutDeadline
            configuration.policy.attempts = try context.settings.integer("step-attempts", in: 1...100) ?? configuration.policy.attempts
            configuration.policy.backoff = try context.settings.seconds("retry-backoff") ?? configuration.policy.backoff
            configuration.paymentHold = try context.settings.integer("payment-hold", in: 1...86_400) ?? configuration.paymentHold
            configuration.claimDuration = try context.settings.seconds("claim-duration") ?? configuration.claimDuration
            let interval = try context.settings.seconds("recovery-interval") ?? .seconds(5)
            // A crash test names a step; the process then dies right after persisting it, as a kill -9 would.
            let crashStep = context.settings.string("crash-after")
            var hook = afterStep
            if hook == nil, let crashStep {
                hook = { @Sendable _, step in
                    if step == crashStep { kill(getpid(), SIGKILL) }
                }
            }
            let runner = SagaRunner()
            let service = SQLiteOrdersService(
                context: context,
                configuration: configuration,
                runner: runner,
                afterStep: hook,
                now: clock.wallClock(startingAt: start)
            )
            var handlers = EndpointHandlers()
            handlers.registerOrders(service)
            var events = EventHandlers()
            events.on(ShipmentShipped.self) { event, envelope in try await service.shipmentChanged(event.shipment, envelope) }
            events.on(ShipmentDelivered.self) { event, envelope in try await service.shipmentChanged(event.shipment, envelope) }
            events.on(ShipmentCancelled.self) { event, envelope in try await service.shipmentChanged(event.shipment, envelope) }
            events.on(UserDeleted.self) { event, envelope in
                try await service.erase(CustomerID(rawValue: event.userId.rawValue), envelope)
            }
            let services: [any Service] = [
                runner.service { id, claimed in await service.drive(id, claimed: claimed) },
                SagaRecovery(interval: interval, clock: clock) { await service.recover() },
                purger(of: service.keys, on: clock),
            ]
            return ModuleParts(handlers: handlers, subscription: EventSubscription(events), services: services)
        }
    }
}

/// The purger of expired idempotency keys, on the module's clock.
private func purger(of keys: IdempotencyKeys, on clock: some ServiceClock) -> IdempotencyKeyPurger {
    IdempotencyKeyPurger(keys: keys, module: "orders", clock: clock)
}
