/// Builds one JSON object as UTF-8 bytes, escaping strings per RFC 8259.
///
/// Quotes, backslashes and the control characters U+0000–U+001F are escaped; everything else, including
/// non-ASCII text, is copied through as UTF-8.
struct JSONLineWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init() {
        self.bytes.reserveCapacity(256)
    }

    var line: String {
        String(decoding: self.bytes, as: UTF8.self)
    }

    mutating func beginObject() {
        self.separate()
        self.bytes.append(UInt8(ascii: "{"))
        self.needsComma.append(false)
    }

    mutating func endObject() {
        self.bytes.append(UInt8(ascii: "}"))
        self.needsComma.removeLast()
    }

    mutating func beginArray() {
        self.separate()
        self.bytes.append(UInt8(ascii: "["))
        self.needsComma.append(false)
    }

    mutating func endArray() {
        self.bytes.append(UInt8(ascii: "]"))
        self.needsComma.removeLast()
    }

    /// Writes `"key":`; the next value written belongs to it.
    mutating func key(_ key: String) {
        self.separate()
        self.appendQuoted(key)
        self.bytes.append(UInt8(ascii: ":"))
        // The value that follows must not be preceded by a comma.
        self.needsComma[self.needsComma.count - 1] = false
    }

    mutating func string(_ value: String) {
        self.separate()
        self.appendQuoted(value)
    }

    mutating func field(_ key: String, _ value: String) {
        self.key(key)
        self.string(value)
    }

    mutating func metadata(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let text):
            self.string(text)
        case .stringConvertible(let convertible):
            self.string(convertible.description)
        case .array(let values):
            self.beginArray()
            for element in values {
                self.metadata(element)
            }
            self.endArray()
        case .dictionary(let values):
            self.metadata(values)
        }
    }

    /// Writes metadata as an object with keys in ascending order, so output is stable across runs.
    mutating func metadata(_ values: Logger.Metadata) {
        self.beginObject()
        for key in values.keys.sorted() {
            self.key(key)
            // Keys come from the dictionary itself, so the lookup cannot fail.
            self.metadata(values[key]!)
        }
        self.endObject()
    }

    private mutating func separate() {
        guard let last = self.needsComma.last else { return }
        if last {
            self.bytes.append(UInt8(ascii: ","))
        } else {
            self.needsComma[self.needsComma.count - 1] = true
        }
    }

    private mutating func appendQuoted(_ text: String) {
        self.bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"):
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"):
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"):
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"):
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08:
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C:
                self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                self.bytes.append(contentsOf: Array(#"\u00"#.utf8))
                self.bytes.append(Self.hexDigits[Int(byte >> 4)])
                self.bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default:
                self.bytes.append(byte)
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
