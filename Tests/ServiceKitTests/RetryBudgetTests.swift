import ServiceKit
import Testing

@Suite("Retry budget")
struct RetryBudgetTests {
    @Test("retries may reach the configured share of requests")
    func ratio() {
        var budget = RetryBudget(configuration: .init(window: .seconds(10), minRetriesPerSecond: 0, retryRatio: 0.2))
        let withoutTraffic = budget.tryWithdraw(now: .origin)
        #expect(!withoutTraffic)
        for _ in 0..<10 {
            budget.recordRequest(now: .origin)
        }
        #expect(budget.availableRetries(now: .origin) == 2)
        let withdrawals = (0..<3).map { _ in budget.tryWithdraw(now: .origin) }
        #expect(withdrawals == [true, true, false])
    }

    @Test("defaults follow Finagle: ten retries a second as a floor, plus 20 % of requests")
    func defaults() {
        var budget = RetryBudget()
        #expect(budget.availableRetries(now: .origin) == 100)
        for _ in 0..<50 {
            budget.recordRequest(now: .origin)
        }
        #expect(budget.availableRetries(now: .origin) == 110)
    }

    @Test("deposits expire with the window")
    func depositsExpire() {
        var budget = RetryBudget(configuration: .init(window: .seconds(10), minRetriesPerSecond: 0, retryRatio: 0.5))
        for _ in 0..<4 {
            budget.recordRequest(now: .origin)
        }
        #expect(budget.availableRetries(now: .origin + .seconds(9)) == 2)
        #expect(budget.availableRetries(now: .origin + .seconds(10)) == 0)
    }
}
