import Foundation
import Storage

/// Folds the interaction log into the aggregates (`interest`, `pair`, `item.popularity`, `item.norm`), in log order,
/// each interaction once: what the learner does after each batch of events, and a rebuild does from the start.
///
/// For an interaction of customer `u` with product `i` at time `t`, with `d = weight(kind) * 2^((t - L) / half-life)`
/// (forward decay from the landmark `L`):
/// - `popularity(i) += d`;
/// - for each product `j` among `u`'s `recentProducts` most recent others: `strength(i, j)` and `strength(j, i)`
///   `+= d * interest(u, j)`, so a strength is the dot product of the two products' interest columns, restricted to
///   what each customer did lately;
/// - `norm(i) += 2 d interest(u, i) + d²`, so that `norm(i)` is the sum of `interest(u, i)²` over customers;
/// - `interest(u, i) += d`.
///
/// The cosine `strength(i, j) / sqrt(norm(i) norm(j))` is then in 0...1 and does not depend on the landmark: every
/// term of it is scaled alike, so forward decay needs no rewrite as time passes. When a new interaction is more than
/// `rebaseExponent` half-lives past the landmark, every aggregate is scaled down to a new landmark (a rare full update,
/// every 256 half-lives) so the numbers stay far from `Double`'s range.
///
/// Each fold works on a copy in memory of what it touches (deltas of pairs and products, the touched customers'
/// recent products) and writes each row once at the end, so a fold of thousands of interactions writes each page of
/// the pair table about once rather than once per interaction.
struct Learning: Sendable {
    /// How many of a customer's most recent other products each interaction is paired with.
    static let recentProducts = 10
    /// Half-lives past the landmark at which the aggregates are scaled to a new one.
    static let rebaseExponent = 256.0

    /// The half-life in microseconds.
    let halfLife: Double

    /// Folds at most `limit` interactions after the learner's position, in one transaction: the caller's.
    /// - Returns: How many were folded.
    /// - Throws: ``Storage/StorageError``.
    func fold(limit: Int, in connection: Connection) throws -> Int {
        guard let state = try connection.queryFirst("SELECT learned_through, landmark_us FROM learner WHERE id = 1") else { return 0 }
        let through: Int64 = try state[0]
        var landmark: Int64? = try state[1]
        var rows: [LoggedInteraction] = []
        try connection.forEach(
            "SELECT seq, customer, item, kind, at_us FROM interaction WHERE seq > ? ORDER BY seq LIMIT ?",
            [through, limit]
        ) { row in
            let kind: String = try row[3]
            guard let decoded = InteractionKind(rawValue: kind) else {
                throw UnknownValue(row: "interaction \(try row[0] as Int64)", column: "kind", value: kind)
            }
            rows.append(LoggedInteraction(seq: try row[0], customer: try row[1], item: try row[2], kind: decoded, at: try row[4]))
        }
        guard let last = rows.last else { return 0 }
        var fold = Fold()
        for interaction in rows {
            let origin = landmark ?? interaction.at
            var exponent = Double(interaction.at - origin) / halfLife
            if exponent > Self.rebaseExponent {
                try fold.write(in: connection)
                try rebase(from: origin, to: interaction.at, in: connection)
                fold = Fold()
                exponent = 0
                landmark = interaction.at
            }
            landmark = landmark ?? origin
            try fold.add(interaction, weight: interaction.kind.weight * exp2(exponent), in: connection)
        }
        try fold.write(in: connection)
        try connection.execute("UPDATE learner SET learned_through = ?, landmark_us = ? WHERE id = 1", [last.seq, landmark])
        return rows.count
    }

    /// Scales every aggregate from the landmark `old` to `new`: interest and popularity by `2^-(new - old)/half-life`,
    /// strengths and norms (products of two interests) by its square.
    private func rebase(from old: Int64, to new: Int64, in connection: Connection) throws {
        let factor = exp2(-Double(new - old) / halfLife)
        let squared = factor * factor
        try connection.execute("UPDATE item SET popularity = popularity * ?, norm = norm * ?", [factor, squared])
        try connection.execute("UPDATE interest SET weight = weight * ?", [factor])
        try connection.execute("UPDATE pair SET strength = strength * ?", [squared])
    }
}

/// One row of the log.
struct LoggedInteraction: Sendable {
    let seq: Int64
    let customer: String?
    let item: Int64
    let kind: InteractionKind
    let at: Int64
}

/// The changes of one fold, kept in memory until they are written.
private struct Fold {
    struct Pair: Hashable, Comparable {
        let item: Int64
        let other: Int64
        static func < (a: Pair, b: Pair) -> Bool { (a.item, a.other) < (b.item, b.other) }
    }

    struct Interest: Hashable {
        let customer: String
        let item: Int64
    }

    /// A customer's interest in a product as it stands in this fold.
    struct Level {
        var weight: Double
        var lastSeq: Int64
    }

    var pairs: [Pair: Double] = [:]
    var popularity: [Int64: Double] = [:]
    var norms: [Int64: Double] = [:]
    /// The interests read or changed in this fold; `changed` lists those to write.
    var levels: [Interest: Level] = [:]
    var changed: Set<Interest> = []
    /// Each touched customer's most recent products, newest first, at most ``Learning/recentProducts``.
    var recent: [String: [Int64]] = [:]

    mutating func add(_ interaction: LoggedInteraction, weight delta: Double, in connection: Connection) throws {
        popularity[interaction.item, default: 0] += delta
        guard let customer = interaction.customer else { return }
        let products = try recentProducts(of: customer, in: connection)
        let key = Interest(customer: customer, item: interaction.item)
        let current = try level(key, in: connection)?.weight ?? 0
        for other in products where other != interaction.item {
            guard let level = try level(Interest(customer: customer, item: other), in: connection) else { continue }
            let added = delta * level.weight
            pairs[Pair(item: interaction.item, other: other), default: 0] += added
            pairs[Pair(item: other, other: interaction.item), default: 0] += added
        }
        norms[interaction.item, default: 0] += 2 * delta * current + delta * delta
        levels[key] = Level(weight: current + delta, lastSeq: interaction.seq)
        changed.insert(key)
        var newest = products.filter { $0 != interaction.item }
        newest.insert(interaction.item, at: 0)
        recent[customer] = Array(newest.prefix(Learning.recentProducts))
    }

    /// The customer's most recent products, read once per fold.
    private mutating func recentProducts(of customer: String, in connection: Connection) throws -> [Int64] {
        if let known = recent[customer] { return known }
        var products: [Int64] = []
        try connection.forEach(
            "SELECT item, weight, last_seq FROM interest WHERE customer = ? ORDER BY last_seq DESC LIMIT ?",
            [customer, Learning.recentProducts]
        ) { row in
            let item: Int64 = try row[0]
            products.append(item)
            levels[Interest(customer: customer, item: item)] = Level(weight: try row[1], lastSeq: try row[2])
        }
        recent[customer] = products
        return products
    }

    /// The customer's interest in a product, or `nil` for none.
    private mutating func level(_ key: Interest, in connection: Connection) throws -> Level? {
        if let known = levels[key] { return known }
        guard
            let row = try connection.queryFirst(
                "SELECT weight, last_seq FROM interest WHERE customer = ? AND item = ?",
                [key.customer, key.item]
            )
        else { return nil }
        let level = Level(weight: try row[0], lastSeq: try row[1])
        levels[key] = level
        return level
    }

    /// Writes every change, each row once, in key order.
    func write(in connection: Connection) throws {
        for pair in pairs.keys.sorted() {
            try connection.execute(
                """
                INSERT INTO pair (item, other, strength) VALUES (?, ?, ?)
                ON CONFLICT (item, other) DO UPDATE SET strength = strength + excluded.strength
                """,
                [pair.item, pair.other, pairs[pair]]
            )
        }
        for item in Set(popularity.keys).union(norms.keys).sorted() {
            try connection.execute(
                "UPDATE item SET popularity = popularity + ?, norm = norm + ? WHERE key = ?",
                [popularity[item] ?? 0, norms[item] ?? 0, item]
            )
        }
        for key in changed.sorted(by: { ($0.customer, $0.item) < ($1.customer, $1.item) }) {
            guard let level = levels[key] else { continue }
            try connection.execute(
                """
                INSERT INTO interest (customer, item, weight, last_seq) VALUES (?, ?, ?, ?)
                ON CONFLICT (customer, item) DO UPDATE SET weight = excluded.weight, last_seq = excluded.last_seq
                """,
                [key.customer, key.item, level.weight, level.lastSeq]
            )
        }
    }
}

/// A value this build does not know in a row: written by a newer build, or damaged.
struct UnknownValue: Error, CustomStringConvertible {
    /// The row, such as `interaction 12`.
    let row: String
    /// The column.
    let column: String
    /// The value found.
    let value: String
    var description: String { "\(row) has the unknown \(column) '\(value)'" }
}
