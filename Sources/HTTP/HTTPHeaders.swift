/// An ordered list of header (or trailer) fields with case-insensitive name lookup.
///
/// Fields keep the order and the spelling of the name they arrived with; repeated names stay separate entries, so
/// `Set-Cookie` and friends survive a round trip. Lookups compare names ASCII case-insensitively with a linear scan,
/// which beats hashing for the dozen or so fields a request carries.
///
/// ```swift
/// var headers: HTTPHeaders = ["Content-Type": "application/json"]
/// headers.add(name: "Cache-Control", value: "no-store")
/// headers.first(name: "content-type")  // "application/json"
/// ```
public struct HTTPHeaders: RandomAccessCollection, Hashable, Sendable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// A field: its name as sent and its value with surrounding whitespace removed.
    public typealias Element = (name: String, value: String)
    /// Positions are offsets from the first field.
    public typealias Index = Int

    private struct Field: Hashable, Sendable {
        var name: String
        var value: String
    }

    private var fields: [Field]

    /// Creates an empty list.
    public init() {
        fields = []
    }

    /// Creates a list from fields in order.
    /// - Parameter fields: Name/value pairs; repeated names are kept as separate fields.
    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    /// Creates a list from a literal such as `["Host": "example.com"]`, keeping the order written.
    /// - Parameter elements: Name/value pairs; repeated names are kept as separate fields.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    init(minimumCapacity: Int) {
        fields = []
        fields.reserveCapacity(minimumCapacity)
    }

    /// The position of the first field.
    public var startIndex: Int { 0 }
    /// The position one past the last field.
    public var endIndex: Int { fields.count }

    /// The field at `position`.
    /// - Parameter position: A valid index.
    public subscript(position: Int) -> Element {
        let field = fields[position]
        return (field.name, field.value)
    }

    /// The value of the first field named `name` (case-insensitively), or `nil` if there is none.
    /// - Parameter name: The field name, in any case.
    public func first(name: String) -> String? {
        for field in fields where Self.namesEqual(field.name, name) {
            return field.value
        }
        return nil
    }

    /// The values of every field named `name` (case-insensitively), in order.
    /// - Parameter name: The field name, in any case.
    public func values(name: String) -> [String] {
        fields.compactMap { Self.namesEqual($0.name, name) ? $0.value : nil }
    }

    /// Whether a field named `name` (case-insensitively) is present.
    /// - Parameter name: The field name, in any case.
    public func contains(name: String) -> Bool {
        fields.contains { Self.namesEqual($0.name, name) }
    }

    /// Appends a field after the existing ones, even if the name is already present.
    /// - Parameters:
    ///   - name: The field name; it must be a token to be serialised.
    ///   - value: The field value.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces the first field named `name` and removes any others, or appends the field if there is none.
    /// - Parameters:
    ///   - name: The field name, in any case; a replaced field takes this spelling.
    ///   - value: The new value.
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let index = fields.firstIndex(where: { Self.namesEqual($0.name, name) }) else {
            add(name: name, value: value)
            return
        }
        fields[index] = Field(name: name, value: value)
        var other = fields.index(after: index)
        while other < fields.endIndex {
            if Self.namesEqual(fields[other].name, name) {
                fields.remove(at: other)
            } else {
                other += 1
            }
        }
    }

    /// Removes every field named `name` (case-insensitively).
    /// - Parameter name: The field name, in any case.
    public mutating func remove(name: String) {
        fields.removeAll { Self.namesEqual($0.name, name) }
    }

    /// The fields as `name: value` pairs, for logs and test failures.
    public var description: String {
        "[" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }

    /// ASCII case-insensitive comparison, the equality of field names (RFC 9110 §5.1).
    static func namesEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        for (a, b) in zip(left, right) where a != b {
            guard ASCII.lowercased(a) == ASCII.lowercased(b) else { return false }
        }
        return true
    }
}

extension HTTPHeaders {
    /// `value` without leading and trailing spaces and tabs (RFC 9110's optional whitespace), for reading the
    /// elements of list-valued fields such as `Connection` or `If-None-Match`.
    public static func trimmingWhitespace(_ value: Substring) -> Substring {
        var text = value
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
