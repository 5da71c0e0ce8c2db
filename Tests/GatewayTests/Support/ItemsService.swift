import Foundation
import ServiceKit
import Synchronization
import TestSupport

/// A fake "items" service for the gateway tests: a failure enum, endpoints and handlers that count calls.
enum ItemsError: ServiceFailure {
    case notFound(String)
    case outOfStock
    case invalidName(String)

    var problemType: String {
        switch self {
        case .notFound: "item-not-found"
        case .outOfStock: "out-of-stock"
        case .invalidName: "invalid-item"
        }
    }

    var detail: String {
        switch self {
        case .notFound(let id): "No item has the id \(id)."
        case .outOfStock: "The item is out of stock."
        case .invalidName(let reason): "The field name \(reason)."
        }
    }

    var fieldErrors: [FieldError] {
        guard case .invalidName(let reason) = self else { return [] }
        return [FieldError(field: "name", message: reason)]
    }
}

struct Item: Codable, Sendable, Hashable {
    var id: String
    var name: String
    var updatedAt: Date
}

struct NewItem: Codable, Sendable, Hashable {
    var name: String
}

enum ItemsEndpoints {
    static let get = Endpoint<String, Item>("items.get", idempotent: true, failure: ItemsError.self)
    static let list = Endpoint<String, [Item]>("items.list", idempotent: true, failure: ItemsError.self)
    static let create = Endpoint<NewItem, Item>("items.create", failure: ItemsError.self)
    static let slow = Endpoint<Int, Int>("items.slow", timeout: .milliseconds(50), failure: ItemsError.self)
    static let gated = Endpoint<String, Item>("items.gated", idempotent: true, failure: ItemsError.self)
    static let boom = Endpoint<Int, Int>("items.boom", failure: ItemsError.self)
    /// A service nobody registered.
    static let ghost = Endpoint<String, String>("ghost.get", idempotent: true, failure: ItemsError.self)
}

/// Counts handler calls by endpoint name.
final class CallCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func record(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }

    subscript(name: String) -> Int { counts.withLock { $0[name, default: 0] } }
}

/// A boom the endpoints do not declare.
struct Boom: Error {}

let fixedDate = Date(timeIntervalSince1970: 1_700_000_000)

func itemsInstance(calls: CallCounter, gate: Gate) -> ServiceInstance {
    var handlers = EndpointHandlers()
    handlers.register(ItemsEndpoints.get) { id in
        calls.record("items.get")
        switch id {
        case "missing": throw ItemsError.notFound(id)
        case "sold-out": throw ItemsError.outOfStock
        default: return Item(id: id, name: "Item \(id)", updatedAt: fixedDate)
        }
    }
    handlers.register(ItemsEndpoints.list) { category in
        calls.record("items.list")
        return [Item(id: "1", name: category, updatedAt: fixedDate)]
    }
    handlers.register(ItemsEndpoints.create) { new in
        calls.record("items.create")
        if new.name.isEmpty { throw ItemsError.invalidName("must not be empty") }
        return Item(id: "new", name: new.name, updatedAt: fixedDate)
    }
    handlers.register(ItemsEndpoints.slow) { value in
        try await Task.sleep(for: .seconds(10))
        return value
    }
    handlers.register(ItemsEndpoints.gated) { id in
        calls.record("items.gated")
        await gate.wait()
        return Item(id: id, name: "Gated \(id)", updatedAt: fixedDate)
    }
    handlers.register(ItemsEndpoints.boom) { _ in
        calls.record("items.boom")
        throw Boom()
    }
    return ServiceInstance(service: "items", id: InstanceID(rawValue: "items-1"), version: "1.0.0", address: .inProcess(handlers))
}
