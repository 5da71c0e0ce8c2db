import Storage
import Testing

@Suite struct FullTextTokenizerTests {
    @Test func stemsFoldsAndKeepsOffsetsLikeFTS5() throws {
        let tokenizer = try FullTextTokenizer("porter unicode61 remove_diacritics 2")
        let text = "Crème Brûlée: Running SHOES"
        let tokens = tokenizer.tokens(in: text)
        #expect(tokens.map(\.term) == ["creme", "brule", "run", "shoe"])
        let bytes = Array(text.utf8)
        #expect(tokens.map { String(decoding: bytes[$0.range], as: UTF8.self) } == ["Crème", "Brûlée", "Running", "SHOES"])
        #expect(tokenizer.tokens(in: "").isEmpty)
        #expect(tokenizer.tokens(in: " ,; ").isEmpty)
    }

    @Test func termsAreTheOnesAnFTS5TableStores() throws {
        let specification = "porter unicode61 remove_diacritics 2"
        let tokenizer = try FullTextTokenizer(specification)
        let database = try Database.inMemory()
        let text = "Généralisations of the agreed-upon Ünïcode running-shoes, 42 × wi‑fi"
        let stored = try database.write { connection in
            try connection.executeScript(
                """
                CREATE VIRTUAL TABLE t USING fts5(body, tokenize = '\(specification)');
                CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);
                """
            )
            try connection.execute("INSERT INTO t (body) VALUES (?)", [text])
            return try connection.query("SELECT term FROM v ORDER BY offset").map { try $0["term"] as String }
        }
        #expect(tokenizer.tokens(in: text).map(\.term) == stored)
    }

    @Test func refusesUnknownTokenizersAndQuotedArguments() throws {
        #expect(throws: StorageError.self) { try FullTextTokenizer("nonesuch") }
        #expect(throws: StorageError.self) { try FullTextTokenizer("unicode61 remove_diacritics 7") }
        #expect(throws: StorageError.self) { try FullTextTokenizer("'porter'") }
        #expect(throws: StorageError.self) { try FullTextTokenizer("") }
    }

    @Test func servesConcurrentCallers() async throws {
        let tokenizer = try FullTextTokenizer("porter unicode61")
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { (0..<200).reduce(0) { sum, _ in sum + tokenizer.tokens(in: "one two three four").count } } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 800, count: 8))
    }
}
