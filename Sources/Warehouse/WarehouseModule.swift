import Commerce
import InventoryAPI
import Messaging
public import ModuleKit
public import ServiceKit
import WarehouseAPI

extension Module {
    /// Warehouse: shipments, purchase orders and returns in `warehouse.sqlite`; a simulated carrier and supplier
    /// on the system clock.
    ///
    /// Settings: `warehouse.fulfilment` (`fast`, `realistic` or `manual`, the default), how the simulated carrier
    /// moves shipments; `warehouse.target-stock` (50), the available units a purchase order restores;
    /// `warehouse.fulfilment-hold` (14 days, in seconds), how long fulfilment keeps an order's stock reserved.
    public static let warehouse = Module.warehouse(clock: SystemClock())

    /// Warehouse with its carrier and recovery loop waiting on `clock`: a ``ServiceKit/ManualClock`` lets a test
    /// move the carrier on without sleeping.
    public static func warehouse(clock: any ServiceClock) -> Module {
        Module(
            name: "warehouse",
            migrations: WarehouseSchema.migrator,
            publishes: WarehouseEvents.published,
            settings: [
                ModuleSetting(
                    "fulfilment",
                    default: FulfilmentPace.manual.rawValue,
                    help: "how the simulated carrier moves shipments: fast (a step every 2 s), realistic (every 2 h) or manual (only when advanced)"
                ),
                ModuleSetting("target-stock", default: "50", help: "the available units a purchase order brings a product's warehouse stock up to"),
                ModuleSetting("fulfilment-hold", default: "1209600", help: "seconds fulfilment keeps an order's stock reserved until it ships"),
            ]
        ) { context in
            let pace = try FulfilmentPace(setting: context.settings.string("fulfilment"))
            var configuration = SQLiteWarehouseService.Configuration()
            configuration.targetStock = try context.settings.integer("target-stock", in: 1...Quantity.maximum) ?? configuration.targetStock
            configuration.fulfilmentHold = try context.settings.seconds("fulfilment-hold") ?? configuration.fulfilmentHold
            let service = SQLiteWarehouseService(
                database: context.database,
                outbox: context.outbox,
                inbox: context.inbox,
                inventory: InventoryClient(client: context.client),
                configuration: configuration,
                logger: context.logger
            )
            var handlers = EndpointHandlers()
            handlers.registerWarehouse(service)
            // Raising a purchase order calls Inventory, so the handler is async; it records the event in the inbox itself.
            var events = EventHandlers()
            events.on(StockLow.self) { event, envelope in try await service.replenish(event, envelope: envelope) }
            var services: [any Service] = [PendingStepsRecovery(interval: .seconds(30), clock: clock) { await service.finishPending() }]
            if let interval = pace.step {
                services.append(SimulatedCarrier(interval: interval, clock: clock) { await service.carrierStep() })
            }
            return ModuleParts(handlers: handlers, subscription: EventSubscription(events), services: services)
        }
    }
}
