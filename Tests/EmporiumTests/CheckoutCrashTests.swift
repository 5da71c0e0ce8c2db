import Foundation
import HTTP
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension WholeSystem {
    /// The checkout saga killed with SIGKILL right after each step it persists, in a real `emporium serve` child
    /// process: after a restart the saga finishes or compensates, the same `Idempotency-Key` finds the same order, and the
    /// audit finds nothing wrong.
    @Suite(.serialized) struct CheckoutCrashTests {
        /// Each step the saga persists, with the card that leads there: the forward path, and a decline's compensation.
        static let steps = [
            ("order-created", "4242424242424242"), ("stock-reserved", "4242424242424242"),
            ("confirmed", "4242424242424242"), ("cart-cleared", "4242424242424242"), ("payment-captured", "4242424242424242"),
            ("fulfilment-requested", "4242424242424242"), ("payment-declined", "4000000000009995"),
        ]

        @Test(arguments: steps) func aKillAfterAPersistedStepChangesNothingAClientWasTold(step: String, card: String) async throws {
            let directory = try TemporaryDirectory()
            let catalog = try SmallCatalog.write(in: directory)
            let data = directory.path("data")
            let arguments = [
                "--seed", catalog, "--rate-limit", "0", "--set", "warehouse.fulfilment=manual", "--set", "orders.claim-duration=3", "--set",
                "orders.recovery-interval=1",
            ]

            // The first life: a customer checks out, and the process dies right after `step`.
            let first = try await Served.start(data: data, extra: arguments + ["--set", "orders.crash-after=\(step)"])
            let customer = try await first.customer()
            let addressId = try await first.address(token: customer)
            try await first.addToCart(token: customer, product: "p-00001", quantity: 2)
            let checkout = CheckoutBody(addressId: addressId, card: CardBody(number: card, expMonth: 12, expYear: 2031, cvc: "123"))
            _ = try? await first.send(.post, "/api/v1/checkout", token: customer, headers: ["Idempotency-Key": "crash-\(step)"], json: checkout)
            #expect(try await first.process.waitForExit(within: .seconds(30)) != 0, "the process was to be killed after \(step)")

            // The second life: recovery finishes the saga; the same key finds the same order.
            let second = try await Served.start(data: data, extra: arguments)
            let token = try await second.login(Served.customerEmail, Served.password)
            let admin = try await second.login(Served.adminEmail, Served.adminPassword)
            try await waitUntil("the saga ends in a settled state after \(step)", timeout: .seconds(60)) {
                let orders = try await second.orders(token: token)
                return orders.count == 1 && ["confirmed", "rejected", "payment-failed", "cancelled"].contains(orders[0].status)
            }
            let orders = try await second.orders(token: token)
            #expect(orders.count == 1)
            // The same key again: the same order, or, while the dead request's lease on the key lasts (a minute), 409.
            let again = try await second.send(.post, "/api/v1/checkout", token: token, headers: ["Idempotency-Key": "crash-\(step)"], json: checkout)
            #expect(again.text.contains(orders[0].id) || again.text.contains("idempotency-key-in-use"), "\(again.text)")
            #expect(try await second.orders(token: token).count == 1)
            try await waitUntil("the audit is clean after \(step)", timeout: .seconds(30)) {
                let audit = try await second.send(.get, "/api/v1/admin/audit", token: admin)
                return audit.status == .ok && audit.text.contains("\"violations\":[]")
            }
            // The same audit from the command line: it exits 0 when nothing is wrong.
            let audit = try await ChildProcess(
                executable: try ChildProcess.builtExecutable("emporium"),
                arguments: ["audit", "--url", "http://127.0.0.1:\(second.port)", "--password", Served.adminPassword]
            )
            let printed = try await audit.readToEnd(within: .seconds(30))
            #expect(try await audit.waitForExit(within: .seconds(30)) == 0, "\(printed)")
            #expect(printed.contains("no violations"), "\(printed)")
            await second.stop()
        }
    }
}
