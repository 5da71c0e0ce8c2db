import CartAPI
import CatalogAPI
import Commerce
import CustomersAPI
import Emporium
import Foundation
import IdentityAPI
import InventoryAPI
import ModuleKit
import OrdersAPI
import PaymentsAPI
import ServiceKit
import Telemetry

/// Checkout figures: the whole system started in-process (`Emporium.start`, no HTTP) once per transport, direct
/// and serialized, on a fresh data directory with the fixture catalog, 100,000 more units of each product bought,
/// and 64 registered customers with a saved address each. One checkout fills the customer's cart with 1 to 3 lines
/// through `CartClient`, then calls `OrdersClient.checkout` with a new idempotency key; only that call is timed
/// for the latencies (`….p50`, `….p99`), and it must answer `confirmed`; `….saga-p50` is the part of it from the
/// order's creation to its confirmation, by the order's timeline. Checkouts per second count whole cycles (cart and
/// checkout) from 1 and 8 tasks, each task on its own customers, over the run plus the time until the last saga has
/// also captured and requested fulfilment (the saga does both after confirming, in the background). Afterwards every
/// order must be confirmed, captured and have its shipments, and Inventory's and Payments' ledgers must agree with
/// themselves and with the orders.
struct CheckoutSuite: BenchmarkSuite {
    static let customers = 64
    static let products = 32
    static let taskCounts = [1, 8]

    func run(options: BenchmarkOptions) async throws {
        for transport in [InProcessTransport.Mode.direct, .serialized] {
            let prefix = "checkout.\(transport.rawValue)"
            let wanted = Self.taskCounts.filter { options.wants(Self.name(prefix, tasks: $0)) }
            guard !wanted.isEmpty else { continue }
            Progress.say("  checkout: starting the system (\(transport.rawValue) transport)")
            let shop = try await Shop.start(transport: transport)
            do {
                for tasks in wanted {
                    let name = Self.name(prefix, tasks: tasks)
                    var rates: [Double] = []
                    var p50s: [Double] = []
                    var p99s: [Double] = []
                    var sagas: [Double] = []
                    for run in 1...options.runs {
                        let result = try await shop.measure(tasks: tasks, duration: options.runDuration)
                        rates.append(result.rate)
                        p50s.append(result.p50)
                        p99s.append(result.p99)
                        sagas.append(result.sagaP50)
                        Progress.say(
                            "  \(name) run \(run)/\(options.runs): \(Int(result.rate.rounded())) checkouts/s (\(result.checkouts) in "
                                + String(format: "%.2f s, sagas finished %.0f ms after the run", result.seconds, result.drainMilliseconds)
                                + String(format: "), p50 %.3f ms, p99 %.3f ms, saga p50 %.3f ms", result.p50, result.p99, result.sagaP50)
                        )
                    }
                    Progress.figure(name, median(rates), "checkouts/s")
                    Progress.figure("\(name).p50", median(p50s), "ms")
                    Progress.figure("\(name).p99", median(p99s), "ms")
                    Progress.figure("\(name).saga-p50", median(sagas), "ms")
                }
                try await shop.verify()
            } catch {
                await shop.stop()
                throw error
            }
            await shop.stop()
        }
    }

    static func name(_ prefix: String, tasks: Int) -> String {
        "\(prefix).\(tasks)-task\(tasks == 1 ? "" : "s")"
    }
}

/// One running system and its shoppers.
private final class Shop {
    /// A registered customer with a saved address, and how many checkouts it has made.
    struct Customer {
        let id: CustomerID
        let address: AddressID
        let index: Int
        var checkouts = 0
    }

    /// One timed run.
    struct Result {
        var checkouts: Int
        var seconds: Double
        var drainMilliseconds: Double
        var rate: Double
        var p50: Double
        var p99: Double
        /// The median time from the order's creation to its confirmation, by the order's timeline: the saga's part.
        var sagaP50: Double
    }

    let system: Emporium
    let scratch: ScratchDirectory
    let transport: InProcessTransport.Mode
    let products: [ProductID]
    var customers: [Customer]
    /// Every checkout so far, the warm-up's included: the orders, and the units each product was bought.
    var orders = 0
    var unitsBought: [ProductID: Int] = [:]

    static let card = CardDetails(number: "4242424242424242", expMonth: 12, expYear: 2099, cvc: "123")

    private init(system: Emporium, scratch: ScratchDirectory, transport: InProcessTransport.Mode, products: [ProductID], customers: [Customer]) {
        self.system = system
        self.scratch = scratch
        self.transport = transport
        self.products = products
        self.customers = customers
    }

    /// Starts the system, tops up the stock, registers the customers and makes one warm-up checkout each.
    static func start(transport: InProcessTransport.Mode) async throws -> Shop {
        guard let catalog = EmporiumConfiguration.fixtureCatalog else {
            Progress.fail("checkout: Fixtures/catalog/catalog.json not found; run from the repository")
        }
        let scratch = try ScratchDirectory()
        var configuration = EmporiumConfiguration(dataDirectory: scratch.path("data"))
        configuration.serveHTTP = false
        configuration.serveStoreFront = false
        configuration.transport = transport
        // Payments writes an info line for every authorisation and capture; `serve` at its default level would
        // print them, here they would only bury the progress lines.
        configuration.logLevel = .warning
        configuration.settings["catalog.seed"] = catalog.path
        configuration.settings["inventory.seed"] = "fixture"
        configuration.settings["warehouse.fulfilment"] = "manual"
        configuration.settings["identity.password-cost"] = "1"
        // A slow answer should show in p99, not as a `pending` order after the default 5 s.
        configuration.settings["orders.checkout-deadline"] = "30"
        let system = try await Emporium.start(configuration)
        do {
            try await settle(system)
            let products = try await CatalogClient(client: system.client).products(ProductQuery(limit: CheckoutSuite.products)).products.map(\.id)
            guard products.count == CheckoutSuite.products else {
                throw BenchmarkFailure("the catalog lists \(products.count) products, not \(CheckoutSuite.products)")
            }
            let inventory = InventoryClient(client: system.client)
            for product in products {
                _ = try await inventory.adjust(StockAdjustment(productId: product, warehouse: "berlin", delta: 100_000, reason: "benchmark"))
            }
            let identity = IdentityClient(client: system.client)
            let book = CustomersClient(client: system.client)
            var customers: [Customer] = []
            for index in 0..<CheckoutSuite.customers {
                let user = try await identity.register(Registration(email: "shopper-\(index)@bench.example", password: "correct horse battery"))
                let id = CustomerID(rawValue: user.id.rawValue)
                let street = "Invalidenstraße \(index + 1)"
                let address = Address(name: "Shopper \(index)", line1: street, city: "Berlin", postalCode: "10115", country: "DE")
                let saved = try await book.addAddress(NewAddress(customerId: id, address: address))
                customers.append(Customer(id: id, address: saved.id, index: index))
            }
            // The cart learns of the new stock from Inventory's events.
            try await settle(system)
            let shop = Shop(system: system, scratch: scratch, transport: transport, products: products, customers: customers)
            Progress.say("  checkout: warm-up, one checkout per customer")
            _ = try await shop.measure(tasks: 8, duration: .zero)
            return shop
        } catch {
            await system.stop()
            throw error
        }
    }

    func stop() async {
        await system.stop()
    }

    /// Checkouts from `tasks` tasks for `duration` (at least one round of every customer when `duration` is zero),
    /// starting once the previous run's sagas and events are done.
    func measure(tasks: Int, duration: Duration) async throws -> Result {
        try await finishSagas()
        try await Self.settle(system)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + duration
        let client = system.client
        let products = products
        let key = "\(transport.rawValue)-\(orders)"
        let groups = (0..<tasks).map { task in customers.filter { $0.index % tasks == task } }
        let onceEach = duration == .zero
        let outcomes = try await withThrowingTaskGroup(of: ([Customer], [Double], [Double], [ProductID: Int]).self) { group in
            for var mine in groups {
                group.addTask {
                    let carts = CartClient(client: client)
                    let orders = OrdersClient(client: client)
                    var latencies: [Double] = []
                    var sagas: [Double] = []
                    var units: [ProductID: Int] = [:]
                    var turn = 0
                    repeat {
                        let slot = turn % mine.count
                        let customer = mine[slot]
                        let number = customer.checkouts
                        // The previous order's saga takes its lines out of the cart after confirming, in the
                        // background: start from an empty cart so that each order buys exactly what was added.
                        try await Self.emptyCart(customer.id, carts)
                        let count = 1 + (customer.index + number) % 3
                        var wanted: [ProductID: Int] = [:]
                        for line in 0..<count {
                            let product = products[(customer.index * 7 + number * 3 + line) % products.count]
                            let quantity = 1 + (number + line) % 2
                            wanted[product] = quantity
                            _ = try await carts.addItem(CartItemAddition(owner: .customer(customer.id), productId: product, quantity: quantity))
                        }
                        let request = CheckoutRequest(customerId: customer.id, addressId: customer.address, card: Shop.card)
                        let began = clock.now
                        let reply = try await orders.checkout(
                            IdempotentRequest(
                                key: try IdempotencyKey("bench-\(key)-\(customer.index)-\(number)"),
                                caller: customer.id.rawValue,
                                body: request
                            )
                        )
                        latencies.append((clock.now - began) / .milliseconds(1))
                        let order = reply.body
                        guard order.status == .confirmed else {
                            let steps = order.timeline.map { "\($0.step) \($0.outcome)" }.joined(separator: ", ")
                            throw BenchmarkFailure("checkout \(order.id.rawValue) answered \(order.status.rawValue), not confirmed: \(steps)")
                        }
                        let bought = Dictionary(order.lines.map { ($0.productId, $0.quantity) }, uniquingKeysWith: +)
                        guard bought == wanted else {
                            throw BenchmarkFailure("order \(order.id.rawValue) bought \(bought), the cart was filled with \(wanted)")
                        }
                        units.merge(wanted, uniquingKeysWith: +)
                        if let created = order.timeline.first(where: { $0.step == "order-created" })?.at,
                            let confirmed = order.timeline.first(where: { $0.step == "confirmed" })?.at
                        {
                            sagas.append(confirmed.timeIntervalSince(created) * 1000)
                        }
                        mine[slot].checkouts += 1
                        turn += 1
                    } while onceEach ? turn < mine.count : clock.now < deadline
                    return (mine, latencies, sagas, units)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let answered = clock.now
        try await finishSagas()
        let finished = clock.now
        var latencies: [Double] = []
        var sagas: [Double] = []
        for (mine, times, decisions, units) in outcomes {
            for customer in mine { customers[customer.index] = customer }
            latencies += times
            sagas += decisions
            unitsBought.merge(units, uniquingKeysWith: +)
        }
        orders += latencies.count
        latencies.sort()
        sagas.sort()
        let seconds = (finished - start) / .seconds(1)
        return Result(
            checkouts: latencies.count,
            seconds: seconds,
            drainMilliseconds: (finished - answered) / .milliseconds(1),
            rate: Double(latencies.count) / seconds,
            p50: Self.percentile(latencies, 0.50),
            p99: Self.percentile(latencies, 0.99),
            sagaP50: sagas.isEmpty ? 0 : Self.percentile(sagas, 0.50)
        )
    }

    /// Every order confirmed, captured and handed to the warehouse; both ledgers consistent and agreeing with the
    /// orders: two payment movements (hold, capture) per order, the captured sum is the orders' total, and the units
    /// Inventory holds reserved for fulfilment are the units bought.
    func verify() async throws {
        try await finishSagas()
        try await Self.settle(system)
        let ordersClient = OrdersClient(client: system.client)
        var count = 0
        var totals: Int64 = 0
        var captured: Int64 = 0
        var cursor: String?
        repeat {
            let page = try await ordersClient.orders(OrderQuery(cursor: cursor, limit: 100))
            for order in page.items {
                guard order.status == .confirmed, let payment = order.payment, payment.status == .succeeded, !order.shipments.isEmpty else {
                    throw BenchmarkFailure(
                        "order \(order.id.rawValue) ended \(order.status.rawValue), payment \(order.payment?.status.rawValue ?? "none"), "
                            + "\(order.shipments.count) shipments"
                    )
                }
                count += 1
                totals += order.totals.total.minorUnits
                captured += payment.captured.minorUnits
            }
            cursor = page.nextCursor
        } while cursor != nil
        let payments = try await PaymentsClient(client: system.client).checkLedger()
        let inventory = InventoryClient(client: system.client)
        let stock = try await inventory.checkLedger()
        var reserved: [ProductID: Int] = [:]
        for product in products {
            reserved[product] = try await inventory.stock(product).warehouses.reduce(0) { $0 + $1.reserved }
        }
        let expected = products.reduce(into: [ProductID: Int]()) { $0[$1] = unitsBought[$1] ?? 0 }
        guard count == orders, captured == totals, payments.isConsistent, payments.movements == 2 * orders, stock.mismatches.isEmpty,
            reserved == expected
        else {
            throw BenchmarkFailure(
                "\(orders) checkouts left \(count) orders; captured \(captured) of \(totals) minor units; payments ledger "
                    + "\(payments.movements) movements \(payments.discrepancies); inventory ledger \(stock.mismatches); "
                    + "reserved \(reserved.values.reduce(0, +)) units for \(expected.values.reduce(0, +)) bought"
            )
        }
        Progress.say(
            "  checkout.\(transport.rawValue): \(orders) orders confirmed, captured and handed to the warehouse; "
                + "the Payments and Inventory ledgers agree"
        )
    }

    /// Waits until no checkout saga is open.
    private func finishSagas() async throws {
        let orders = OrdersClient(client: system.client)
        let deadline = ContinuousClock.now + .seconds(120)
        while try await !orders.openSagas().orderIds.isEmpty {
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("checkout sagas still open after 120 s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits until every consumer group has handled every event.
    private static func settle(_ system: Emporium) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while try await !system.hasSettled() {
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("events still undelivered after 120 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits until the customer's cart has no lines.
    private static func emptyCart(_ customer: CustomerID, _ carts: CartClient) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await !carts.cart(CartQuery(owner: .customer(customer))).lines.isEmpty {
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("the cart of \(customer.rawValue) still has lines after 30 s") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The nearest-rank percentile of a sorted, non-empty sample.
    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
