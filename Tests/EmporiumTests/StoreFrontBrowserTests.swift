import Emporium
import Foundation
import SearchAPI
import TestSupport
import Testing

/// The web store in a real browser: headless Chromium loads the pages from a running `emporium serve`, runs their
/// JavaScript against the API, and the test reads the resulting DOM. `.ci/run` installs Debian's `chromium`;
/// without it the suite is skipped locally and fails under `CI`.
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

/// Debian's Chromium, or another Chromium-based browser.
private let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}
