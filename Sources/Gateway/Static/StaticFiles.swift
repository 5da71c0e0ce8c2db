public import Foundation
import HTTP

/// Serves the files under a directory (or a resource bundle's directory): content types by extension, strong
/// `ETag`s with `If-None-Match` → `304`, `index.html` for directories, and no way out of the directory.
///
/// A request path is split into segments, each percent-decoded strictly; a segment that is `.` or `..`, or that
/// decodes to contain `/`, `\` or NUL, or a malformed escape, is refused with `400`. Hidden files (a segment
/// starting with `.`) and anything missing are `404`. Files are read on each request: meant for a small web
/// store, not for large downloads.
///
/// ```swift
/// gateway.mount(StaticFiles(directory: "/srv/emporium/web"), at: "/")
/// ```
public struct StaticFiles: Sendable {
    /// The directory served, as an absolute, standardized path.
    public let root: String
    /// How long clients may reuse a file without asking again: `Cache-Control: public, max-age=N`; `nil`
    /// sends `no-cache` (revalidate with the ETag every time).
    public var maxAge: Duration?

    /// Serves the files under `directory`.
    /// - Parameters:
    ///   - directory: The directory's path.
    ///   - maxAge: The `max-age` clients get; `nil` for `no-cache`.
    public init(directory: String, maxAge: Duration? = nil) {
        self.root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        self.maxAge = maxAge
    }

    /// Serves the files under `subdirectory` of `bundle`'s resources (a SwiftPM resource bundle's `Bundle.module`).
    /// - Parameters:
    ///   - bundle: The bundle.
    ///   - subdirectory: The directory inside its resources, or `nil` for all of them.
    ///   - maxAge: The `max-age` clients get; `nil` for `no-cache`.
    public init?(bundle: Bundle, subdirectory: String? = nil, maxAge: Duration? = nil) {
        guard var url = bundle.resourceURL else { return nil }
        if let subdirectory { url.appendPathComponent(subdirectory, isDirectory: true) }
        self.init(directory: url.path, maxAge: maxAge)
    }

    /// What a request for `relativePath` (the part of the path after the mount point, still percent-encoded)
    /// gets.
    enum Outcome: Equatable {
        case file(String)
        case badRequest(String)
        case notFound
    }

    /// Resolves a still-encoded path below the mount point to a file inside ``root``.
    func resolve(_ relativePath: Substring) -> Outcome {
        var segments: [String] = []
        for raw in relativePath.split(separator: "/", omittingEmptySubsequences: true) {
            guard let segment = PercentEncoding.decodeStrictly(raw) else { return .badRequest("malformed percent-encoding") }
            if segment == "." || segment == ".." || segment.contains("/") || segment.contains("\\") || segment.utf8.contains(0) {
                return .badRequest("path traversal is not allowed")
            }
            if segment.hasPrefix(".") { return .notFound }
            segments.append(segment)
        }
        var path = ([root] + segments).joined(separator: "/")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .notFound }
        if isDirectory.boolValue {
            path += "/index.html"
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return .notFound }
        }
        // A symbolic link inside the directory must not lead out of it.
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(root + "/") else { return .notFound }
        return .file(resolved)
    }

    /// The response to `request` for `relativePath` below the mount point.
    /// - Parameters:
    ///   - request: The request; its `If-None-Match` is honoured.
    ///   - relativePath: The part of the path after the mount point, as sent.
    ///   - requestID: The request id, for problem bodies.
    func response(to request: HTTPRequest, relativePath: Substring, requestID: String) -> HTTPResponse {
        let instance = String(request.path)
        switch resolve(relativePath) {
        case .badRequest(let reason):
            return Problem(
                status: .badRequest,
                type: Problem.type("invalid-path"),
                detail: ErrorMapping.sentence(reason),
                instance: instance,
                requestId: requestID
            )
            .response()
        case .notFound:
            return Self.notFound(instance: instance, requestID: requestID)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                return Self.notFound(instance: instance, requestID: requestID)
            }
            let body = Array(data)
            let etag = ETag.strong(for: body)
            var headers: HTTPHeaders = ["ETag": etag]
            if let maxAge {
                headers.add(name: "Cache-Control", value: "public, max-age=\(TokenBucket.ceilSeconds(maxAge))")
            } else {
                headers.add(name: "Cache-Control", value: "no-cache")
            }
            if ETag.matches(ifNoneMatch: request.headers.values(name: "If-None-Match"), etag: etag) {
                return HTTPResponse(status: .notModified, headers: headers)
            }
            headers.add(name: "Content-Type", value: MediaTypes.contentType(forFileName: path[...]))
            return HTTPResponse(status: .ok, headers: headers, body: body)
        }
    }

    private static func notFound(instance: String, requestID: String) -> HTTPResponse {
        Problem(
            status: .notFound,
            type: Problem.type("not-found"),
            detail: "Nothing is served at this path.",
            instance: instance,
            requestId: requestID
        )
        .response()
    }
}
