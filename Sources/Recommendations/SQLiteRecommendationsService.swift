public import CatalogAPI
import Commerce
public import Foundation
import Messaging
import ModuleKit
public import RecommendationsAPI
public import ServiceKit
public import Storage
import Synchronization
public import Telemetry

/// Recommendations over its own SQLite database: an interaction log appended to by event handlers and by reported
/// views, aggregates folded from it in the background (``learnPending(limit:)``), and answers read from the
/// aggregates and the module's own copy of the catalog and of availability.
///
/// Appending is cheap (one small insert per interaction, in the transaction that records the event in the inbox), so
/// the bus is never held up by learning; the learner wakes on such a commit, gathers for a tenth of a second and folds
/// whatever has accumulated, so under load it learns many interactions per commit.
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

    /// How many of a customer's most recent products seed "for you".
    static let seedProducts = 10
    /// Interactions folded per transaction by the learner: a fold holds the writer, so a view reported meanwhile waits
    /// for it; this bounds the wait (about a tenth of a second on the benchmark's machine).
    public static let foldLimit = 2048

    /// The module's database.
    public let database: Database
    let catalog: any CatalogService
    let configuration: Configuration
    let learning: Learning
    let logger: Logger
    let now: @Sendable () -> Date
    /// Woken after every commit that appended to the log: the learner waits on it.
    let appended: WakeSignal
    /// Asks for the database log to be truncated once an erasure has committed.
    let erasures: ErasureLogTruncator.Requests
    /// The norms of the products that can be recommended now, read again when they changed.
    let recommendable: RecommendableProducts
    /// Where folds and rebuilds run, one at a time.
    let learningQueue: DispatchQueue

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
        self.learning = Learning(halfLife: Double(configuration.halfLife.clampedMicroseconds))
        self.logger = logger
        self.now = now
        self.appended = WakeSignal()
        self.erasures = ErasureLogTruncator.Requests()
        self.recommendable = RecommendableProducts()
        self.learningQueue = DispatchQueue(label: "recommendations-learning")
    }

    /// The background service that folds the log into the aggregates a tenth of a second after interactions were
    /// appended (and every 5 seconds on `clock`, in case another process appended); run one only.
    public func learner(clock: any ServiceClock) -> some Service {
        Learner(signal: appended, interval: .seconds(5), gathering: .milliseconds(100), clock: clock) { await learnAll() }
    }

    /// The background service that truncates the database's log after each erasure has committed; run one only.
    public var erasureLogTruncator: some Service {
        ErasureLogTruncator(module: "recommendations", database: database, requests: erasures, logger: logger)
    }

    // MARK: - Learning

    /// Folds at most `limit` interactions of the log into the aggregates, in one transaction.
    /// - Returns: How many were folded; 0 once the aggregates have caught up with the log.
    /// - Throws: ``Storage/StorageError``.
    @discardableResult
    public func learnPending(limit: Int = foldLimit) async throws -> Int {
        let learning = learning
        return try await offThePool { try $0.write { try learning.fold(limit: limit, in: $0) } }
    }

    /// Runs `body` on the database on a thread of its own rather than the cooperative pool: a fold or a rebuild holds
    /// its thread for as long as the transaction lasts, which on a pool of two threads would stall every request.
    private func offThePool<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let database = database
        let queue = learningQueue
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(database) }) }
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
        var report = try await offThePool { database in try database.write { try Self.rebuild(with: learning, in: $0) } }
        report.seconds = (clock.now - start) / .seconds(1)
        logger.info(
            "recommendations rebuilt from the interaction log",
            metadata: ["interactions": "\(report.interactions)", "pairs": "\(report.pairs)", "seconds": "\(report.seconds)"]
        )
        return report
    }

    /// Deletes the aggregates and folds the whole log again, in the caller's transaction.
    /// - Returns: What was rebuilt; `seconds` is the caller's to fill in.
    private static func rebuild(with learning: Learning, in connection: Connection) throws -> RebuildReport {
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
        // Every product was zeroed first: the copies of the norms read them all again.
        try connection.execute("UPDATE learner SET items_version = items_version + 1 WHERE id = 1")
        try connection.execute("UPDATE item SET changed = (SELECT items_version FROM learner WHERE id = 1)")
        return RebuildReport(
            interactions: interactions,
            products: try connection.scalar(Int.self, "SELECT count(*) FROM item WHERE popularity > 0") ?? 0,
            customers: try connection.scalar(Int.self, "SELECT count(DISTINCT customer) FROM interest") ?? 0,
            pairs: try connection.scalar(Int.self, "SELECT count(*) FROM pair") ?? 0,
            seconds: 0
        )
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
        let since = Self.microseconds(now().addingTimeInterval(-(configuration.boughtWindow / .seconds(1))))
        return try await database.read { connection in
            var ranking = Ranking(limit: query.limit)
            ranking.exclude(item.key)
            if let customer { ranking.exclude(try Self.bought(by: customer, since: since, in: connection)) }
            if item.norm > 0 {
                var scored: [(key: Int64, score: Double)] = []
                try Self.neighbours(of: item.key, among: try recommendable.norms(in: connection), in: connection) { other, strength, norm in
                    scored.append((other, strength / (item.norm * norm).squareRoot()))
                }
                ranking.take(scored, reason: .boughtTogether)
            }
            if let category = item.category {
                try ranking.take(Self.popular(in: category, for: ranking, in: connection), reason: .popularInCategory)
            }
            try ranking.take(Self.popular(in: nil, for: ranking, in: connection), reason: .popular)
            return try ranking.list(in: connection)
        }
    }

    public func customerRecommendations(_ query: CustomerRecommendationsQuery) async throws -> RecommendationList {
        try Self.check(query.limit)
        let customer = HistoryKey.customer(query.customerId.rawValue)
        let since = Self.microseconds(now().addingTimeInterval(-(configuration.boughtWindow / .seconds(1))))
        return try await database.read { connection in
            var ranking = Ranking(limit: query.limit)
            ranking.exclude(try Self.bought(by: customer, since: since, in: connection))
            let seeds = try connection.query(
                """
                SELECT s.item, s.weight, i.norm, i.category FROM interest AS s JOIN item AS i ON i.key = s.item
                WHERE s.customer = ? ORDER BY s.last_seq DESC LIMIT ?
                """,
                [customer, Self.seedProducts]
            ).map { row in Seed(item: try row.integer(0), weight: try row.real(1), norm: try row.real(2), category: try row[3]) }
            let heaviest = seeds.map(\.weight).max() ?? 0
            if heaviest > 0 {
                // Each candidate's score is its cosine to each seed, weighted by the customer's interest in the seed.
                var totals: [Int64: Double] = [:]
                var weights = 0.0
                let norms = try recommendable.norms(in: connection)
                for seed in seeds where seed.norm > 0 {
                    let share = seed.weight / heaviest
                    weights += share
                    try Self.neighbours(of: seed.item, among: norms, in: connection) { other, strength, norm in
                        totals[other, default: 0] += share * strength / (seed.norm * norm).squareRoot()
                    }
                }
                if weights > 0 { ranking.take(totals.map { ($0.key, $0.value / weights) }, reason: .forYou) }
            }
            var categories: [String] = []
            for seed in seeds {
                guard let category = seed.category, !categories.contains(category) else { continue }
                categories.append(category)
                if categories.count == 3 { break }
            }
            for category in categories {
                try ranking.take(Self.popular(in: category, for: ranking, in: connection), reason: .popularInCategory)
            }
            try ranking.take(Self.popular(in: nil, for: ranking, in: connection), reason: .popular)
            return try ranking.list(in: connection)
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
            "SELECT DISTINCT item FROM interaction WHERE customer = ? AND kind = 'purchase' AND at_us >= ?",
            [customer, since]
        ).map { try $0[0] }
    }

    /// Calls `body` with each neighbour of `item` that can be recommended now: its key, the lower bound of its
    /// co-occurrence with `item`, and its norm (when positive).
    static func neighbours(
        of item: Int64,
        among norms: [Int64: Double],
        in connection: Connection,
        _ body: (Int64, Double, Double) throws -> Void
    ) throws {
        try connection.forEach("SELECT other, strength - error FROM pair WHERE item = ?", [item]) { row in
            let other = try row.integer(0)
            guard let norm = norms[other] else { return }
            try body(other, try row.real(1), norm)
        }
    }

    /// The most popular products that can be recommended now (of `category`, or of the whole shop), enough to fill what
    /// `ranking` still needs; each scored by its popularity relative to the shop's most popular product.
    static func popular(in category: String?, for ranking: Ranking, in connection: Connection) throws -> [(key: Int64, score: Double)] {
        guard ranking.missing > 0 else { return [] }
        let top = try connection.scalar(Double.self, "SELECT popularity FROM item WHERE eligible = 1 ORDER BY popularity DESC LIMIT 1") ?? 0
        let count = ranking.missing + ranking.excluded.count + ranking.chosenCount
        let rows: [Row]
        if let category {
            rows = try connection.query(
                "SELECT key, popularity FROM item WHERE category = ? AND eligible = 1 ORDER BY popularity DESC, key LIMIT ?",
                [category, count]
            )
        } else {
            rows = try connection.query("SELECT key, popularity FROM item WHERE eligible = 1 ORDER BY popularity DESC, key LIMIT ?", [count])
        }
        return try rows.map { row in
            let popularity: Double = try row[1]
            return (try row[0], top > 0 ? popularity / top : 0)
        }
    }

    // MARK: - Time

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

}

/// The norms of the products that can be recommended now (on sale, something available, some interest), kept in memory
/// between answers and brought up to date from the products whose `changed` is newer than the copy's version: an
/// answer scores a few hundred neighbours, and looking each one up in the `item` table cost as much as reading the
/// neighbours themselves. The copy is checked in each answer's own read transaction, so every instance over the file
/// follows every write; a copy newer than an answer's snapshot is used as it is.
final class RecommendableProducts: Sendable {
    private struct Copy {
        var version: Int64
        var norms: [Int64: Double]
    }

    private let copy = Mutex<Copy?>(nil)

    /// The norms by product key, as of `connection`'s transaction (or newer).
    func norms(in connection: Connection) throws -> [Int64: Double] {
        let version = try connection.scalar(Int64.self, "SELECT items_version FROM learner WHERE id = 1") ?? 0
        let current = copy.withLock { $0 }
        if let current, current.version >= version { return current.norms }
        var norms = current?.norms ?? [:]
        try connection.forEach("SELECT key, norm, eligible FROM item WHERE changed > ?", [current?.version ?? -1]) { row in
            let key = try row.integer(0)
            let norm = try row.real(1)
            norms[key] = try row.integer(2) == 1 && norm > 0 ? norm : nil
        }
        copy.withLock { stored in
            if (stored?.version ?? -1) < version { stored = Copy(version: version, norms: norms) }
        }
        return norms
    }
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

/// An answer being assembled: candidates of one strategy after another, best first, each product once, never an
/// excluded one, until the limit is reached. Candidates are products' keys with scores; what is shown of the chosen is
/// read at the end.
struct Ranking {
    let limit: Int
    private(set) var excluded: Set<Int64> = []
    private var chosen: [(key: Int64, score: Double, reason: RecommendationReason)] = []
    private var chosenKeys: Set<Int64> = []

    init(limit: Int) {
        self.limit = limit
    }

    /// How many more the answer needs.
    var missing: Int { limit - chosen.count }
    /// How many it has.
    var chosenCount: Int { chosen.count }

    mutating func exclude(_ key: Int64) {
        excluded.insert(key)
    }

    mutating func exclude(_ keys: [Int64]) {
        excluded.formUnion(keys)
    }

    /// Adds the best of `candidates` (by score, rounded to nine decimals so that sums made in another order rank alike;
    /// then by the order the module first heard of the products) until the answer is full.
    mutating func take(_ candidates: [(key: Int64, score: Double)], reason: RecommendationReason) {
        guard missing > 0 else { return }
        let excluded = excluded.union(chosenKeys)
        let ordered = candidates.filter { !excluded.contains($0.key) }
            .map { (key: $0.key, score: ($0.score * 1e9).rounded() / 1e9) }
            .sorted { a, b in a.score != b.score ? a.score > b.score : a.key < b.key }
        for candidate in ordered.prefix(missing) {
            chosenKeys.insert(candidate.key)
            chosen.append((candidate.key, candidate.score, reason))
        }
    }

    /// The answer, with what the shop shows of each product; its strategy is that of its first item.
    func list(in connection: Connection) throws -> RecommendationList {
        let items = try chosen.map { choice in
            guard
                let row = try connection.queryFirst("SELECT product_id, name, price_minor, currency FROM item WHERE key = ?", [choice.key])
            else { throw UnknownValue(row: "item \(choice.key)", column: "key", value: "missing") }
            return Recommendation(
                productId: ProductID(rawValue: try row[0]),
                name: try row[1],
                price: Money(minorUnits: try row[2], currency: try row[3]),
                score: choice.score,
                reason: choice.reason
            )
        }
        let strategy: RecommendationStrategy =
            switch items.first?.reason {
            case .boughtTogether: .boughtTogether
            case .forYou: .forYou
            case .popularInCategory: .popularInCategory
            case .popular, nil: .popular
            }
        return RecommendationList(items: items, strategy: strategy)
    }
}
