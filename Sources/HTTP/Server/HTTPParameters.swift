/// Ordered name/value pairs: the path parameters a route captured or the query parameters of a target, both
/// percent-decoded.
///
/// ```swift
/// router.get("/products/{id}") { request, _ in
///     let id = request.pathParameters["id"]!             // "p 7" for /products/p%207
///     let page = request.queryParameters["page"] ?? "1"  // ?page=2
///     ...
/// }
/// ```
public struct HTTPParameters: RandomAccessCollection, Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// A parameter: its name and its decoded value.
    public typealias Element = (name: String, value: String)
    /// Positions are offsets from the first parameter.
    public typealias Index = Int

    private struct Pair: Hashable, Sendable {
        var name: String
        var value: String
    }

    private var pairs: [Pair]

    /// Creates an empty list.
    public init() {
        pairs = []
    }

    /// Creates a list from a literal such as `["id": "p7"]`, keeping the order written.
    /// - Parameter elements: Name/value pairs; repeated names are kept.
    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { Pair(name: $0.0, value: $0.1) }
    }

    /// The position of the first parameter.
    public var startIndex: Int { 0 }
    /// The position one past the last parameter.
    public var endIndex: Int { pairs.count }

    /// The parameter at `position`.
    /// - Parameter position: A valid index.
    public subscript(position: Int) -> Element {
        (pairs[position].name, pairs[position].value)
    }

    /// The value of the first parameter named `name` (case-sensitively), or `nil`.
    /// - Parameter name: The parameter name.
    public subscript(name: String) -> String? {
        for pair in pairs where pair.name == name {
            return pair.value
        }
        return nil
    }

    /// Every value of the parameters named `name`, in order: `?tag=a&tag=b` gives `["a", "b"]`.
    /// - Parameter name: The parameter name.
    public func values(for name: String) -> [String] {
        pairs.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Appends a parameter, even if the name is already present.
    /// - Parameters:
    ///   - name: The parameter name.
    ///   - value: The decoded value.
    public mutating func append(name: String, value: String) {
        pairs.append(Pair(name: name, value: value))
    }
}
