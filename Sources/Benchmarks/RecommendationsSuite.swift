import CartAPI
import CatalogAPI
import Commerce
import CustomersAPI
import Foundation
import InventoryAPI
import Messaging
import ModuleKit
import OrdersAPI
import Recommendations
import RecommendationsAPI
import ServiceKit
import Storage
import Synchronization
import Telemetry

/// Recommendations figures: an offline evaluation on synthetic histories with hidden structure, query latency with
/// 100,000 orders learned, and the learning rate.
///
/// The shop (``SyntheticShop``, seeded, so every run is the same): 2,000 products in 20 categories, with demand
/// skewed across categories and, within each, across products (Zipf); 400 bundles of a product and one or two others
/// picked at random in its own or a neighbouring category, bought together in one order or the partner in the next;
/// customers with two favourite categories that most of their purchases come from. Each customer's last order is held
/// out with its views and cart additions; everything before it is learned: 100,000 orders, with a cart addition per
/// line, a view of most bought products and one more browsed product per order.
///
/// The module runs as the system runs it (``ModuleKit/ModuleHost``: its own database, the bus and its inbox, the
/// learner in the background, calls through the pipeline on the direct transport): events are delivered on the bus in
/// chunks of up to 1,000 interactions in time order, views reported through `recordView` one at a time, with the
/// module's wall clock set to each view's time (a view is stamped when it is reported). Learning is timed from the
/// first delivery until the learner has folded the whole log, and reported per interaction (an order of three lines is
/// three) and per event or view report (`recommendations.learn.events`). Each of 2,000 sampled customers is then asked "for you" (ten
/// products); a hit is any product of their held-out order among the ten, NDCG@10 counts where it ranks. Baselines on
/// the same customers: ten random products (what Online Boutique's recommendation service does), and the ten best
/// sellers of the training data; both, like ours, leave out what the customer bought. Latencies are those of the
/// for-you queries, and of 2,000 product-page queries for products drawn by popularity; each is also measured in
/// processor time of the whole process (`….cpu-p99`), which a query preempted by other work on a shared machine does
/// not inflate, so the two together tell the code's cost from the machine's.
struct RecommendationsSuite: BenchmarkSuite {
    static let testCustomers = 2_000
    static let productQueries = 2_000

    func run(options: BenchmarkOptions) async throws {
        Progress.say("  recommendations: generating the synthetic shop")
        let shop = SyntheticShop(seed: 2026, trainingOrders: 100_000, now: Date())
        let stream = try shop.trainingStream()
        Progress.say(
            "  recommendations: \(shop.products.count) products, \(shop.customers.count) customers, \(shop.trainingOrderCount) orders learned, "
                + "\(stream.eventCount) events and \(stream.viewCount) views; \(shop.customers.count) orders held out"
        )
        let every = max(1, shop.customers.count / Self.testCustomers)
        let tested = Array(stride(from: 0, to: shop.customers.count, by: every).prefix(Self.testCustomers))
        let baselines = Baselines(shop: shop, tested: tested)

        var rates: [Double] = []
        var eventRates: [Double] = []
        var productP50: [Double] = []
        var productP99: [Double] = []
        var forYouP50: [Double] = []
        var forYouP99: [Double] = []
        var productCPUP99: [Double] = []
        var forYouCPUP99: [Double] = []
        var ours: [Quality] = []
        var rebuildSeconds: Double?
        for run in 1...options.runs {
            let system = try await LearningSystem.start(now: shop.now)
            do {
                let rate = try await system.learn(shop, stream)
                rates.append(rate)
                eventRates.append(rate * Double(stream.eventCount + stream.viewCount) / Double(stream.interactionCount))
                var forYouLatencies: [Double] = []
                var forYouCPU: [Double] = []
                var quality = Quality()
                let clock = ContinuousClock()
                for index in tested {
                    let customer = shop.customers[index]
                    let start = clock.now
                    let cpu = processCPUMilliseconds()
                    let list = try await system.recommendations.customerRecommendations(
                        CustomerRecommendationsQuery(customerId: customer.id, limit: 10)
                    )
                    forYouCPU.append(processCPUMilliseconds() - cpu)
                    forYouLatencies.append((clock.now - start) / .milliseconds(1))
                    guard !list.items.isEmpty else { throw BenchmarkFailure("no recommendations for \(customer.id.rawValue)") }
                    quality.add(ranked: list.items.compactMap { shop.index(of: $0.productId) }, heldOut: customer.heldOut.products)
                }
                ours.append(quality)
                var generator = SplitMix(seed: 99)
                var productLatencies: [Double] = []
                var productCPU: [Double] = []
                for _ in 0..<Self.productQueries {
                    let product = shop.products[shop.popularProduct(using: &generator)].id
                    let start = clock.now
                    let cpu = processCPUMilliseconds()
                    let list = try await system.recommendations.productRecommendations(ProductRecommendationsQuery(productId: product, limit: 10))
                    productCPU.append(processCPUMilliseconds() - cpu)
                    productLatencies.append((clock.now - start) / .milliseconds(1))
                    guard list.items.count == 10 else { throw BenchmarkFailure("\(list.items.count) recommendations for \(product.rawValue)") }
                }
                let (fp50, fp99) = percentiles(forYouLatencies)
                let (pp50, pp99) = percentiles(productLatencies)
                forYouP50.append(fp50)
                forYouP99.append(fp99)
                forYouCPUP99.append(percentiles(forYouCPU).1)
                productCPUP99.append(percentiles(productCPU).1)
                productP50.append(pp50)
                productP99.append(pp99)
                Progress.say(
                    "  recommendations run \(run)/\(options.runs): learned \(Int(rate.rounded())) interactions/s; hit rate@10 "
                        + String(format: "%.3f, NDCG@10 %.3f; ", quality.hitRate, quality.ndcg)
                        + String(format: "product p50 %.3f ms p99 %.3f ms, for-you p50 %.3f ms p99 %.3f ms", pp50, pp99, fp50, fp99)
                        + String(format: "; processor time p99: product %.3f ms, for-you %.3f ms", productCPUP99[run - 1], forYouCPUP99[run - 1])
                )
                if run == options.runs, options.wants("recommendations.rebuild") {
                    let report = try await system.recommendations.rebuild()
                    rebuildSeconds = report.seconds
                    Progress.say(
                        "  recommendations rebuild: \(report.interactions) interactions, \(report.pairs) pairs, \(report.customers) histories in "
                            + String(format: "%.1f s", report.seconds)
                    )
                }
            } catch {
                await system.stop()
                throw error
            }
            await system.stop()
        }
        let ourHitRate = median(ours.map(\.hitRate))
        Progress.figure("recommendations.learn", median(rates), "interactions/s")
        Progress.figure("recommendations.learn.events", median(eventRates), "events/s")
        Progress.figure("recommendations.hit-rate-10.random", baselines.random.hitRate, "ratio")
        Progress.figure("recommendations.hit-rate-10.popularity", baselines.popularity.hitRate, "ratio")
        Progress.figure("recommendations.hit-rate-10.ours", ourHitRate, "ratio")
        Progress.figure("recommendations.hit-rate-10.ours-over-popularity", ourHitRate / baselines.popularity.hitRate, "x")
        Progress.figure("recommendations.ndcg-10.random", baselines.random.ndcg, "ratio")
        Progress.figure("recommendations.ndcg-10.popularity", baselines.popularity.ndcg, "ratio")
        Progress.figure("recommendations.ndcg-10.ours", median(ours.map(\.ndcg)), "ratio")
        Progress.figure("recommendations.query.product.p50", median(productP50), "ms")
        Progress.figure("recommendations.query.product.p99", median(productP99), "ms")
        Progress.figure("recommendations.query.for-you.p50", median(forYouP50), "ms")
        Progress.figure("recommendations.query.for-you.p99", median(forYouP99), "ms")
        Progress.figure("recommendations.query.product.cpu-p99", median(productCPUP99), "ms")
        Progress.figure("recommendations.query.for-you.cpu-p99", median(forYouCPUP99), "ms")
        if let rebuildSeconds { Progress.figure("recommendations.rebuild", rebuildSeconds, "s") }
    }
}

/// The processor time this process has used, in milliseconds: every thread's, user and system.
private func processCPUMilliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1_000 + Double(time.tv_nsec) / 1_000_000
}

/// The 50th and 99th percentiles of a sample, in its unit.
private func percentiles(_ values: [Double]) -> (Double, Double) {
    let sorted = values.sorted()
    return (sorted[sorted.count / 2], sorted[sorted.count * 99 / 100])
}

// MARK: - Quality

/// Hit rate and NDCG at 10, summed over customers.
private struct Quality {
    var customers = 0
    var hits = 0
    var gains = 0.0

    mutating func add(ranked: [Int], heldOut: [Int]) {
        customers += 1
        let relevant = Set(heldOut)
        var dcg = 0.0
        for (rank, product) in ranked.prefix(10).enumerated() where relevant.contains(product) {
            dcg += 1 / log2(Double(rank + 2))
        }
        let ideal = (0..<min(relevant.count, 10)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
        if dcg > 0 { hits += 1 }
        gains += ideal > 0 ? dcg / ideal : 0
    }

    var hitRate: Double { customers == 0 ? 0 : Double(hits) / Double(customers) }
    var ndcg: Double { customers == 0 ? 0 : gains / Double(customers) }
}

/// The baselines, on the same customers: ten random products, and the ten best sellers of the training data; both
/// leave out what the customer bought, as the module does.
private struct Baselines {
    let random: Quality
    let popularity: Quality

    init(shop: SyntheticShop, tested: [Int]) {
        var sales = [Int](repeating: 0, count: shop.products.count)
        for customer in shop.customers {
            for order in customer.training { for product in order.products { sales[product] += 1 } }
        }
        let bestSellers = sales.indices.sorted { sales[$0] != sales[$1] ? sales[$0] > sales[$1] : $0 < $1 }
        var generator = SplitMix(seed: 7)
        var random = Quality()
        var popularity = Quality()
        for index in tested {
            let customer = shop.customers[index]
            let bought = Set(customer.training.flatMap(\.products))
            popularity.add(ranked: Array(bestSellers.lazy.filter { !bought.contains($0) }.prefix(10)), heldOut: customer.heldOut.products)
            var picks: [Int] = []
            while picks.count < 10 {
                let product = Int.random(in: 0..<shop.products.count, using: &generator)
                if !bought.contains(product) && !picks.contains(product) { picks.append(product) }
            }
            random.add(ranked: picks, heldOut: customer.heldOut.products)
        }
        self.random = random
        self.popularity = popularity
    }
}

// MARK: - The module, running

/// The recommendations module wired alone as the system wires it, on a fresh data directory.
private final class LearningSystem {
    let scratch: ScratchDirectory
    let host: ModuleHost
    let bus: InProcessMessageBus
    let recommendations: RecommendationsClient
    let running: Task<Void, any Error>
    /// The module's wall clock: set to each view's time while the history is replayed, then to the shop's now.
    let clock: SimulatedTime

    private init(
        scratch: ScratchDirectory,
        host: ModuleHost,
        bus: InProcessMessageBus,
        client: ServiceClient,
        running: Task<Void, any Error>,
        clock: SimulatedTime
    ) {
        self.scratch = scratch
        self.host = host
        self.bus = bus
        self.recommendations = RecommendationsClient(client: client)
        self.running = running
        self.clock = clock
    }

    static func start(now: Date) async throws -> LearningSystem {
        let clock = SimulatedTime(now)
        let scratch = try ScratchDirectory()
        let metrics = MetricsRegistry()
        let registry = ServiceRegistry()
        let client = ServiceClient(registry: registry, transport: InProcessTransport(mode: .direct), metrics: metrics)
        let bus = InProcessMessageBus(metrics: metrics)
        let host = try await ModuleHost(
            modules: [.recommendations(clock: SystemClock(), now: { clock.now })],
            configuration: ModuleHost.Configuration(dataDirectory: scratch.url.path, signingSecret: Array(repeating: 1, count: 32), version: "bench"),
            registry: registry,
            client: client,
            bus: bus,
            metrics: metrics,
            logger: Logger(label: "recommendations", handler: JSONLinesLogHandler(output: .standardError, logLevel: .error))
        )
        let services: [any Service] = [bus] + host.services
        let running = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try await service.run() } }
                try await group.waitForAll()
            }
        }
        return LearningSystem(scratch: scratch, host: host, bus: bus, client: client, running: running, clock: clock)
    }

    /// Feeds the training stream and waits until the learner has folded all of it.
    /// - Returns: Interactions learned per second (purchased lines, cart additions and views).
    func learn(_ shop: SyntheticShop, _ stream: TrainingStream) async throws -> Double {
        // The catalog and the stock first, as the seed would; not timed.
        try await bus.deliver(try shop.products.map { try Envelope(ProductCreated(product: $0), source: "/bench", subject: $0.id.rawValue) })
        try await bus.deliver(
            try shop.products.map {
                try Envelope(
                    StockLevelChanged(availability: Availability(productId: $0.id, available: 1_000, status: .inStock)),
                    source: "/bench",
                    subject: $0.id.rawValue
                )
            }
        )
        let clock = self.clock
        let timer = ContinuousClock()
        let start = timer.now
        for (index, chunk) in stream.chunks.enumerated() {
            try await bus.deliver(chunk.events)
            for (view, time) in chunk.views {
                clock.set(time)
                try await recommendations.recordView(view)
            }
            if index % 50 == 0 { Progress.say("  recommendations: delivered chunk \(index + 1) of \(stream.chunks.count)") }
        }
        clock.set(shop.now)
        let delivered = timer.now - start
        let database = host.modules[0].database
        while true {
            let done = try await database.read { connection in
                let through = try connection.scalar(Int64.self, "SELECT learned_through FROM learner") ?? 0
                return through >= (try connection.scalar(Int64.self, "SELECT coalesce(max(seq), 0) FROM interaction") ?? 0)
            }
            if done { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let seconds = (timer.now - start) / .seconds(1)
        Progress.say(String(format: "  recommendations: delivered in %.1f s, learned in %.1f s", delivered / .seconds(1), seconds))
        return Double(stream.interactionCount) / seconds
    }

    func stop() async {
        running.cancel()
        _ = try? await running.value
        host.close()
    }
}

/// A wall clock the benchmark sets.
private final class SimulatedTime: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

// MARK: - The synthetic shop

/// A shop's history with hidden structure, the same for the same seed.
private struct SyntheticShop {
    static let categories = 20
    static let productsPerCategory = 100
    static let bundles = 400

    struct Order {
        let time: Date
        let products: [Int]
        /// A product of a favourite category looked at before buying.
        let browsed: Int
    }

    struct Customer {
        let id: CustomerID
        let training: [Order]
        let heldOut: Order
    }

    let products: [Product]
    let customers: [Customer]
    let trainingOrderCount: Int
    /// The end of the history: after every order.
    let now: Date
    /// Every product's share of demand, for drawing products as traffic does.
    private let demand: Sampler

    init(seed: UInt64, trainingOrders: Int, now: Date) {
        var generator = SplitMix(seed: seed)
        let categoryCount = Self.categories
        let perCategory = Self.productsPerCategory
        // Demand: categories skewed (Zipf 0.6), and products within each (Zipf 1.0, a random order per category).
        let categoryWeights = (0..<categoryCount).map { 1 / pow(Double($0 + 1), 0.6) }.shuffled(using: &generator)
        var withinCategory: [Sampler] = []
        var productWeights = [Double](repeating: 0, count: categoryCount * perCategory)
        for category in 0..<categoryCount {
            let ranks = Array(0..<perCategory).shuffled(using: &generator)
            var weights = [Double](repeating: 0, count: perCategory)
            for (slot, rank) in ranks.enumerated() { weights[slot] = 1 / Double(rank + 1) }
            withinCategory.append(Sampler(weights))
            let total = weights.reduce(0, +)
            for slot in 0..<perCategory { productWeights[category * perCategory + slot] = categoryWeights[category] * weights[slot] / total }
        }
        let global = Sampler(productWeights)
        let categorySampler = Sampler(categoryWeights)
        products = (0..<(categoryCount * perCategory)).map { (number: Int) -> Product in
            let minorUnits = Int64(500 + (number * 7919) % 20_000)
            let category = CategoryID(rawValue: "category-\(number / perCategory)")
            return Product(
                id: ProductID(rawValue: String(format: "p-%05d", number + 1)),
                sku: String(format: "SKU-%05d", number + 1),
                name: "Product \(number + 1)",
                description: "A synthetic product.",
                price: Money(minorUnits: minorUnits, currency: "EUR"),
                images: [],
                attributes: [:],
                category: category,
                active: true,
                version: 1
            )
        }
        // Bundles: a product drawn by demand, with one or two partners drawn at random in its category or the next.
        var partners: [Int: [Int]] = [:]
        for _ in 0..<Self.bundles {
            let anchor = global.draw(using: &generator)
            let category = anchor / perCategory
            var members = [anchor]
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                let partnerCategory = Double.random(in: 0..<1, using: &generator) < 0.6 ? category : (category + 1) % categoryCount
                let partner = partnerCategory * perCategory + Int.random(in: 0..<perCategory, using: &generator)
                if !members.contains(partner) { members.append(partner) }
            }
            for member in members { partners[member, default: []].append(contentsOf: members.filter { $0 != member }) }
        }
        // Customers: two favourite categories; each order 1 to 3 products, most from the favourites; a bundle's
        // partners join the order or, failing that, often the next one.
        var customers: [Customer] = []
        var learned = 0
        let year = 360.0 * 86_400
        while learned < trainingOrders {
            let first = categorySampler.draw(using: &generator)
            var second = categorySampler.draw(using: &generator)
            while second == first { second = categorySampler.draw(using: &generator) }
            let favourites = [first, second]
            func pick(_ generator: inout SplitMix) -> Int {
                let roll = Double.random(in: 0..<1, using: &generator)
                guard roll < 0.85 else { return global.draw(using: &generator) }
                let category = favourites[roll < 0.51 ? 0 : 1]
                return category * perCategory + withinCategory[category].draw(using: &generator)
            }
            let count = min(trainingOrders - learned + 1, 2 + Int(-log(Double.random(in: Double.ulpOfOne..<1, using: &generator)) * 9))
            let times = (0..<count).map { _ in now.addingTimeInterval(-Double.random(in: 86_400..<year, using: &generator)) }.sorted()
            var orders: [Order] = []
            var followUps: [Int] = []
            for time in times {
                var basket = followUps.filter { _ in Double.random(in: 0..<1, using: &generator) < 0.7 }
                followUps = []
                let lines =
                    1 + (Double.random(in: 0..<1, using: &generator) < 0.35 ? 1 : 0) + (Double.random(in: 0..<1, using: &generator) < 0.1 ? 1 : 0)
                for _ in 0..<lines {
                    let product = pick(&generator)
                    if !basket.contains(product) { basket.append(product) }
                    for partner in partners[product] ?? [] where !basket.contains(partner) {
                        let roll = Double.random(in: 0..<1, using: &generator)
                        if roll < 0.4 { basket.append(partner) } else if roll < 0.8 { followUps.append(partner) }
                    }
                }
                let category = favourites[Int.random(in: 0..<2, using: &generator)]
                orders.append(Order(time: time, products: basket, browsed: category * perCategory + withinCategory[category].draw(using: &generator)))
            }
            learned += count - 1
            customers.append(
                Customer(id: CustomerID(rawValue: "c-\(customers.count + 1)"), training: Array(orders.dropLast()), heldOut: orders[orders.count - 1])
            )
        }
        self.customers = customers
        self.trainingOrderCount = learned
        self.now = now
        self.demand = global
    }

    /// The index of the product with `id`.
    func index(of id: ProductID) -> Int? {
        Int(id.rawValue.dropFirst(2)).map { $0 - 1 }
    }

    /// A product drawn by demand.
    func popularProduct(using generator: inout SplitMix) -> Int {
        demand.draw(using: &generator)
    }

    /// What is learned, in time order, as events and view reports: before each order, a view of most of its products
    /// and of one more browsed product, and a cart addition per product; then the order.
    func trainingStream() throws -> TrainingStream {
        enum Action {
            case view(customer: Int, product: Int)
            case cart(customer: Int, product: Int)
            case order(customer: Int, order: Int)
        }
        var timeline: [(time: Date, action: Action)] = []
        var generator = SplitMix(seed: 5)
        for (customer, history) in customers.enumerated() {
            for (number, order) in history.training.enumerated() {
                timeline.append((order.time.addingTimeInterval(-1_200), .view(customer: customer, product: order.browsed)))
                for product in order.products {
                    if Double.random(in: 0..<1, using: &generator) < 0.6 {
                        timeline.append((order.time.addingTimeInterval(-600), .view(customer: customer, product: product)))
                    }
                    timeline.append((order.time.addingTimeInterval(-300), .cart(customer: customer, product: product)))
                }
                timeline.append((order.time, .order(customer: customer, order: number)))
            }
        }
        timeline.sort { $0.time < $1.time }
        let price = Money(minorUnits: 1000, currency: "EUR")
        let address = Address(name: "Bench", line1: "Invalidenstraße 1", city: "Berlin", postalCode: "10115", country: "DE")
        var chunks: [TrainingStream.Chunk] = []
        var current = TrainingStream.Chunk()
        var interactions = 0
        for (time, action) in timeline {
            switch action {
            case .view(let customer, let product):
                current.views.append((ProductView(productId: products[product].id, customerId: customers[customer].id), time))
                interactions += 1
            case .cart(let customer, let product):
                let id = customers[customer].id
                current.events.append(
                    try Envelope(
                        CartItemAdded(productId: products[product].id, quantity: 1, customerId: id, at: time),
                        source: "/bench",
                        subject: "cart-\(id.rawValue)",
                        time: time
                    )
                )
                interactions += 1
            case .order(let customer, let number):
                let history = customers[customer]
                let order = history.training[number]
                let id = OrderID(rawValue: "o-\(customer)-\(number)")
                let placed = OrdersAPI.Order(
                    id: id,
                    number: "EMP-\(customer)-\(number)",
                    customerId: history.id,
                    status: .confirmed,
                    lines: order.products.map {
                        OrderLine(productId: products[$0].id, name: products[$0].name, quantity: 1, unitPrice: price, lineTotal: price)
                    },
                    totals: try Pricing.totals(
                        subtotal: Money(minorUnits: 1000 * Int64(order.products.count), currency: "EUR"),
                        country: "DE",
                        member: false
                    ),
                    shippingAddress: address,
                    createdAt: time,
                    updatedAt: time
                )
                current.events.append(try Envelope(OrderPlaced(order: placed), source: "/bench", subject: id.rawValue, time: time))
                interactions += order.products.count
            }
            if current.events.count + current.views.count >= 1_000 {
                chunks.append(current)
                current = TrainingStream.Chunk()
            }
        }
        if !current.events.isEmpty || !current.views.isEmpty { chunks.append(current) }
        return TrainingStream(chunks: chunks, interactionCount: interactions)
    }
}

/// The training history as the module receives it: chunks of events for the bus and views for `recordView`, each with
/// the time it happened (the module's clock is set to it while the view is reported).
private struct TrainingStream {
    struct Chunk {
        var events: [Envelope] = []
        var views: [(view: ProductView, at: Date)] = []
    }

    let chunks: [Chunk]
    /// Purchased lines, cart additions and views.
    let interactionCount: Int
    var eventCount: Int { chunks.reduce(0) { $0 + $1.events.count } }
    var viewCount: Int { chunks.reduce(0) { $0 + $1.views.count } }
}

/// Draws indices in proportion to their weights.
private struct Sampler {
    private let cumulative: [Double]

    init(_ weights: [Double]) {
        var total = 0.0
        cumulative = weights.map {
            total += $0
            return total
        }
    }

    func draw(using generator: inout SplitMix) -> Int {
        let target = Double.random(in: 0..<(cumulative.last ?? 1), using: &generator)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// A seeded generator, so every run generates the same shop.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
