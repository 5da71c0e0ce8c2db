internal import CSQLite
import Foundation
import Synchronization

/// One of SQLite's FTS5 tokenizers, used outside any table: it splits text into exactly the terms an FTS5 table
/// with the same `tokenize` option stores, so code that keeps its own word index agrees with FTS5 on what a word
/// is (case folding, diacritics, stemming).
///
/// ```swift
/// let tokenizer = try FullTextTokenizer("porter unicode61 remove_diacritics 2")
/// tokenizer.tokens(in: "Running Shoes").map(\.term)  // ["run", "shoe"]
/// ```
///
/// The tokenizer runs on a private in-memory connection; calls are serialised, since FTS5 tokenizers keep
/// scratch buffers.
public final class FullTextTokenizer: Sendable {
    /// One term and where its text is.
    public struct Token: Sendable, Hashable {
        /// The term as FTS5 indexes it.
        public var term: String
        /// The UTF-8 byte offsets of the text the term came from.
        public var range: Range<Int>

        /// Creates a token.
        public init(term: String, range: Range<Int>) {
            self.term = term
            self.range = range
        }
    }

    /// What the text is, which some tokenizers treat differently (FTS5's `FTS5_TOKENIZE_*` flags).
    public enum Purpose: Sendable {
        /// Text being indexed.
        case document
        /// A word of a query.
        case query
        /// A word of a query that also matches as a prefix.
        case prefixQuery
    }

    /// The `tokenize` option this tokenizer was made from.
    public let specification: String
    private let state: Mutex<TokenizerState>

    /// Creates the tokenizer an FTS5 table declared with `tokenize = '<specification>'` uses: a tokenizer name
    /// followed by its arguments, separated by spaces.
    /// - Throws: ``StorageError`` when SQLite has no such tokenizer or refuses its arguments.
    public init(_ specification: String) throws {
        let words = specification.split(separator: " ").map(String.init)
        guard let name = words.first, !specification.contains("'"), !specification.contains("\"") else {
            throw StorageError(
                kind: .invalidArguments,
                message: "a tokenizer is a name and arguments separated by spaces, without quotes; got '\(specification)'"
            )
        }
        self.specification = specification
        self.state = Mutex(try TokenizerState(name: name, arguments: Array(words.dropFirst())))
    }

    /// The tokens of `text`, in order.
    public func tokens(in text: String, for purpose: Purpose = .document) -> [Token] {
        let flags =
            switch purpose {
            case .document: FTS5_TOKENIZE_DOCUMENT
            case .query: FTS5_TOKENIZE_QUERY
            case .prefixQuery: FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX
            }
        return state.withLock { $0.tokenize(text, flags: flags) }
    }
}

/// The C side: a connection (FTS5's tokenizers are registered per connection) and one tokenizer instance.
private struct TokenizerState: ~Copyable {
    let connection: OpaquePointer
    let methods: fts5_tokenizer
    let instance: OpaquePointer

    init(name: String, arguments: [String]) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(":memory:", &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            if let handle { sqlite3_close_v2(handle) }
            throw StorageError(kind: .sqlite, message: "cannot open a connection for the FTS5 tokenizer")
        }
        do {
            let api = try Self.fts5API(handle)
            var context: UnsafeMutableRawPointer?
            var methods = fts5_tokenizer()
            guard let find = api.pointee.xFindTokenizer, find(api, name, &context, &methods) == SQLITE_OK,
                let create = methods.xCreate
            else { throw StorageError(kind: .invalidArguments, message: "SQLite has no FTS5 tokenizer named '\(name)'") }
            let cArguments = arguments.map { UnsafePointer(strdup($0)) }
            defer { for argument in cArguments { free(UnsafeMutablePointer(mutating: argument)) } }
            var instance: OpaquePointer?
            let code = cArguments.withUnsafeBufferPointer { buffer in
                create(context, UnsafeMutablePointer(mutating: buffer.baseAddress), Int32(buffer.count), &instance)
            }
            guard code == SQLITE_OK, let instance else {
                throw StorageError(
                    kind: .invalidArguments,
                    resultCode: SQLiteResultCode(rawValue: code),
                    message: "the FTS5 tokenizer '\(name)' refused the arguments \(arguments)"
                )
            }
            self.connection = handle
            self.methods = methods
            self.instance = instance
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
    }

    deinit {
        methods.xDelete?(instance)
        sqlite3_close_v2(connection)
    }

    /// FTS5's API object, fetched the documented way: `SELECT fts5(?1)` with a pointer bound to the parameter.
    private static func fts5API(_ handle: OpaquePointer) throws -> UnsafeMutablePointer<fts5_api> {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK, let statement else {
            throw StorageError(kind: .sqlite, message: "this SQLite has no FTS5")
        }
        defer { sqlite3_finalize(statement) }
        var api: UnsafeMutablePointer<fts5_api>?
        let code = withUnsafeMutablePointer(to: &api) { pointer in
            // The type name must stay valid until the statement has run.
            "fts5_api_ptr".withCString { type in
                sqlite3_bind_pointer(statement, 1, pointer, type, nil)
                return sqlite3_step(statement)
            }
        }
        guard code == SQLITE_ROW, let api else { throw StorageError(kind: .sqlite, message: "this SQLite has no FTS5") }
        return api
    }

    func tokenize(_ text: String, flags: Int32) -> [FullTextTokenizer.Token] {
        guard !text.isEmpty else { return [] }
        var tokens: [FullTextTokenizer.Token] = []
        var text = text
        text.withUTF8 { bytes in
            withUnsafeMutablePointer(to: &tokens) { collector in
                bytes.withMemoryRebound(to: CChar.self) { characters in
                    _ = methods.xTokenize?(instance, collector, flags, characters.baseAddress, Int32(characters.count)) {
                        context,
                        _,
                        term,
                        length,
                        start,
                        end in
                        guard let context, let term else { return SQLITE_OK }
                        let tokens = context.assumingMemoryBound(to: [FullTextTokenizer.Token].self)
                        let bytes = UnsafeRawBufferPointer(start: term, count: Int(length))
                        tokens.pointee.append(.init(term: String(decoding: bytes, as: UTF8.self), range: Int(start)..<Int(end)))
                        return SQLITE_OK
                    }
                }
            }
        }
        return tokens
    }
}
