import Foundation

/// One operation of `Docs/openapi.yaml` as a line-based reader sees it: method, path, who may call it and whether it
/// takes a JSON body. The document is our own, with a fixed indentation (paths at two spaces, methods at four, an
/// operation's members at six), so no YAML library is needed.
struct DocumentedOperation: Hashable, Sendable, CustomStringConvertible {
    /// What the operation's `security` says.
    enum Security: Hashable, Sendable {
        /// `security: []`: no token.
        case none
        /// `security: [{}, bearerAuth: []]`: a token is optional, but a token that is sent must be valid.
        case optional
        /// `bearerAuth` alone, stated or inherited from the document's top-level `security`.
        case bearer
    }

    /// `GET`, `POST`, ….
    var method: String
    /// The path template, `/api/v1/orders/{id}`.
    var path: String
    var security: Security
    /// Whether it has a `requestBody` with `application/json` content.
    var takesJSON: Bool

    /// `METHOD /path/{param}`: how the tests' tables name the operation.
    var key: String { "\(method) \(path)" }
    var description: String { key }

    /// The text of `Docs/openapi.yaml`.
    static func document() throws -> String {
        // Tests/EmporiumTests/Support/this file → the package root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return try String(contentsOf: root.appendingPathComponent("Docs/openapi.yaml"), encoding: .utf8)
    }

    /// Every operation under `paths:`, in the document's order.
    static func all(in document: String) -> [DocumentedOperation] {
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options"]
        func indent(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }
        var operations: [DocumentedOperation] = []
        var inPaths = false
        var path: String?
        var current: DocumentedOperation?
        /// The member of the current operation being read (`security`, `requestBody`, …).
        var member = ""
        func finish() {
            if let operation = current { operations.append(operation) }
            current = nil
        }
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let depth = indent(line)
            if depth == 0 {
                finish()
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            switch depth {
            case 2:
                finish()
                path = trimmed.hasPrefix("/") && trimmed.hasSuffix(":") ? String(trimmed.dropLast()) : nil
            case 4:
                finish()
                let name = trimmed.hasSuffix(":") ? String(trimmed.dropLast()) : ""
                if let path, methods.contains(name) {
                    current = DocumentedOperation(method: name.uppercased(), path: path, security: .bearer, takesJSON: false)
                }
            case 6:
                member = String(trimmed.prefix { $0 != ":" })
                if member == "security", trimmed == "security: []" { current?.security = .none }
            default:
                if member == "security", trimmed == "- {}" { current?.security = .optional }
                if member == "requestBody", trimmed == "application/json:" { current?.takesJSON = true }
            }
        }
        finish()
        return operations
    }
}
