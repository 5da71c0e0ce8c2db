public import Foundation

/// When a subscription's periods end and when a declined renewal is tried again: the settings
/// `payments.subscription-period` and `payments.renewal-retries`.
///
/// Periods are counted from the subscription's start (its billing anchor), so a subscription started on 31 January
/// renews on 28 (or 29) February, then on 31 March, never drifting to the 28th. Retries are counted from the due date:
/// with the default `1, 3, 5` days, a renewal declined on the due date is tried again one, three and five days after
/// it, and when the last try is declined too the subscription lapses.
public struct RenewalSchedule: Sendable, Hashable {
    /// How long a period is.
    public enum Period: Sendable, Hashable {
        /// One calendar month in UTC.
        case calendarMonth
        /// A fixed length.
        case fixed(Duration)
    }

    /// The period.
    public var period: Period
    /// When declined renewals are tried again, after the due date, in increasing order.
    public var retries: [Duration]

    /// A schedule; by default monthly, retried after 1, 3 and 5 days.
    public init(period: Period = .calendarMonth, retries: [Duration] = [.seconds(86_400), .seconds(259_200), .seconds(432_000)]) {
        self.period = period
        self.retries = retries
    }

    /// The end of period number `periods` (1 is the first) of a subscription anchored at `anchor`.
    public func end(ofPeriod periods: Int, anchor: Date) -> Date {
        switch period {
        case .calendarMonth:
            CardCheck.utcCalendar.date(byAdding: .month, value: periods, to: anchor) ?? anchor.addingTimeInterval(Double(periods) * 30 * 86_400)
        case .fixed(let length):
            anchor.addingTimeInterval(Double(periods) * (length / .seconds(1)))
        }
    }

    /// When to try a renewal due at `due` again after its `failures`-th decline; `nil` when the retries have run
    /// out and the subscription lapses.
    public func retry(after failures: Int, due: Date) -> Date? {
        guard failures >= 1, failures <= retries.count else { return nil }
        return due.addingTimeInterval(retries[failures - 1] / .seconds(1))
    }
}
