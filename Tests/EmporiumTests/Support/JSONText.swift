/// A JSON value written byte for byte as a test wants it, including what an encoder never writes: members in a
/// given order or twice, number literals such as `1e400`, and bytes that are not UTF-8 inside a string.
///
/// ```swift
/// let body: JSONText = ["productId": "p-00001", "quantity": 1]
/// body.replacing(["quantity"], with: .literal("1e400")).bytes   // {"productId":"p-00001","quantity":1e400}
/// ```
indirect enum JSONText: Sendable, Hashable, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
    /// Members in this order; a name may appear twice.
    case object([Member])
    case array([JSONText])
    case string(String)
    /// A number or any other text written as it is (`1e400`, `-0`, `null`).
    case literal(String)
    /// A string whose content is these bytes, written unescaped (for bytes that are not UTF-8).
    case rawString([UInt8])

    struct Member: Sendable, Hashable {
        /// The member's name as bytes, so that a name can be invalid UTF-8 too.
        var name: [UInt8]
        var value: JSONText
    }

    init(dictionaryLiteral elements: (String, JSONText)...) {
        self = .object(elements.map { Member(name: Array($0.0.utf8), value: $0.1) })
    }

    init(arrayLiteral elements: JSONText...) { self = .array(elements) }
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .literal(String(value)) }
    init(booleanLiteral value: Bool) { self = .literal(value ? "true" : "false") }

    /// The JSON text.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.quoted(member.name, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let text):
            Self.quoted(Array(text.utf8), into: &out)
        case .literal(let text):
            out += Array(text.utf8)
        case .rawString(let raw):
            out.append(UInt8(ascii: "\""))
            out += raw
            out.append(UInt8(ascii: "\""))
        }
    }

    /// `bytes` as a JSON string: quotes, backslashes and control characters escaped, everything else as it is.
    private static func quoted(_ bytes: [UInt8], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// This value with the value at `path` (member names, or array indices as decimal text) replaced by `value`;
    /// unchanged when nothing is at `path`.
    func replacing(_ path: [String], with value: JSONText) -> JSONText {
        guard let first = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch self {
        case .object(let members):
            return .object(members.map { $0.name == Array(first.utf8) ? Member(name: $0.name, value: $0.value.replacing(rest, with: value)) : $0 })
        case .array(let elements):
            guard let index = Int(first), elements.indices.contains(index) else { return self }
            var changed = elements
            changed[index] = elements[index].replacing(rest, with: value)
            return .array(changed)
        default:
            return self
        }
    }

    /// An object with its first member written twice (the second time with `value`); any other value unchanged.
    func duplicatingFirstMember(as value: JSONText) -> JSONText {
        guard case .object(let members) = self, let first = members.first else { return self }
        return .object(members + [Member(name: first.name, value: value)])
    }

    /// An object whose first member's name is `name`; any other value unchanged.
    func renamingFirstMember(to name: [UInt8]) -> JSONText {
        guard case .object(var members) = self, !members.isEmpty else { return self }
        members[0].name = name
        return .object(members)
    }
}
