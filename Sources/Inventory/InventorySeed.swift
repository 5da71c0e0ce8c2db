import CatalogAPI
import Commerce
import InventoryAPI
import ServiceKit

/// What a first start puts in the warehouses.
enum InventorySeed {
    static let warehouses = [
        Warehouse(id: "berlin", name: "Berlin Tempelhof", city: "Berlin", country: "DE", priority: 1),
        Warehouse(id: "rotterdam", name: "Rotterdam Waalhaven", city: "Rotterdam", country: "NL", priority: 2),
    ]

    /// Stock for every product the catalog lists, the same on every first start: in the catalog's order, every
    /// 25th product (the 8th, 33rd, …) is out of stock and every 25th from the 14th low (a few units in Berlin
    /// only); the rest have 10 to 60 units in each warehouse.
    static func levels(for catalog: any CatalogService) async throws -> [(ProductID, WarehouseID, Int)] {
        var levels: [(ProductID, WarehouseID, Int)] = []
        var cursor: String?
        var index = 0
        repeat {
            let page = try await catalog.products(ProductQuery(cursor: cursor, limit: 100))
            for product in page.products {
                // FNV-1a of the id: stable across runs and machines.
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in product.id.rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                switch index % 25 {
                case 7:
                    levels += [(product.id, "berlin", 0), (product.id, "rotterdam", 0)]
                case 13:
                    levels += [(product.id, "berlin", Int(hash % 3) + 1), (product.id, "rotterdam", 0)]
                default:
                    levels += [(product.id, "berlin", 10 + Int(hash % 51)), (product.id, "rotterdam", 10 + Int(hash / 51 % 51))]
                }
                index += 1
            }
            cursor = page.nextCursor
        } while cursor != nil
        return levels
    }
}
