import Emporium
import Foundation
import SearchAPI
import TestSupport
import Testing

extension WholeSystem {
    /// The web store in a real browser: headless Chromium loads the pages from a running `emporium serve`, runs their
    /// JavaScript against the API, and the test reads the resulting DOM or drives the pages as a person would. `.ci/run`
    /// installs Debian's `chromium`; without it the suite is skipped locally and fails under `CI`.
    @Suite(.enabled(if: chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil, "needs chromium (apt-get install chromium)"))
    struct StoreFrontBrowserTests {

        @Test func theStoreShowsProductsAndSearchShowsResults() async throws {
            try await ServedBinary.with { store in
                let home = try await dumpDOM(store.url("/"))
                #expect(count("class=\"product-card", in: home) >= 10, "\(home.prefix(2000))")
                #expect(count("class=\"category-link", in: home) >= 10)

                let search = try await dumpDOM(store.url("/#/search?q=kettle"))
                #expect(count("class=\"search-hit", in: search) >= 1, "\(search.prefix(2000))")
                #expect(search.contains("<mark>"))
                #expect(search.contains("id=\"search-facets\""))

                let product = try await dumpDOM(store.url("/#/product/p-00001"))
                #expect(product.contains("id=\"product-detail\""))
                #expect(product.contains("Marlowe Glass Electric Kettle"))
                #expect(product.contains("id=\"add-to-cart\""))

                let dashboard = try await dumpDOM(store.url("/dashboard.html"))
                #expect(dashboard.contains("id=\"login-form\""))
            }
        }

        @Test func anAdminSeesTheLiveSystemOnTheDashboard() async throws {
            let script = Self.root.appendingPathComponent("Tests/Browser/dashboard-login.py")
            try await ServedBinary.with { store in
                // Chromium driven over the DevTools protocol: fill in the login form, wait for the first poll.
                let driver = try await ChildProcess(
                    executable: URL(fileURLWithPath: "/usr/bin/env"),
                    arguments: ["python3", script.path, try #require(chromium), store.base, ServedBinary.adminEmail, ServedBinary.adminPassword]
                )
                let dashboard = try await driver.readToEnd(within: .seconds(90))
                #expect(try await driver.waitForExit(within: .seconds(10)) == 0)
                for instance in ["catalog-1", "search-1", "identity-1"] { #expect(dashboard.contains(instance), "\(instance)") }
                #expect(dashboard.contains("catalog.product-created.v1"))
                #expect(dashboard.contains("seed catalog"), "the seed import's trace is listed")
                #expect(!dashboard.contains("id=\"login-form\""))
            }
        }

        /// A shopper's whole journey, clicked and typed in Chromium (`Tests/Browser/store-journey.py`): a guest cart
        /// joined to a new account, a checkout with a field error and then a confirmation with the order number and its
        /// notification, a declined card that keeps the cart, a cancelled order showing its refund, and the dashboard.
        /// Screenshots of every page land in `.build/browser-screenshots/store-journey/` (or `$EMPORIUM_SCREENSHOTS`).
        @Test func aShopperBuysIsDeclinedAndCancelsInTheBrowser() async throws {
            let script = Self.root.appendingPathComponent("Tests/Browser/store-journey.py")
            let screenshots = Self.screenshotDirectory("store-journey")
            print("StoreFrontBrowserTests: screenshots in \(screenshots.path)")
            // The carrier waits to be told, so the order is still cancellable when the shopper cancels it.
            let errorLog = screenshots.appendingPathComponent("driver-errors.txt")
            _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
            try await ServedBinary.with(extra: ["--set", "warehouse.fulfilment=manual"]) { store in
                let driver = try await ChildProcess(
                    executable: URL(fileURLWithPath: "/usr/bin/env"),
                    arguments: [
                        "python3", script.path, try #require(chromium), store.base, screenshots.path, ServedBinary.adminEmail,
                        ServedBinary.adminPassword,
                    ],
                    standardError: FileHandle(forWritingAtPath: errorLog.path)
                )
                let output = try await driver.readToEnd(within: .seconds(300))
                let status = try await driver.waitForExit(within: .seconds(20))
                let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
                #expect(status == 0, "\(output)\n\(errors)")
                let summary = try #require(output.split(separator: "\n").last.map { Data($0.utf8) })
                let journey = try JSONDecoder().decode(Journey.self, from: summary)
                #expect(journey.order.wholeMatch(of: #/EMP-\d{6}/#) != nil)
                #expect(journey.fieldError.contains("postal code"), "\(journey.fieldError)")
                #expect(journey.decline.contains("card_declined"), "\(journey.decline)")
                #expect(journey.refund.contains("refunded") || journey.refund.contains("voided"), "\(journey.refund)")
                // A fresh store: the dashboard counts exactly the journey's orders.
                let states = journey.dashboard.split(separator: "\n").map(String.init)
                for (state, count) in [("cancelled", "1"), ("payment-failed", "1"), ("confirmed", "0"), ("pending", "0")] {
                    #expect(states.firstIndex(of: state).flatMap { $0 + 1 < states.count ? states[$0 + 1] : nil } == count, "\(state) in \(states)")
                }
                for page in [
                    "home", "product", "cart", "checkout", "confirmation", "account", "checkout-declined", "orders", "order-cancelled", "dashboard",
                ] {
                    let shot = try FileManager.default.contentsOfDirectory(atPath: screenshots.path).first { $0.hasSuffix("-\(page).png") }
                    #expect(shot != nil, "no screenshot of \(page)")
                }
            }
        }

        /// What the journey's driver prints last.
        struct Journey: Decodable {
            var order: String
            var fieldError: String
            var decline: String
            var refund: String
            var dashboard: String
        }

        /// `$EMPORIUM_SCREENSHOTS/<name>`, else `.build/browser-screenshots/<name>` in the package, emptied.
        static func screenshotDirectory(_ name: String) -> URL {
            let base =
                ProcessInfo.processInfo.environment["EMPORIUM_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
                ?? root.appendingPathComponent(".build/browser-screenshots")
            let directory = base.appendingPathComponent(name, isDirectory: true)
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory
        }

        static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        /// The DOM after Chromium has loaded `url` and run its scripts (virtual time lets the fetches finish).
        private func dumpDOM(_ url: String) async throws -> String {
            let profile = try TemporaryDirectory()
            let browser = try await ChildProcess(
                executable: URL(fileURLWithPath: try #require(chromium)),
                arguments: [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--user-data-dir=\(profile.url.path)", "--virtual-time-budget=10000", "--dump-dom", url,
                ],
                standardError: FileHandle(forWritingAtPath: "/dev/null")
            )
            return try await browser.readToEnd(within: .seconds(60))
        }

        private func count(_ needle: String, in text: String) -> Int {
            text.components(separatedBy: needle).count - 1
        }
    }
}

/// Debian's Chromium, or another Chromium-based browser.
private let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}
