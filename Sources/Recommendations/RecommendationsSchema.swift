import Storage

/// Recommendations' tables, in its own database file.
///
/// - `item`: its copy of the catalog (name, category, price, on sale, version) and of Inventory's availability, kept
///   from their events, with `eligible` (on sale and something available) and two aggregates: `popularity`, the
///   product's decayed interest summed over everyone, and `norm`, the sum over customers of their decayed interest in
///   it squared. A product first named by an order or a cart addition gets a row without a name until the catalog's
///   event arrives. Products are keyed by an integer `key` in the other tables.
/// - `interaction`: the log, one row per purchase (an order line), cart addition and view, the only input of learning
///   and of a rebuild. `customer` is `c:<customer id>`, `g:<cart id>` for a guest's cart, `x:<random>` once the
///   customer's account was deleted, `NULL` for a guest's view (which counts towards popularity only).
/// - `interest`: per customer and product, their decayed interest (`weight`) and the log position of their latest
///   interaction with it (`last_seq`, for "their most recent products").
/// - `pair`: per ordered pair of products, the decayed co-occurrence `strength`: the sum over customers of their
///   interest in one times their interest in the other (both directions are stored, so a product's neighbours are one
///   range of the primary key; `pair_strongest` serves its strongest neighbours first).
/// - `learner`: how far the log has been folded into the aggregates, and the landmark of the forward decay.
///
/// The aggregates use forward decay: an interaction at time `t` adds `weight(kind) * 2^((t - landmark) / half-life)`,
/// so nothing stored is ever rewritten as time passes (an answer's ranking does not change with the clock, only
/// with new interactions), and older interactions weigh less than newer ones as they should.
enum RecommendationsSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "recommendations-1-items-log-aggregates",
            sql: """
                CREATE TABLE item (
                    key INTEGER PRIMARY KEY,
                    product_id TEXT NOT NULL UNIQUE,
                    name TEXT,
                    category TEXT,
                    price_minor INTEGER,
                    currency TEXT,
                    active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
                    version INTEGER NOT NULL DEFAULT 0,
                    available INTEGER,
                    eligible INTEGER NOT NULL DEFAULT 0 CHECK (eligible IN (0, 1)),
                    popularity REAL NOT NULL DEFAULT 0,
                    norm REAL NOT NULL DEFAULT 0
                );
                CREATE INDEX item_popular ON item (popularity DESC, product_id) WHERE eligible = 1;
                CREATE INDEX item_category_popular ON item (category, popularity DESC, product_id) WHERE eligible = 1;
                CREATE TABLE interaction (
                    seq INTEGER PRIMARY KEY,
                    customer TEXT,
                    item INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('purchase', 'cart', 'view')),
                    at_us INTEGER NOT NULL
                );
                CREATE INDEX interaction_customer ON interaction (customer, kind, at_us);
                CREATE TABLE interest (
                    customer TEXT NOT NULL,
                    item INTEGER NOT NULL,
                    weight REAL NOT NULL,
                    last_seq INTEGER NOT NULL,
                    PRIMARY KEY (customer, item)
                ) WITHOUT ROWID;
                CREATE INDEX interest_recent ON interest (customer, last_seq DESC);
                CREATE TABLE pair (
                    item INTEGER NOT NULL,
                    other INTEGER NOT NULL,
                    strength REAL NOT NULL,
                    PRIMARY KEY (item, other)
                ) WITHOUT ROWID;
                CREATE INDEX pair_strongest ON pair (item, strength DESC);
                CREATE TABLE learner (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    learned_through INTEGER NOT NULL,
                    landmark_us INTEGER
                );
                INSERT INTO learner (id, learned_through) VALUES (1, 0);
                """
        )
        return migrator
    }
}
