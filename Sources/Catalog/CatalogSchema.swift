import Storage

/// The catalog's tables, in its own database file.
enum CatalogSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "catalog-1-categories-products",
            sql: """
                CREATE TABLE category (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    parent TEXT REFERENCES category(id)
                );
                CREATE TABLE product (
                    id TEXT PRIMARY KEY NOT NULL,
                    sku TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
                    currency TEXT NOT NULL,
                    images TEXT NOT NULL,
                    attributes TEXT NOT NULL,
                    category TEXT NOT NULL REFERENCES category(id),
                    active INTEGER NOT NULL,
                    version INTEGER NOT NULL
                );
                CREATE INDEX product_category ON product (category, id);
                """
        )
        return migrator
    }
}
