import Foundation
import Storage

/// Folds the interaction log into the aggregates (`interest`, `pair`, `item.popularity`, `item.norm`), in log order,
/// each interaction once: what the learner does after each batch of events, and a rebuild does from the start.
///
/// For an interaction of customer `u` with product `i` at time `t`, with `d = weight(kind) * 2^((t - L) / half-life)`
/// (forward decay from the landmark `L`):
/// - `popularity(i) += d`;
/// - for each product `j` among `u`'s ``recentProducts`` most recent others, the co-occurrences of `(i, j)` and
///   `(j, i)` grow by `d * interest(u, j)`: a co-occurrence is the dot product of the two products' interest columns,
///   restricted to what each customer did lately;
/// - `norm(i) += 2 d interest(u, i) + d²`, so that `norm(i)` is the sum of `interest(u, i)²` over customers;
/// - `interest(u, i) += d`.
///
/// The cosine `co-occurrence(i, j) / sqrt(norm(i) norm(j))` is then in 0...1 and does not depend on the landmark: every
/// term of it is scaled alike, so forward decay needs no rewrite as time passes. When a new interaction is more than
/// ``rebaseExponent`` half-lives past the landmark, every aggregate is scaled down to a new landmark (a rare full
/// update) so the numbers stay far from `Double`'s range.
///
/// Each product keeps only its ``neighbourCapacity`` strongest neighbours, counted with the Space-Saving algorithm
/// (weighted): a new neighbour of a full list replaces the weakest, starting from its count, which it records as its
/// error; `strength - error` is a lower bound of the true co-occurrence, and a neighbour whose co-occurrence is a large
/// share of the product's is never dropped.
///
/// A fold reads what it touches (products, their neighbour lists, the touched customers' recent products) once,
/// applies the interactions one by one in memory, and writes each changed row once with its new value. The result
/// depends only on the log, not on how it was cut into folds: a rebuild gives the same numbers bit for bit.
struct Learning: Sendable {
    /// How many of a customer's most recent other products each interaction is paired with.
    static let recentProducts = 10
    /// How many neighbours each product keeps.
    static let neighbourCapacity = 64
    /// Half-lives past the landmark at which the aggregates are scaled to a new one.
    static let rebaseExponent = 256.0

    /// The half-life in microseconds.
    let halfLife: Double

    /// Folds at most `limit` interactions after the learner's position, in one transaction: the caller's.
    /// - Returns: How many were folded.
    /// - Throws: ``Storage/StorageError``.
    func fold(limit: Int, in connection: Connection) throws -> Int {
        guard let state = try connection.queryFirst("SELECT learned_through, landmark_us FROM learner WHERE id = 1") else { return 0 }
        let through = try state.integer(0)
        var landmark: Int64? = try state[1]
        var rows: [LoggedInteraction] = []
        try connection.forEach(
            "SELECT seq, customer, item, kind, at_us FROM interaction WHERE seq > ? ORDER BY seq LIMIT ?",
            [through, limit]
        ) { row in
            let kind: String = try row[3]
            guard let decoded = InteractionKind(rawValue: kind) else {
                throw UnknownValue(row: "interaction \(try row.integer(0))", column: "kind", value: kind)
            }
            let customer: String? = try row[1]
            rows.append(
                LoggedInteraction(seq: try row.integer(0), customer: customer, item: try row.integer(2), kind: decoded, at: try row.integer(4))
            )
        }
        guard let last = rows.last else { return 0 }
        // Every product this fold changes is marked with the next version of the products.
        let version = try connection.scalar(Int64.self, "SELECT items_version + 1 FROM learner WHERE id = 1") ?? 1
        var fold = Fold()
        for interaction in rows {
            let origin = landmark ?? interaction.at
            var exponent = Double(interaction.at - origin) / halfLife
            if exponent > Self.rebaseExponent {
                try fold.write(version: version, in: connection)
                try rebase(from: origin, to: interaction.at, version: version, in: connection)
                fold = Fold()
                exponent = 0
                landmark = interaction.at
            }
            landmark = landmark ?? origin
            try fold.add(interaction, weight: interaction.kind.weight * exp2(exponent), in: connection)
        }
        try fold.write(version: version, in: connection)
        try connection.execute(
            "UPDATE learner SET learned_through = ?, landmark_us = ?, items_version = ? WHERE id = 1",
            [last.seq, landmark, version]
        )
        return rows.count
    }

    /// Scales every aggregate from the landmark `old` to `new`: interest and popularity by `2^-(new - old)/half-life`,
    /// co-occurrences and norms (products of two interests) by its square.
    private func rebase(from old: Int64, to new: Int64, version: Int64, in connection: Connection) throws {
        let factor = exp2(-Double(new - old) / halfLife)
        let squared = factor * factor
        try connection.execute("UPDATE item SET popularity = popularity * ?, norm = norm * ?, changed = ?", [factor, squared, version])
        try connection.execute("UPDATE interest SET weight = weight * ?", [factor])
        try connection.execute("UPDATE pair SET strength = strength * ?, error = error * ?", [squared, squared])
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

/// A product's neighbours as Space-Saving counts them.
struct Neighbourhood {
    struct Entry: Equatable {
        var strength: Double
        var error: Double
    }

    /// As read from the database.
    let stored: [Int64: Entry]
    /// As the fold leaves them.
    var entries: [Int64: Entry]

    init(stored: [Int64: Entry]) {
        self.stored = stored
        self.entries = stored
    }

    /// Adds `delta` to the co-occurrence with `other`; a newcomer to a full list replaces the weakest neighbour (the
    /// one first heard of, among equals).
    mutating func add(_ delta: Double, to other: Int64) {
        if entries[other] != nil {
            entries[other]?.strength += delta
            return
        }
        guard entries.count >= Learning.neighbourCapacity else {
            entries[other] = Entry(strength: delta, error: 0)
            return
        }
        var weakest: (key: Int64, entry: Entry)?
        for (key, entry) in entries {
            if let current = weakest, (entry.strength, key) >= (current.entry.strength, current.key) { continue }
            weakest = (key, entry)
        }
        guard let weakest else { return }
        entries[weakest.key] = nil
        entries[other] = Entry(strength: weakest.entry.strength + delta, error: weakest.entry.strength)
    }
}

/// The state one fold touches, read once and written once.
private struct Fold {
    struct Interest: Hashable {
        let customer: String
        let item: Int64
    }

    /// A customer's interest in a product as it stands in this fold.
    struct Level {
        var weight: Double
        var lastSeq: Int64
    }

    /// A product's aggregates as they stand in this fold.
    struct Totals {
        var popularity: Double
        var norm: Double
    }

    var totals: [Int64: Totals] = [:]
    var neighbourhoods: [Int64: Neighbourhood] = [:]
    /// The interests read or changed in this fold; `changed` lists those to write.
    var levels: [Interest: Level] = [:]
    var changed: Set<Interest> = []
    /// Each touched customer's most recent products, newest first, at most ``Learning/recentProducts``.
    var recent: [String: [Int64]] = [:]

    mutating func add(_ interaction: LoggedInteraction, weight delta: Double, in connection: Connection) throws {
        var product = try self.totals(of: interaction.item, in: connection)
        product.popularity += delta
        defer { totals[interaction.item] = product }
        guard let customer = interaction.customer else { return }
        let products = try recentProducts(of: customer, in: connection)
        let key = Interest(customer: customer, item: interaction.item)
        let current = try level(key, in: connection)?.weight ?? 0
        for other in products where other != interaction.item {
            guard let level = try level(Interest(customer: customer, item: other), in: connection) else { continue }
            let added = delta * level.weight
            try addCoOccurrence(added, of: interaction.item, with: other, in: connection)
            try addCoOccurrence(added, of: other, with: interaction.item, in: connection)
        }
        product.norm += 2 * delta * current + delta * delta
        levels[key] = Level(weight: current + delta, lastSeq: interaction.seq)
        changed.insert(key)
        var newest = products.filter { $0 != interaction.item }
        newest.insert(interaction.item, at: 0)
        recent[customer] = Array(newest.prefix(Learning.recentProducts))
    }

    private mutating func totals(of item: Int64, in connection: Connection) throws -> Totals {
        if let known = totals[item] { return known }
        let row = try connection.queryFirst("SELECT popularity, norm FROM item WHERE key = ?", [item])
        let loaded = Totals(popularity: try row?.real(0) ?? 0, norm: try row?.real(1) ?? 0)
        totals[item] = loaded
        return loaded
    }

    /// Adds to the co-occurrence of `item` with `other` in `item`'s neighbours, read once per fold.
    private mutating func addCoOccurrence(_ delta: Double, of item: Int64, with other: Int64, in connection: Connection) throws {
        if neighbourhoods[item] == nil {
            var stored: [Int64: Neighbourhood.Entry] = [:]
            try connection.forEach("SELECT other, strength, error FROM pair WHERE item = ?", [item]) { row in
                stored[try row.integer(0)] = Neighbourhood.Entry(strength: try row.real(1), error: try row.real(2))
            }
            neighbourhoods[item] = Neighbourhood(stored: stored)
        }
        neighbourhoods[item]?.add(delta, to: other)
    }

    /// The customer's most recent products, read once per fold.
    private mutating func recentProducts(of customer: String, in connection: Connection) throws -> [Int64] {
        if let known = recent[customer] { return known }
        var products: [Int64] = []
        try connection.forEach(
            "SELECT item, weight, last_seq FROM interest WHERE customer = ? ORDER BY last_seq DESC LIMIT ?",
            [customer, Learning.recentProducts]
        ) { row in
            let item = try row.integer(0)
            products.append(item)
            levels[Interest(customer: customer, item: item)] = Level(weight: try row.real(1), lastSeq: try row.integer(2))
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
        let level = Level(weight: try row.real(0), lastSeq: try row.integer(1))
        levels[key] = level
        return level
    }

    /// Writes every changed row once, with its new value, in key order; products are marked changed in `version`.
    func write(version: Int64, in connection: Connection) throws {
        for item in totals.keys.sorted() {
            guard let product = totals[item] else { continue }
            try connection.execute(
                "UPDATE item SET popularity = ?, norm = ?, changed = ? WHERE key = ?",
                [product.popularity, product.norm, version, item]
            )
        }
        for item in neighbourhoods.keys.sorted() {
            guard let neighbourhood = neighbourhoods[item] else { continue }
            for other in neighbourhood.stored.keys.sorted() where neighbourhood.entries[other] == nil {
                try connection.execute("DELETE FROM pair WHERE item = ? AND other = ?", [item, other])
            }
            for other in neighbourhood.entries.keys.sorted() {
                guard let entry = neighbourhood.entries[other], entry != neighbourhood.stored[other] else { continue }
                try connection.execute(
                    """
                    INSERT INTO pair (item, other, strength, error) VALUES (?, ?, ?, ?)
                    ON CONFLICT (item, other) DO UPDATE SET strength = excluded.strength, error = excluded.error
                    """,
                    [item, other, entry.strength, entry.error]
                )
            }
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

extension Row {
    /// The integer in column `index`, converted without the generic subscript: learning and answers read hundreds of
    /// thousands of values, where the generic conversion's cost showed.
    func integer(_ index: Int) throws -> Int64 {
        guard values.indices.contains(index), let value = Int64(sqlValue: values[index]) else {
            throw UnknownValue(row: "a row of \(columnNames.joined(separator: ", "))", column: "\(index)", value: "not an integer")
        }
        return value
    }

    /// The number in column `index`, converted without the generic subscript.
    func real(_ index: Int) throws -> Double {
        guard values.indices.contains(index), let value = Double(sqlValue: values[index]) else {
            throw UnknownValue(row: "a row of \(columnNames.joined(separator: ", "))", column: "\(index)", value: "not a number")
        }
        return value
    }
}
