/// The routes of an ``HTTPRouter`` as a tree of path segments, matched with backtracking so that a literal segment
/// wins over a parameter, and a parameter over a catch-all, at every depth. A catch-all is a fallback: once a more
/// specific pattern has matched the whole path (for another method), no catch-all is tried, so the request is a 405
/// of that pattern rather than the catch-all's answer.
struct RouteTree: Sendable {
    struct Endpoint: Sendable {
        var method: HTTPMethod
        var handler: HTTPHandler
    }

    private struct Node: Sendable {
        var literals: [(segment: String, child: Int)] = []
        var parameter: (name: String, child: Int)?
        var catchAll: (name: String, child: Int)?
        var endpoints: [Endpoint] = []
        var pattern: String?
    }

    /// The outcome of routing a request.
    enum Match {
        case found(HTTPHandler, HTTPParameters, pattern: String)
        case methodNotAllowed(allowed: [HTTPMethod], pattern: String)
        case notFound
    }

    private enum Segment {
        case literal(String)
        case parameter(String)
        case catchAll(String)
    }

    private var nodes = [Node()]

    /// Adds a route. A pattern is `/`-separated segments: literals, `{name}` for one segment, and a last `{name...}`
    /// for the rest of the path. Empty segments are ignored, so `/a/` is `/a`.
    mutating func insert(_ method: HTTPMethod, _ pattern: String, handler: @escaping HTTPHandler) {
        let segments = Self.parse(pattern)
        var node = 0
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let literal):
                if let existing = nodes[node].literals.first(where: { $0.segment == literal }) {
                    node = existing.child
                } else {
                    let child = appendNode()
                    nodes[node].literals.append((literal, child))
                    node = child
                }
            case .parameter(let name):
                if let existing = nodes[node].parameter {
                    precondition(existing.name == name, "route \(pattern): parameter {\(name)} where another route has {\(existing.name)}")
                    node = existing.child
                } else {
                    let child = appendNode()
                    nodes[node].parameter = (name, child)
                    node = child
                }
            case .catchAll(let name):
                precondition(index == segments.count - 1, "route \(pattern): {\(name)...} must be the last segment")
                if let existing = nodes[node].catchAll {
                    precondition(existing.name == name, "route \(pattern): {\(name)...} where another route has {\(existing.name)...}")
                    node = existing.child
                } else {
                    let child = appendNode()
                    nodes[node].catchAll = (name, child)
                    node = child
                }
            }
        }
        precondition(!nodes[node].endpoints.contains { $0.method == method }, "route \(method) \(pattern) is registered twice")
        nodes[node].endpoints.append(Endpoint(method: method, handler: handler))
        if nodes[node].pattern == nil { nodes[node].pattern = "/" + segments.map(Self.text).joined(separator: "/") }
    }

    /// Routes `method` and `path` (the raw, percent-encoded path of the target).
    func match(_ method: HTTPMethod, path: Substring) -> Match {
        let segments = path.utf8.split(separator: ASCII.slash, omittingEmptySubsequences: true).map { Substring($0) }
        var captures: [(name: String, value: Substring, rest: Bool)] = []
        var firstPathMatch: Int?
        var found: (node: Int, handler: HTTPHandler, captures: [(name: String, value: Substring, rest: Bool)])?
        search(0, segments[...], method, &captures, &firstPathMatch, &found, path: path)
        if let found {
            var parameters = HTTPParameters()
            for capture in found.captures {
                parameters.append(name: capture.name, value: PercentEncoding.decode(capture.value, plusIsSpace: false))
            }
            return .found(found.handler, parameters, pattern: nodes[found.node].pattern ?? "/")
        }
        if let node = firstPathMatch {
            return .methodNotAllowed(allowed: allowedMethods(nodes[node]), pattern: nodes[node].pattern ?? "/")
        }
        return .notFound
    }

    /// Depth-first in precedence order; stops at the first node with a handler for `method`.
    private func search(
        _ index: Int,
        _ segments: ArraySlice<Substring>,
        _ method: HTTPMethod,
        _ captures: inout [(name: String, value: Substring, rest: Bool)],
        _ firstPathMatch: inout Int?,
        _ found: inout (node: Int, handler: HTTPHandler, captures: [(name: String, value: Substring, rest: Bool)])?,
        path: Substring
    ) {
        let node = nodes[index]
        guard let segment = segments.first else {
            if !node.endpoints.isEmpty {
                if let handler = handler(node, method) {
                    found = (index, handler, captures)
                    return
                }
                if firstPathMatch == nil { firstPathMatch = index }
            }
            // `{rest...}` also matches nothing.
            if let catchAll = node.catchAll, firstPathMatch == nil {
                finishCatchAll(catchAll, path[path.endIndex...], method, &captures, &firstPathMatch, &found)
            }
            return
        }
        let rest = segments.dropFirst()
        if !node.literals.isEmpty {
            let decoded = segment.utf8.contains(ASCII.percent) ? PercentEncoding.decode(segment, plusIsSpace: false)[...] : segment
            for literal in node.literals where decoded.utf8.elementsEqual(literal.segment.utf8) {
                search(literal.child, rest, method, &captures, &firstPathMatch, &found, path: path)
                if found != nil { return }
            }
        }
        if let parameter = node.parameter {
            captures.append((parameter.name, segment, false))
            search(parameter.child, rest, method, &captures, &firstPathMatch, &found, path: path)
            if found != nil { return }
            captures.removeLast()
        }
        // A path that a more specific pattern matched, for another method, is not the catch-all's: a `GET` of a
        // POST-only API path must be 405, not the web store's "no such file" under `/{path...}`.
        if let catchAll = node.catchAll, firstPathMatch == nil {
            finishCatchAll(catchAll, path[segment.startIndex...], method, &captures, &firstPathMatch, &found)
        }
    }

    private func finishCatchAll(
        _ catchAll: (name: String, child: Int),
        _ remainder: Substring,
        _ method: HTTPMethod,
        _ captures: inout [(name: String, value: Substring, rest: Bool)],
        _ firstPathMatch: inout Int?,
        _ found: inout (node: Int, handler: HTTPHandler, captures: [(name: String, value: Substring, rest: Bool)])?
    ) {
        let node = nodes[catchAll.child]
        guard !node.endpoints.isEmpty else { return }
        if let handler = handler(node, method) {
            found = (catchAll.child, handler, captures + [(catchAll.name, remainder, true)])
        } else if firstPathMatch == nil {
            firstPathMatch = catchAll.child
        }
    }

    /// The handler for `method`; `HEAD` falls back to `GET`.
    private func handler(_ node: Node, _ method: HTTPMethod) -> HTTPHandler? {
        if let endpoint = node.endpoints.first(where: { $0.method == method }) { return endpoint.handler }
        if method == .head, let get = node.endpoints.first(where: { $0.method == .get }) { return get.handler }
        return nil
    }

    private func allowedMethods(_ node: Node) -> [HTTPMethod] {
        var methods = node.endpoints.map(\.method)
        if methods.contains(.get) && !methods.contains(.head) { methods.append(.head) }
        return methods
    }

    private mutating func appendNode() -> Int {
        nodes.append(Node())
        return nodes.count - 1
    }

    private static func parse(_ pattern: String) -> [Segment] {
        pattern.split(separator: "/", omittingEmptySubsequences: true).map { part in
            guard part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 else {
                return .literal(PercentEncoding.decode(part, plusIsSpace: false))
            }
            let name = part.dropFirst().dropLast()
            if name.hasSuffix("...") { return .catchAll(String(name.dropLast(3))) }
            return .parameter(String(name))
        }
    }

    private static func text(_ segment: Segment) -> String {
        switch segment {
        case .literal(let literal): literal
        case .parameter(let name): "{\(name)}"
        case .catchAll(let name): "{\(name)...}"
        }
    }
}
