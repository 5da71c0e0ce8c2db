#if canImport(Glibc)
import Glibc
#endif

/// The IMF-fixdate of RFC 9110 §5.6.7 (`Sun, 06 Nov 1994 08:49:37 GMT`), written without `String` formatting.
enum HTTPDate {
    private static let days: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Appends the date of `secondsSince1970` in GMT.
    static func append(secondsSince1970: Int, to buffer: inout [UInt8]) {
        var seconds = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        days[Int(parts.tm_wday)].withUTF8Buffer { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: ", ".utf8)
        appendTwoDigits(Int(parts.tm_mday), to: &buffer)
        buffer.append(0x20)
        months[Int(parts.tm_mon)].withUTF8Buffer { buffer.append(contentsOf: $0) }
        buffer.append(0x20)
        let year = Int(parts.tm_year) + 1900
        appendTwoDigits(year / 100, to: &buffer)
        appendTwoDigits(year % 100, to: &buffer)
        buffer.append(0x20)
        appendTwoDigits(Int(parts.tm_hour), to: &buffer)
        buffer.append(0x3A)
        appendTwoDigits(Int(parts.tm_min), to: &buffer)
        buffer.append(0x3A)
        appendTwoDigits(Int(parts.tm_sec), to: &buffer)
        buffer.append(contentsOf: " GMT".utf8)
    }

    private static func appendTwoDigits(_ value: Int, to buffer: inout [UInt8]) {
        buffer.append(0x30 + UInt8(value / 10))
        buffer.append(0x30 + UInt8(value % 10))
    }
}
