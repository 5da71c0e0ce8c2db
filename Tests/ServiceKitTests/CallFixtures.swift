import ServiceKit

/// A tiny "pricing" API for the call tests: its failure enum, its endpoints and a handler table.
enum PricingError: ServiceFailure {
    case unknownSKU(String)
    case priceNotSet(sku: String, since: Int)
    case rejected

    var problemType: String {
        switch self {
        case .unknownSKU: "unknown-sku"
        case .priceNotSet: "price-not-set"
        case .rejected: "price-rejected"
        }
    }

    var detail: String {
        switch self {
        case .unknownSKU(let sku): "No product has the SKU \(sku)."
        case .priceNotSet(let sku, let since): "\(sku) has had no price since \(since)."
        case .rejected: "The price was rejected."
        }
    }
}

struct Quote: Codable, Sendable, Hashable {
    let sku: String
    let cents: Int
    let servedBy: String
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "undeclared boom" }
}

/// A storage error as a module's would be: unavailable when the disk is full, an ordinary fault otherwise.
struct DiskError: UnavailabilityReporting, CustomStringConvertible {
    var full: Bool

    static let unavailability = Unavailability(
        problemType: "storage-unavailable",
        detail: "The service cannot store anything right now (its disk is full); nothing was changed. Try again later.",
        retryAfterSeconds: 30
    )

    var unavailability: Unavailability? { full ? Self.unavailability : nil }
    var description: String { full ? "disk full" : "disk failed" }
}

enum PricingEndpoints {
    static let quote = Endpoint<String, Quote>("pricing.quote", idempotent: true, timeout: .seconds(5), failure: PricingError.self)
    static let setPrice = Endpoint<Quote, Quote>("pricing.set-price", idempotent: false, failure: PricingError.self)
    static let slow = Endpoint<Int, Int>("pricing.slow", idempotent: false, timeout: .milliseconds(50), failure: PricingError.self)
}

/// Handlers of one pricing instance; every call is counted per instance.
func pricingHandlers(instance: String, calls: LockedValue<[String: Int]>) -> EndpointHandlers {
    var handlers = EndpointHandlers()
    handlers.register(PricingEndpoints.quote) { sku in
        calls.withLock { $0[instance, default: 0] += 1 }
        switch sku {
        case "missing": throw PricingError.unknownSKU(sku)
        case "unset": throw PricingError.priceNotSet(sku: sku, since: 2024)
        case "boom": throw Boom()
        case "full": throw DiskError(full: true)
        case "disk-failed": throw DiskError(full: false)
        default: return Quote(sku: sku, cents: 1999, servedBy: instance)
        }
    }
    handlers.register(PricingEndpoints.setPrice) { quote in
        calls.withLock { $0[instance, default: 0] += 1 }
        if quote.cents < 0 { throw PricingError.rejected }
        return quote
    }
    handlers.register(PricingEndpoints.slow) { value in
        // Far beyond the 50 ms timeout even when the suite's load delays the timer.
        try await Task.sleep(for: .seconds(120))
        return value
    }
    return handlers
}

func pricingInstance(_ id: String, calls: LockedValue<[String: Int]>) -> ServiceInstance {
    ServiceInstance(
        service: "pricing",
        id: InstanceID(rawValue: id),
        version: "1.0.0",
        address: .inProcess(pricingHandlers(instance: id, calls: calls))
    )
}
