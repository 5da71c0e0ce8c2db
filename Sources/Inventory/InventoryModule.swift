import CatalogAPI
import Commerce
import Foundation
import InventoryAPI
public import ModuleKit
public import ServiceKit

extension Module {
    /// Inventory: stock per product and warehouse in `inventory.sqlite`, reservations for orders that expire,
    /// and the movement ledger behind every figure.
    ///
    /// Settings: `inventory.reservation-hold` (seconds a reservation is held, 900), `inventory.sweep-interval`
    /// (seconds between sweeps of expired reservations, 5), `inventory.low-stock-threshold` (the threshold of
    /// products without their own, 5), `inventory.seed` (`fixture` puts stock for every catalog product in both
    /// warehouses on first start; `none` starts empty).
    public static let inventory = Module.inventory(clock: SystemClock())

    /// Inventory with its sweeper waiting on `clock` and its time (holds, expiries, the ledger's stamps) read from it.
    public static func inventory(clock: any ServiceClock) -> Module {
        Module(
            name: "inventory",
            migrations: InventorySchema.migrator,
            publishes: InventoryEvents.published,
            settings: [
                ModuleSetting("reservation-hold", default: "900", help: "seconds a reservation is held unless extended"),
                ModuleSetting("sweep-interval", default: "5", help: "seconds between sweeps that release expired reservations"),
                ModuleSetting("low-stock-threshold", default: "5", help: "available units at or below which a product is low on stock"),
                ModuleSetting("seed", default: "fixture", help: "fixture: two warehouses and stock for every catalog product on first start; none"),
            ]
        ) { context in
            let hold = try context.settings.seconds("reservation-hold") ?? .seconds(900)
            let sweep = try context.settings.seconds("sweep-interval") ?? .seconds(5)
            let threshold = try context.settings.integer("low-stock-threshold", in: 0...1_000_000) ?? 5
            let seed = context.settings.string("seed") ?? "fixture"
            guard seed == "fixture" || seed == "none" else {
                throw ModuleSettingError(key: "inventory.seed", message: "inventory.seed must be fixture or none, not '\(seed)'")
            }
            let service = SQLiteInventoryService(
                database: context.database,
                outbox: context.outbox,
                configuration: SQLiteInventoryService.Configuration(reservationHold: hold, defaultLowStockThreshold: threshold),
                now: clock.wallClock()
            )
            var handlers = EndpointHandlers()
            handlers.registerInventory(service)
            let catalog = CatalogClient(client: context.client)
            return ModuleParts(
                handlers: handlers,
                services: [ReservationSweeper(service: service, interval: sweep, clock: clock)],
                seed: {
                    try await service.addWarehouses(InventorySeed.warehouses)
                    guard seed == "fixture" else { return [] }
                    let levels = try await InventorySeed.levels(for: catalog)
                    guard !levels.isEmpty, try await service.receiveInitialStock(levels, reference: "seed") else { return [] }
                    return ["stocked \(Set(levels.map(\.0)).count) products in \(InventorySeed.warehouses.count) warehouses"]
                }
            )
        }
    }
}
