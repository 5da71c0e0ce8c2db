import Storage

/// Recommendations' tables, in its own database file.
///
/// - `item`: its copy of the catalog (name, category, price, on sale, version) and of Inventory's availability, kept
///   from their events, with `eligible` (on sale and something available) and two aggregates: `popularity`, the
///   product's decayed interest summed over everyone, and `norm`, the sum over customers of their decayed interest in
///   it squared. A product first named by an order or a cart addition gets a row without a name until the catalog's
///   event arrives. Products are keyed by an integer `key` in the other tables.
/// - `interaction`: the log, one row per purchase (an order line), cart addition and view, the only input of learning
///   and of a rebuild; only purchases are indexed (by customer and time, for what a customer bought lately), so
///   appending a view or a cart addition writes the log's last page and nothing else. `customer` is `c:<customer id>`, `g:<cart id>` for a guest's cart, `x:<random>` once the
///   customer's account was deleted, `NULL` for a guest's view (which counts towards popularity only).
/// - `interest`: per customer and product, their decayed interest (`weight`) and the log position of their latest
///   interaction with it (`last_seq`, for "their most recent products").
/// - `pair`: each product's strongest neighbours, at most ``Learning/neighbourCapacity`` per product, with their
///   decayed co-occurrence `strength` (the sum over customers of their interest in one product times their interest
///   in the other) as counted by the Space-Saving algorithm: a neighbour that comes in when the product's list is
///   full takes the place of the weakest, starting from its strength, which it keeps as `error`; `strength - error`
///   is never more than the true co-occurrence. Both directions are stored, so a product's neighbours are one range of
///   the primary key. The table stays small (at most 64 rows a product), which keeps every fold's writes small; the
///   full matrix would grow with the square of the catalog and be rewritten all over by every fold.
/// - `learner`: how far the log has been folded into the aggregates, the landmark of the forward decay, and
///   `items_version`, moved on by every transaction that changes a product's norm or whether it can be recommended;
///   such a transaction sets the product's `item.changed` to the new version, so a copy in memory of the
///   recommendable products' norms reads only the products changed since its own version.
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
                    norm REAL NOT NULL DEFAULT 0,
                    changed INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX item_changed ON item (changed);
                CREATE INDEX item_popular ON item (popularity DESC) WHERE eligible = 1;
                CREATE INDEX item_category_popular ON item (category, popularity DESC) WHERE eligible = 1;
                CREATE TABLE interaction (
                    seq INTEGER PRIMARY KEY,
                    customer TEXT,
                    item INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('purchase', 'cart', 'view')),
                    at_us INTEGER NOT NULL
                );
                CREATE INDEX interaction_purchase ON interaction (customer, at_us) WHERE kind = 'purchase';
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
                    error REAL NOT NULL,
                    PRIMARY KEY (item, other)
                ) WITHOUT ROWID;
                CREATE TABLE learner (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    learned_through INTEGER NOT NULL,
                    landmark_us INTEGER,
                    items_version INTEGER NOT NULL DEFAULT 0
                );
                INSERT INTO learner (id, learned_through) VALUES (1, 0);
                """
        )
        return migrator
    }
}
