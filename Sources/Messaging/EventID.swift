import Foundation
import Synchronization
import Telemetry

/// Event ids: UUID version 7 (RFC 9562), a millisecond Unix timestamp followed by random bits, in the canonical
/// lowercase text form.
///
/// Ids made later sort later, so the outbox's and inboxes' indexes on event ids grow at one end instead of
/// touching a random page per insert; with random (version 4) ids the durable path wrote several times more
/// WAL pages per event.
public enum EventID {
    private static let lastMillisecond = Atomic<UInt64>(0)

    /// A new id.
    public static func make() -> String {
        var generator = IdentifierRandom()
        return make(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000), using: &generator)
    }

    /// A new id for the given time, with randomness from `generator`; the building block of ``make()``.
    public static func make(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        // Never step back within this process, even if the wall clock does.
        var timestamp = milliseconds
        while true {
            let last = lastMillisecond.load(ordering: .relaxed)
            if timestamp < last { timestamp = last }
            if timestamp == last || lastMillisecond.compareExchange(expected: last, desired: timestamp, ordering: .relaxed).exchanged {
                break
            }
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: timestamp >> (8 * (5 - index)))
        }
        let random = generator.next() as UInt64
        let more = generator.next() as UInt64
        for index in 6..<16 {
            let source = index < 14 ? random : more
            bytes[index] = UInt8(truncatingIfNeeded: source >> (8 * (index % 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562 variant
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
