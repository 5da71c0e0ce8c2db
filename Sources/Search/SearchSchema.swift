import Messaging
import Storage

/// The search index's tables, in its own database file: the documents, a word index and a trigram index.
enum SearchSchema {
    static var migrator: Migrator {
        var migrator = Migrator()
        MessagingSchema.register(in: &migrator)
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
                CREATE VIRTUAL TABLE document_text USING fts5(name, description, tokenize = 'porter unicode61 remove_diacritics 2');
                CREATE VIRTUAL TABLE document_trigram USING fts5(name, tokenize = 'trigram');
                """
        )
        return migrator
    }
}
