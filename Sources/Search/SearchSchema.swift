import Storage

/// The search index's tables, in its own database file: the documents and their FTS5 word index.
///
/// A document is updated in place, keeping its rowid, and a deactivated product's row stays as a tombstone
/// (`active = 0`, no row in `document_text`); every write gives the row the next `seq`, so a copy of the index
/// in memory catches up by reading the rows whose `seq` is newer than its own (see `WordIndexCache`).
enum SearchSchema {
    /// How FTS5 splits text into terms: Unicode words, case and diacritics folded, English stems.
    static let tokenizer = "porter \(plainTokenizer)"
    /// The same without stemming: the words as typed, for typo tolerance.
    static let plainTokenizer = "unicode61 remove_diacritics 2"

    static var migrator: Migrator {
        var migrator = Migrator()
        migrator.add(
            "search-1-documents",
            sql: """
                CREATE TABLE document (
                    rowid INTEGER PRIMARY KEY,
                    product_id TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    category TEXT NOT NULL,
                    price_minor INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    version INTEGER NOT NULL
                );
                CREATE VIRTUAL TABLE document_text USING fts5(name, description, tokenize = '\(tokenizer)');
                CREATE VIRTUAL TABLE document_trigram USING fts5(name, tokenize = 'trigram');
                """
        )
        migrator.add(
            "search-2-word-index-in-memory",
            sql: """
                ALTER TABLE document ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE document ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX document_by_seq ON document (seq);
                DROP TABLE document_trigram;
                CREATE VIRTUAL TABLE document_term USING fts5vocab(document_text, instance);
                """
        )
        // What Inventory last said of a product's stock: a read model kept from its events, which may arrive
        // before the product's own; a document reads it by product id.
        migrator.add(
            "search-3-availability",
            sql: """
                CREATE TABLE availability (
                    product_id TEXT PRIMARY KEY NOT NULL,
                    status TEXT NOT NULL,
                    available INTEGER NOT NULL
                );
                """
        )
        return migrator
    }
}
