public import CatalogAPI
import Commerce
public import Foundation
public import Messaging
public import RecommendationsAPI
public import ServiceKit
public import Storage
public import Telemetry

/// Recommendations over its own SQLite database: an interaction log appended to by event handlers and by reported
/// views, aggregates folded from it in the background (``learnPending(limit:)``), and answers read from the
/// aggregates and the module's own copy of the catalog and of availability.
///
/// Appending is cheap (one small insert per interaction, in the transaction that records the event in the inbox), so
/// the bus is never held up by learning; the learner wakes on every such commit and folds whatever has accumulated in
/// one transaction, so under load it learns many interactions per commit.
public struct SQLiteRecommendationsService: RecommendationsService {
    /// What the service is run with.
    public struct Configuration: Sendable {
        /// After how long an interaction counts half as much.
        public var halfLife: Duration
        /// How long a customer's purchase is left out of what they are recommended.
        public var boughtWindow: Duration

        /// Creates a configuration: a half-life of 30 days, purchases left out for 365.
        public init(halfLife: Duration = .seconds(30 * 86_400), boughtWindow: Duration = .seconds(365 * 86_400)) {
            self.halfLife = halfLife
            self.boughtWindow = boughtWindow
        }
    }

    /// How many of a product's strongest neighbours are scored for its page, beyond those the caller may not see.
    static let productCandidates = 100
    /// How many of a customer's most recent products seed "for you".
    static let seedProducts = 10
    /// How many of each seed's strongest neighbours are scored for "for you".
    static let seedCandidates = 50
    /// Interactions folded per transaction by the learner.
    public static let foldLimit = 4096

    /// The module's database.
    public let database: Database
    let catalog: any CatalogService
    let configuration: Configuration
    let learning: Learning
    let logger: Logger
    let now: @Sendable () -> Date
    /// Woken after every commit that appended to the log: the learner waits on it.
    public let appended: WakeSignal
    /// Asks for the database log to be truncated once an erasure has committed.
    let erasures: ErasureLogTruncator.Requests

    /// Recommendations over `database`, migrated with ``ModuleKit/Module/recommendations``'s migrations. Learning runs
    /// in ``learner(clock:)`` and erasures' log truncation in ``erasureLogTruncator``, which must run beside it
    /// (``ModuleKit/Module/recommendations`` runs both).
    /// - Parameters:
    ///   - database: Its database.
    ///   - catalog: The catalog, asked only about a product the module has not heard of yet.
    ///   - configuration: Decay and the purchases left out.
    ///   - logger: Where learning failures go.
    ///   - now: The wall clock: the time of a view, and "recently" for purchases.
    public init(
        database: Database,
        catalog: any CatalogService,
        configuration: Configuration = Configuration(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.catalog = catalog
        self.configuration = configuration
        self.learning = Learning(halfLife: Double(Self.microseconds(configuration.halfLife)))
        self.logger = logger
        self.now = now
        self.appended = WakeSignal()
        self.erasures = ErasureLogTruncator.Requests()
    }

    /// The background service that folds the log into the aggregates whenever interactions were appended (and every
    /// 5 seconds on `clock`, in case another process appended); run one only.
    public func learner(clock: any ServiceClock) -> some Service {
        Learner(signal: appended, interval: .seconds(5), clock: clock) { await learnAll() }
    }

    /// The background service that truncates the database's log after each erasure has committed; run one only.
    public var erasureLogTruncator: some Service {
        ErasureLogTruncator(database: database, requests: erasures, logger: logger)
    }

    // MARK: - Learning

    /// Folds at most `limit` interactions of the log into the aggregates, in one transaction.
    /// - Returns: How many were folded; 0 once the aggregates have caught up with the log.
    /// - Throws: ``Storage/StorageError``.
    @discardableResult
    public func learnPending(limit: Int = foldLimit) async throws -> Int {
        let learning = learning
        return try await database.write { try learning.fold(limit: limit, in: $0) }
    }

    /// Whether every interaction in the log has been folded into the aggregates.
    public func hasLearnedEverything() async throws -> Bool {
        try await database.read { connection in
            let through = try connection.scalar(Int64.self, "SELECT learned_through FROM learner WHERE id = 1") ?? 0
            let last = try connection.scalar(Int64.self, "SELECT coalesce(max(seq), 0) FROM interaction") ?? 0
            return through >= last
        }
    }

    /// Folds until the aggregates have caught up; one pass of the learner.
    func learnAll() async {
        do {
            while try await learnPending() == Self.foldLimit {}
        } catch {
            logger.error("learning from the interaction log failed", metadata: ["error": "\(error)"])
        }
    }

    public func rebuild() async throws -> RebuildReport {
        let learning = learning
        let clock = ContinuousClock()
        let start = clock.now
        var report = try await database.write { connection in
            try connection.execute("DELETE FROM pair")
            try connection.execute("DELETE FROM interest")
            try connection.execute("UPDATE item SET popularity = 0, norm = 0 WHERE popularity <> 0 OR norm <> 0")
            try connection.execute("UPDATE learner SET learned_through = 0, landmark_us = NULL WHERE id = 1")
            var interactions = 0
            while true {
                let folded = try learning.fold(limit: 50_000, in: connection)
                interactions += folded
                if folded < 50_000 { break }
            }
            return RebuildReport(
                interactions: interactions,
                products: try connection.scalar(Int.self, "SELECT count(*) FROM item WHERE popularity > 0") ?? 0,
                customers: try connection.scalar(Int.self, "SELECT count(DISTINCT customer) FROM interest") ?? 0,
                pairs: try connection.scalar(Int.self, "SELECT count(*) FROM pair") ?? 0,
                seconds: 0
            )
        }
        report.seconds = (clock.now - start) / .seconds(1)
        logger.info(
            "recommendations rebuilt from the interaction log",
            metadata: ["interactions": "\(report.interactions)", "pairs": "\(report.pairs)", "seconds": "\(report.seconds)"]
        )
        return report
    }

    // MARK: - Views

    public func recordView(_ view: ProductView) async throws {
        let item = try await knownItem(view.productId)
        let customer = view.customerId.map { HistoryKey.customer($0.rawValue) }
        let stamp = Self.microseconds(now())
        let appended = appended
        try await database.write { connection in
            try connection.execute(
                "INSERT INTO interaction (customer, item, kind, at_us) VALUES (?, ?, ?, ?)",
                [customer, item.key, InteractionKind.view.rawValue, stamp]
            )
            connection.afterCommit { appended.wake() }
        }
    }

    // MARK: - Answers

    public func productRecommendations(_ query: ProductRecommendationsQuery) async throws -> RecommendationList {
        try Self.check(query.limit)
        let item = try await knownItem(query.productId)
        let customer = query.customerId.map { HistoryKey.customer($0.rawValue) }
        let since = Self.microseconds(now().addingTimeInterval(-configuration.boughtWindow.seconds))
        return try await database.read { connection in
            var ranking = Ranking(limit: query.limit)
            ranking.exclude(item.key)
            if let customer { ranking.exclude(try Self.bought(by: customer, since: since, in: connection)) }
            if item.norm > 0 {
                var scored: [Candidate] = []
                try Self.neighbours(of: item.key, count: Self.productCandidates + ranking.excluded.count, in: connection) { neighbour in
                    guard neighbour.norm > 0 else { return }
                    scored.append(neighbour.with(score: neighbour.strength / (item.norm * neighbour.norm).squareRoot()))
                }
                ranking.take(scored, reason: .boughtTogether)
            }
            if let category = item.category {
                try ranking.take(Self.popular(in: category, ranking: ranking, in: connection), reason: .popularInCategory)
            }
            try ranking.take(Self.popular(in: nil, ranking: ranking, in: connection), reason: .popular)
            return ranking.list
        }
    }

    public func customerRecommendations(_ query: CustomerRecommendationsQuery) async throws -> RecommendationList {
        try Self.check(query.limit)
        let customer = HistoryKey.customer(query.customerId.rawValue)
        let since = Self.microseconds(now().addingTimeInterval(-configuration.boughtWindow.seconds))
        return try await database.read { connection in
            var ranking = Ranking(limit: query.limit)
            ranking.exclude(try Self.bought(by: customer, since: since, in: connection))
            let seeds = try connection.query(
                """
                SELECT s.item, s.weight, i.norm, i.category FROM interest AS s JOIN item AS i ON i.key = s.item
                WHERE s.customer = ? ORDER BY s.last_seq DESC LIMIT ?
                """,
                [customer, Self.seedProducts]
            ).map { row in Seed(item: try row[0], weight: try row[1], norm: try row[2], category: try row[3]) }
            let heaviest = seeds.map(\.weight).max() ?? 0
            if heaviest > 0 {
                // Each candidate's score is its cosine to each seed, weighted by the customer's interest in the seed.
                var totals: [Int64: Candidate] = [:]
                var weights = 0.0
                for seed in seeds where seed.norm > 0 {
                    let share = seed.weight / heaviest
                    weights += share
                    try Self.neighbours(of: seed.item, count: Self.seedCandidates, in: connection) { neighbour in
                        guard neighbour.norm > 0 else { return }
                        let cosine = neighbour.strength / (seed.norm * neighbour.norm).squareRoot()
                        totals[neighbour.key, default: neighbour.with(score: 0)].score += share * cosine
                    }
                }
                if weights > 0 {
                    ranking.take(totals.values.map { $0.with(score: $0.score / weights) }, reason: .forYou)
                }
            }
            var categories: [String] = []
            for seed in seeds {
                guard let category = seed.category, !categories.contains(category) else { continue }
                categories.append(category)
                if categories.count == 3 { break }
            }
            for category in categories {
                try ranking.take(Self.popular(in: category, ranking: ranking, in: connection), reason: .popularInCategory)
            }
            try ranking.take(Self.popular(in: nil, ranking: ranking, in: connection), reason: .popular)
            return ranking.list
        }
    }

    // MARK: - Reading

    /// The limit asked for, checked.
    /// - Throws: ``RecommendationsAPI/RecommendationsError/invalidQuery(_:field:)`` outside 1 to 50.
    static func check(_ limit: Int) throws(RecommendationsError) {
        let maximum = RecommendationsLimits.maximumLimit
        guard (1...maximum).contains(limit) else { throw RecommendationsError.invalidQuery("must be from 1 to \(maximum)", field: "limit") }
    }

    /// The product's row, learning the product from the catalog when the module has not heard of it yet (its event is
    /// on its way), through the catalog events' own upsert.
    /// - Throws: ``RecommendationsAPI/RecommendationsError/productNotFound(_:)`` when the catalog has no such product.
    func knownItem(_ id: ProductID) async throws -> ItemRow {
        guard !id.rawValue.isEmpty else { throw RecommendationsError.productNotFound(id) }
        if let known = try await database.read({ try Self.item(id, in: $0) }) { return known }
        let product: Product
        do {
            product = try await catalog.product(id)
        } catch CatalogError.productNotFound {
            throw RecommendationsError.productNotFound(id)
        }
        return try await database.write { connection in
            try Self.keep(product, in: connection)
            guard let kept = try Self.item(id, in: connection) else { throw RecommendationsError.productNotFound(id) }
            return kept
        }
    }

    /// A product the catalog told the module about, or `nil`.
    static func item(_ id: ProductID, in connection: Connection) throws -> ItemRow? {
        guard
            let row = try connection.queryFirst(
                "SELECT key, category, norm FROM item WHERE product_id = ? AND name IS NOT NULL",
                [id.rawValue]
            )
        else { return nil }
        return ItemRow(key: try row[0], category: try row[1], norm: try row[2])
    }

    /// The products `customer` bought since `since` (microseconds), from the log itself, so a purchase just made is
    /// left out before the learner has folded it.
    static func bought(by customer: String, since: Int64, in connection: Connection) throws -> [Int64] {
        try connection.query(
            "SELECT DISTINCT item FROM interaction WHERE customer = ? AND kind = ? AND at_us >= ?",
            [customer, InteractionKind.purchase.rawValue, since]
        ).map { try $0[0] }
    }

    /// Calls `body` with the `count` strongest neighbours of `item` that can be recommended now.
    static func neighbours(of item: Int64, count: Int, in connection: Connection, _ body: (Candidate) throws -> Void) throws {
        try connection.forEach(
            """
            SELECT p.other, p.strength, i.norm, i.product_id, i.name, i.price_minor, i.currency
            FROM (SELECT other, strength FROM pair WHERE item = ? ORDER BY strength DESC LIMIT ?) AS p
            JOIN item AS i ON i.key = p.other
            WHERE i.eligible = 1
            """,
            [item, count]
        ) { row in
            try body(
                Candidate(
                    key: try row[0],
                    strength: try row[1],
                    norm: try row[2],
                    productId: ProductID(rawValue: try row[3]),
                    name: try row[4],
                    price: Money(minorUnits: try row[5], currency: try row[6]),
                    score: 0
                )
            )
        }
    }

    /// The most popular products that can be recommended now (of `category`, or of the whole shop), enough to fill what
    /// `ranking` still needs; each scored by its popularity relative to the shop's most popular product.
    static func popular(in category: String?, ranking: Ranking, in connection: Connection) throws -> [Candidate] {
        guard ranking.missing > 0 else { return [] }
        let top = try connection.scalar(Double.self, "SELECT popularity FROM item WHERE eligible = 1 ORDER BY popularity DESC LIMIT 1") ?? 0
        let count = ranking.missing + ranking.excluded.count + ranking.chosen.count
        let rows: [Row]
        if let category {
            rows = try connection.query(
                """
                SELECT key, popularity, product_id, name, price_minor, currency FROM item
                WHERE category = ? AND eligible = 1 ORDER BY popularity DESC, product_id LIMIT ?
                """,
                [category, count]
            )
        } else {
            rows = try connection.query(
                """
                SELECT key, popularity, product_id, name, price_minor, currency FROM item
                WHERE eligible = 1 ORDER BY popularity DESC, product_id LIMIT ?
                """,
                [count]
            )
        }
        return try rows.map { row in
            let popularity: Double = try row[1]
            return Candidate(
                key: try row[0],
                strength: popularity,
                norm: 0,
                productId: ProductID(rawValue: try row[2]),
                name: try row[3],
                price: Money(minorUnits: try row[4], currency: try row[5]),
                score: top > 0 ? popularity / top : 0
            )
        }
    }

    // MARK: - Time

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}

extension Duration {
    /// The duration in seconds, as `TimeInterval`.
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// What an answer needs of the product asked about.
struct ItemRow: Sendable {
    let key: Int64
    let category: String?
    let norm: Double
}

/// One of a customer's recent products, seeding "for you".
struct Seed {
    let item: Int64
    let weight: Double
    let norm: Double
    let category: String?
}

/// A product that may be recommended, with what the answer shows of it.
struct Candidate {
    let key: Int64
    let strength: Double
    let norm: Double
    let productId: ProductID
    let name: String
    let price: Money
    var score: Double

    func with(score: Double) -> Candidate {
        var copy = self
        copy.score = score
        return copy
    }
}

/// An answer being assembled: candidates of one strategy after another, best first, each product once, never an
/// excluded one, until the limit is reached.
struct Ranking {
    let limit: Int
    private(set) var excluded: Set<Int64> = []
    private(set) var chosen: [Recommendation] = []
    private var chosenKeys: Set<Int64> = []

    init(limit: Int) {
        self.limit = limit
    }

    /// How many more the answer needs.
    var missing: Int { limit - chosen.count }

    mutating func exclude(_ key: Int64) {
        excluded.insert(key)
    }

    mutating func exclude(_ keys: [Int64]) {
        excluded.formUnion(keys)
    }

    /// Adds the best of `candidates` (by score, rounded to nine decimals so that sums made in another order rank
    /// alike; then by product id) until the answer is full.
    mutating func take(_ candidates: [Candidate], reason: RecommendationReason) {
        guard missing > 0 else { return }
        let rounded = candidates.map { $0.with(score: ($0.score * 1e9).rounded() / 1e9) }
        let ordered = rounded.sorted { a, b in a.score != b.score ? a.score > b.score : a.productId.rawValue < b.productId.rawValue }
        for candidate in ordered where missing > 0 && !excluded.contains(candidate.key) && !chosenKeys.contains(candidate.key) {
            chosenKeys.insert(candidate.key)
            chosen.append(
                Recommendation(productId: candidate.productId, name: candidate.name, price: candidate.price, score: candidate.score, reason: reason)
            )
        }
    }

    /// The answer: its strategy is that of its first item.
    var list: RecommendationList {
        let strategy: RecommendationStrategy =
            switch chosen.first?.reason {
            case .boughtTogether: .boughtTogether
            case .forYou: .forYou
            case .popularInCategory: .popularInCategory
            case .popular, nil: .popular
            }
        return RecommendationList(items: chosen, strategy: strategy)
    }
}
