import Cart
import Catalog
import Customers
import Gateway
import Identity
import Inventory
import ModuleKit
import Orders
import Payments
import Recommendations
import Search
import Warehouse

/// A capability as the composition root wires it: its module and its routes at the edge.
struct Capability: Sendable {
    /// The module: schema, handlers, events, services, settings.
    let module: Module
    /// Adds its `/api/v1/...` routes, error mapping and cache invalidation to the gateway.
    let routes: @Sendable (inout Gateway) -> Void

    init(_ module: Module, routes: @escaping @Sendable (inout Gateway) -> Void) {
        self.module = module
        self.routes = routes
    }
}

extension Emporium {
    /// Every capability, in start order: the one list a new capability joins (see Docs/architecture.md,
    /// "Adding a capability"). Everything that lists modules derives from it.
    static let capabilities: [Capability] = [
        Capability(.catalog, routes: CatalogRoutes.add),
        Capability(.search, routes: SearchRoutes.add),
        Capability(.identity, routes: IdentityRoutes.add),
        Capability(.inventory, routes: InventoryRoutes.add),
        Capability(.warehouse, routes: WarehouseRoutes.add),
        Capability(.payments, routes: PaymentsRoutes.add),
        Capability(.customers, routes: CustomersRoutes.add),
        Capability(.cart, routes: CartRoutes.add),
        Capability(.orders, routes: OrdersRoutes.add),
        Capability(.recommendations, routes: RecommendationsRoutes.add),
    ]

    /// The modules' names, in start order: each has its `<name>.sqlite` in the data directory.
    public static var moduleNames: [String] { capabilities.map(\.module.name) }
}
