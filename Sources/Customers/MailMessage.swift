import Foundation

/// One notification as an RFC 5322 message: what an SMTP relay would send.
///
/// Headers are ASCII: a display name or subject with other characters, or one that looks like an encoded word,
/// becomes RFC 2047 encoded words (`=?utf-8?B?…?=`, UTF-8 never split inside a character), and long headers are
/// folded at 78 characters. The body is UTF-8 plain text in quoted-printable, so every line stays within 76
/// characters whatever the text. Lines end in CRLF.
struct MailMessage: Sendable, Hashable {
    /// The `From` header's value, such as `Emporium <shop@emporium.local>` (printable ASCII, checked by the setting).
    var from: String
    /// The recipient's display name.
    var toName: String
    /// The recipient's e-mail address.
    var toAddress: String
    /// The subject.
    var subject: String
    /// When the notification was sent.
    var date: Date
    /// The message id without its angle brackets: `ntf_…@emporium.local`.
    var messageID: String
    /// The text, lines separated by `\n`.
    var body: String

    /// The message's bytes.
    var rendered: [UInt8] {
        let headers = [
            "From: \(from)",
            MailEncoding.fold("To:", MailEncoding.displayName(toName) + ["<\(MailEncoding.headerSafe(toAddress))>"]),
            MailEncoding.fold("Subject:", MailEncoding.unstructured(subject)),
            "Date: \(MailEncoding.date(date))",
            "Message-ID: <\(messageID)>",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + MailEncoding.quotedPrintable(body) + "\r\n").utf8)
    }
}

/// The encodings of RFC 2045 (quoted-printable), RFC 2047 (encoded words) and RFC 5322 (dates, folding).
enum MailEncoding {
    /// The longest line a header should have, CRLF excluded (RFC 5322 2.1.1).
    static let headerLineLimit = 78

    /// A display name as header words: a quoted string when it is printable ASCII (its spaces are where a long one
    /// folds), else encoded words.
    static func displayName(_ name: String) -> [String] {
        guard isPlainASCII(name) else { return encodedWords(name) }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted.append("\"")
        // Folding replaces a space with CRLF and that space, which unfolds to the same quoted string.
        return quoted.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    }

    /// Unstructured text (a subject) as header words: its words when it is printable ASCII, else encoded words.
    static func unstructured(_ text: String) -> [String] {
        if isPlainASCII(text) {
            let words = text.split(separator: " ").map(String.init)
            return words.isEmpty ? [""] : words
        }
        return encodedWords(text)
    }

    /// `text` as RFC 2047 `B` encoded words in UTF-8, each 68 characters at most (42 bytes of text), so that even the
    /// first fits on the line of `Subject: `; split only between Unicode scalars, so no character's bytes are divided.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 42 {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?utf-8?B?\(Data(bytes).base64EncodedString())?="
    }

    /// `name` followed by `words`, separated by spaces and folded (CRLF and a space) before a word that would take
    /// the line past 78 characters; never right after the name (a parser may keep that white space as part of the
    /// value) and never before an empty word (no line may be only white space). Adjacent encoded words separated by
    /// folding white space decode as one text.
    static func fold(_ name: String, _ words: [String]) -> String {
        var lines: [String] = []
        var line = name
        for word in words {
            if line.utf8.count + 1 + word.utf8.count > headerLineLimit && line != name && !word.isEmpty {
                lines.append(line)
                line = " " + word
            } else {
                line += " " + word
            }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    /// Text that may stand in a header as it is: printable ASCII and spaces, and nothing that reads as an encoded word.
    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { (32...126).contains($0) } && !text.contains("=?")
    }

    /// `text` without anything that could end a header line or start another: control characters are dropped.
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 }.map(Character.init))
    }

    /// `text` in quoted-printable (RFC 2045 6.7): lines end in CRLF; printable ASCII other than `=` stays; other
    /// bytes, `=`, and white space at the end of a line become `=XX`; lines longer than 76 characters are broken
    /// with soft line breaks (`=` at the end), never inside an `=XX`.
    static func quotedPrintable(_ text: String) -> String {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var output: [String] = []
        for line in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let token: String
                if (byte == 32 || byte == 9) && !isLast {
                    token = String(UnicodeScalar(byte))
                } else if (33...126).contains(byte) && byte != 61 {
                    token = String(UnicodeScalar(byte))
                } else {
                    token = "=" + hex(byte)
                }
                // 76 characters per line, the soft break's `=` included.
                if current.utf8.count + token.utf8.count > 75 {
                    output.append(current + "=")
                    current = ""
                }
                current += token
            }
            output.append(current)
        }
        return output.joined(separator: "\r\n")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// An RFC 5322 date in UTC: `Fri, 14 Mar 2025 09:26:53 +0000`.
    static func date(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        return "\(weekdays[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    /// The Gregorian calendar in UTC.
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }
}
