import Foundation
import HTTP

/// What the virtual shoppers pick from: every active product (to browse), words of their names (to search), and the
/// products they buy, stocked beforehand so that a checkout measures the saga rather than a sold-out shelf.
struct LoadCatalog: Sendable {
    /// How many products the shoppers buy from.
    static let stockedProductCount = 64
    /// Units available (all warehouses) a bought product is given when it has fewer than half of them.
    static let stockLevel = 100_000

    /// `/api/v1/products/{id}` of every active product.
    let productPaths: [String]
    /// `/api/v1/search?q=…` for words of the products' names.
    let searchPaths: [String]
    /// The products bought: their ids, and the body of `POST /api/v1/cart/items` for one unit of each.
    let cartItems: [(productId: String, body: [UInt8])]
    /// How many products were given stock by this run.
    let restocked: Int

    /// Reads the catalog through the public API and stocks the products to buy through the admin API.
    /// - Throws: ``CLIError`` (1) when the catalog is empty, a page cannot be read, or no product can be stocked.
    /// - Parameter journal: Where each stock adjustment is recorded (`--record`).
    static func prepare(on connection: HTTPClientConnection, adminToken: String, journal: LoadJournal? = nil) async throws -> LoadCatalog {
        struct Product: Decodable {
            var id: String
            var name: String
        }
        struct Page: Decodable {
            var products: [Product]
            var nextCursor: String?
        }
        var products: [Product] = []
        var cursor: String?
        repeat {
            let target = "/api/v1/products?limit=100" + (cursor.map { "&cursor=\(encoded($0))" } ?? "")
            let response = try await connection.send(.get, target, timeout: .seconds(30))
            guard response.status == .ok, let page = try? JSONDecoder().decode(Page.self, from: Data(response.body)) else {
                throw CLIError(.failure, "cannot list the products: GET \(target) answered HTTP \(response.status.code)")
            }
            products += page.products
            cursor = page.nextCursor
        } while cursor != nil && products.count < 100_000
        guard !products.isEmpty else {
            throw CLIError(.failure, "the shop has no products to browse or buy", hint: "seed a catalog with 'emporium seed' first")
        }
        let words = Set(products.compactMap { ShopperJourney.searchWord(in: $0.name) }).sorted()

        // Spread over the catalog, so the bought products are in every category.
        let stride = max(1, products.count / stockedProductCount)
        let candidates = Swift.stride(from: 0, to: products.count, by: stride).prefix(stockedProductCount).map { products[$0] }
        var bought: [String] = []
        var restocked = 0
        for product in candidates {
            switch try await stock(product.id, on: connection, adminToken: adminToken, journal: journal) {
            case .enough: bought.append(product.id)
            case .restocked:
                bought.append(product.id)
                restocked += 1
            case .impossible: continue
            }
        }
        guard !bought.isEmpty else { throw CLIError(.failure, "none of the products to buy could be stocked through the admin API") }
        return LoadCatalog(
            productPaths: products.map { "/api/v1/products/\(encoded($0.id))" },
            searchPaths: words.isEmpty ? ["/api/v1/search?q=a"] : words.map { "/api/v1/search?q=\(encoded($0))" },
            cartItems: try bought.map { ($0, Array(try JSONSerialization.data(withJSONObject: ["productId": $0, "quantity": 1] as [String: Any]))) },
            restocked: restocked
        )
    }

    private enum Stocking {
        case enough, restocked, impossible
    }

    /// Gives `product` ``stockLevel`` units available when it has fewer than half of them, in its first warehouse.
    private static func stock(
        _ product: String,
        on connection: HTTPClientConnection,
        adminToken: String,
        journal: LoadJournal?
    ) async throws
        -> Stocking
    {
        struct Stock: Decodable {
            struct Level: Decodable {
                var warehouse: String
                var available: Int
            }
            var warehouses: [Level]
        }
        let path = "/api/v1/admin/inventory/\(encoded(product))"
        let authorization: HTTPHeaders = ["Authorization": "Bearer \(adminToken)"]
        let response = try await connection.send(.get, path, headers: authorization, timeout: .seconds(30))
        guard response.status == .ok else {
            throw CLIError(.failure, "cannot read the stock of \(product): GET \(path) answered HTTP \(response.status.code)")
        }
        guard let stock = try? JSONDecoder().decode(Stock.self, from: Data(response.body)), let first = stock.warehouses.first else {
            return .impossible
        }
        let available = stock.warehouses.reduce(0) { $0 + $1.available }
        guard available < stockLevel / 2 else { return .enough }
        let body: [String: Any] = [
            "warehouse": first.warehouse, "delta": stockLevel - available, "reason": "emporium load: stock for the shoppers of a load run",
        ]
        var headers = authorization
        headers.add(name: "Content-Type", value: "application/json")
        let adjusted = try await connection.send(
            .post,
            path + "/adjustments",
            headers: headers,
            body: Array(try JSONSerialization.data(withJSONObject: body)),
            timeout: .seconds(30)
        )
        guard adjusted.status == .ok else {
            throw CLIError(.failure, "cannot stock \(product): POST \(path)/adjustments answered HTTP \(adjusted.status.code): \(adjusted.text)")
        }
        journal?.stocked(product, warehouse: first.warehouse, delta: stockLevel - available)
        return .restocked
    }

    /// `text` with everything but RFC 3986's unreserved characters percent-encoded (UTF-8), for a path segment or a
    /// query value.
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// ASCII letters and digits and `-._~`: `CharacterSet.alphanumerics` would let other scripts' letters through raw.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
