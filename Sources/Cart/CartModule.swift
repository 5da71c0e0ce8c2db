import CartAPI
import CatalogAPI
public import Foundation
import Messaging
public import ModuleKit
public import ServiceKit

extension Module {
    /// Cart: customers' and guests' carts in `cart.sqlite`, priced from its own copy of catalog, stock and membership
    /// facts kept from Catalog's, Inventory's and Payments' events; a deleted account's cart is erased on Identity's
    /// event. Publishes `cart.item-added.v1` for every addition.
    ///
    /// Settings: `cart.idle-expiry` (seconds a cart is kept after its last change, 2592000: 30 days);
    /// `cart.sweep-interval` (seconds between passes that delete expired carts, 3600).
    public static let cart = Module.cart(clock: SystemClock())

    /// Cart with its sweeper waiting on `clock` and its timestamps and expiry from `now`; when `now` is `nil`, the
    /// system's time on the system clock and, on any other clock, the time when the module is built moved on as
    /// `clock` moves: a ``ServiceKit/ManualClock`` lets a test expire carts without waiting.
    public static func cart(clock: any ServiceClock, now: (@Sendable () -> Date)? = nil) -> Module {
        Module(
            name: "cart",
            migrations: CartSchema.migrator,
            publishes: CartEvents.published,
            settings: [
                ModuleSetting("idle-expiry", default: "2592000", help: "seconds a cart is kept after its last change (30 days)"),
                ModuleSetting("sweep-interval", default: "3600", help: "seconds between passes that delete expired carts"),
            ]
        ) { context in
            var configuration = SQLiteCartService.Configuration()
            configuration.idleExpiry = try context.settings.seconds("idle-expiry") ?? configuration.idleExpiry
            let sweep = try context.settings.seconds("sweep-interval") ?? .seconds(3600)
            let service = SQLiteCartService(
                database: context.database,
                outbox: context.outbox,
                catalog: CatalogClient(client: context.client),
                configuration: configuration,
                logger: context.logger,
                now: now ?? clock.wallClock()
            )
            var handlers = EndpointHandlers()
            handlers.registerCart(service)
            return ModuleParts(
                handlers: handlers,
                subscription: EventSubscription(through: context.inbox, service.eventHandlers),
                services: [
                    CartSweeper(interval: sweep, clock: clock) { await service.sweep() },
                    service.erasureLogTruncator,
                ]
            )
        }
    }
}
