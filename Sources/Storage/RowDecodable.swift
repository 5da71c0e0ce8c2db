/// A type built from one result row.
///
/// ```swift
/// struct Item: RowDecodable {
///     let id: Int64
///     let name: String
///     init(row: Row) throws {
///         id = try row["id"]
///         name = try row["name"]
///     }
/// }
/// let items = try conn.fetchAll(Item.self, "SELECT id, name FROM item ORDER BY id")
/// ```
public protocol RowDecodable {
    /// Decodes one row.
    /// - Throws: usually a ``StorageError`` from the row's typed access.
    init(row: Row) throws
}
