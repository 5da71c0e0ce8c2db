import Foundation
import Gateway
import HTTP
import Testing

@Suite struct StaticFilesTests {
    /// A directory with a small web store, a hidden file, and a secret next to it (outside the root).
    private static func makeSite() throws -> URL {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-static-\(UUID().uuidString)")
        let site = base.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try Data("<!doctype html><title>Emporium</title>".utf8).write(to: site.appendingPathComponent("index.html"))
        try Data("console.log(1)".utf8).write(to: site.appendingPathComponent("assets/app.js"))
        try Data("body{}".utf8).write(to: site.appendingPathComponent("assets/style.css"))
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: site.appendingPathComponent("assets/logo.png"))
        try Data("{}".utf8).write(to: site.appendingPathComponent("manifest.json"))
        try Data("hidden".utf8).write(to: site.appendingPathComponent(".env"))
        try Data("secret".utf8).write(to: base.appendingPathComponent("secret.txt"))
        // A link inside the root that leads out of it.
        try FileManager.default.createSymbolicLink(
            at: site.appendingPathComponent("escape.txt"),
            withDestinationURL: base.appendingPathComponent("secret.txt")
        )
        return base
    }

    private func withSite(_ body: (GatewayHarness) async throws -> Void) async throws {
        let base = try Self.makeSite()
        defer { try? FileManager.default.removeItem(at: base) }
        let files = StaticFiles(directory: base.appendingPathComponent("site").path)
        func mount(_ gateway: inout Gateway, _: GatewayHarnessParts) {
            gateway.mount(files, at: "/")
        }
        try await GatewayHarness.with(configure: mount) { harness in
            try await body(harness)
        }
    }

    @Test func filesAreServedWithContentTypesByExtension() async throws {
        try await withSite { harness in
            let expectations = [
                ("/", "text/html; charset=utf-8"),
                ("/index.html", "text/html; charset=utf-8"),
                ("/assets/app.js", "text/javascript; charset=utf-8"),
                ("/assets/style.css", "text/css; charset=utf-8"),
                ("/assets/logo.png", "image/png"),
                ("/manifest.json", "application/json"),
            ]
            for (path, contentType) in expectations {
                let response = try await harness.get(path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers.first(name: "Content-Type") == contentType, "\(path)")
            }
            // API routes still win over the catch-all.
            #expect(try await harness.get("/api/v1/items/lamp").status == .ok)
            #expect(try await harness.get("/health").text == #"{"status":"ok"}"#)
        }
    }

    @Test func ifNoneMatchGets304() async throws {
        try await withSite { harness in
            let first = try await harness.get("/assets/app.js")
            let etag = try #require(first.headers.first(name: "ETag"))
            let again = try await harness.get("/assets/app.js", headers: ["If-None-Match": etag])
            #expect(again.status == .notModified)
            #expect(again.headers.first(name: "ETag") == etag)
            #expect(again.body.isEmpty)
        }
    }

    @Test(arguments: [
        ("/../secret.txt", 400),
        ("/assets/../../secret.txt", 400),
        ("/%2e%2e/secret.txt", 400),
        ("/%2E%2E%2Fsecret.txt", 400),
        ("/assets/%2e%2e/%2e%2e/secret.txt", 400),
        ("/..%2fsecret.txt", 400),
        ("/..%5csecret.txt", 400),
        ("/index.html%00.png", 400),
        ("/%zz", 400),
        ("/.env", 404),
        ("/missing.txt", 404),
        ("/escape.txt", 404),
    ])
    func traversalHiddenFilesAndEscapingLinksAreRefused(path: String, status: Int) async throws {
        try await withSite { harness in
            let response = try await harness.get(path)
            #expect(response.status.code == status, "\(path): \(response.status)")
            #expect(response.problem?.status == status)
            #expect(!response.text.contains("secret") || response.problem != nil)
            #expect(!response.text.contains("hidden"))
        }
    }

    @Test func filesCanComeFromAResourceBundle() async throws {
        let base = try Self.makeSite()
        defer { try? FileManager.default.removeItem(at: base) }
        let bundle = try #require(Bundle(path: base.path))
        let files = try #require(StaticFiles(bundle: bundle, subdirectory: "site", maxAge: .seconds(300)))
        func mount(_ gateway: inout Gateway, _: GatewayHarnessParts) {
            gateway.mount(files, at: "/store")
        }
        try await GatewayHarness.with(configure: mount) { harness in
            let index = try await harness.get("/store")
            #expect(index.status == .ok)
            #expect(index.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
            #expect(index.headers.first(name: "Cache-Control") == "public, max-age=300")
            #expect(try await harness.get("/store/assets/app.js").text == "console.log(1)")
            #expect(try await harness.get("/store/../secret.txt").status == .badRequest)
        }
    }
}
