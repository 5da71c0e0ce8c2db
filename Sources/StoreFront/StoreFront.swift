public import Foundation

/// The web store and the operations dashboard: plain HTML, CSS and JavaScript, served by the gateway at `/`.
///
/// The files need no build step and load nothing from other origins: `index.html` is the store (a single-page
/// app with hash routes such as `#/product/p-00001`), `dashboard.html` the operations dashboard (admin login,
/// then it polls the `/admin/...` endpoints). Both speak only the public HTTP API.
///
/// ```swift
/// gateway.mount(StaticFiles(directory: StoreFront.directory.path), at: "/")
/// ```
public enum StoreFront {
    /// The directory holding the site's files (index.html, dashboard.html, ...).
    public static var directory: URL { Bundle.module.resourceURL!.appendingPathComponent("Web", isDirectory: true) }
}
