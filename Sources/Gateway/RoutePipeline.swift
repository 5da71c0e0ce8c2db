import HTTP
import ServiceKit
import Telemetry

/// The steps of one gateway route around its service call: access, rate limit, cache, errors.
struct RoutePipeline: Sendable {
    let access: Access
    let cache: ResponseCache?
    let cachePolicy: CachePolicy
    let rateLimitClass: String?
    let rateLimiter: RateLimiter
    let tokenVerifier: (any TokenVerifier)?
    let revokedSubjects: RevokedSubjects
    let impliedRoles: [Role: Set<Role>]
    let failureStatus: FailureStatuses.Mapping?
    let failureStatuses: FailureStatuses
    let cacheOutcomes: CacheOutcomes
    let logger: Logger

    /// What a route's call produced: the status, the JSON body, when the route names one, the entity tag, and
    /// any other header fields (such as `Idempotent-Replayed`).
    struct Output {
        var status: HTTPStatus
        var body: [UInt8]
        var etag: String?
        var headers: HTTPHeaders = [:]
    }

    /// Runs the pipeline; `call` maps the request, calls the endpoint and returns the status and JSON body.
    func run(
        _ request: HTTPRequest,
        _ context: HTTPRequestContext,
        call: (GatewayRequest) async throws -> Output
    ) async -> HTTPResponse {
        let requestID = context[RequestIDKey.self] ?? RequestID.generate()
        let instance = String(request.path)

        // Access.
        var principal: Principal?
        if access == .optionallyAuthenticated, request.headers.first(name: "Authorization") != nil {
            switch await authenticate(request) {
            case .success(let verified): principal = verified
            case .failure(let challenge, let detail):
                return Problem(status: .unauthorized, type: Problem.type("unauthorized"), detail: detail, instance: instance, requestId: requestID)
                    .response(headers: ["WWW-Authenticate": challenge])
            }
        }
        if case .authenticated(let role) = access {
            switch await authenticate(request) {
            case .success(let verified):
                if let role, verified.role != role, impliedRoles[verified.role]?.contains(role) != true {
                    return Problem(
                        status: .forbidden,
                        type: Problem.type("forbidden"),
                        detail: "This operation needs the \(role) role.",
                        instance: instance,
                        requestId: requestID
                    ).response()
                }
                principal = verified
            case .failure(let challenge, let detail):
                return Problem(status: .unauthorized, type: Problem.type("unauthorized"), detail: detail, instance: instance, requestId: requestID)
                    .response(headers: ["WWW-Authenticate": challenge])
            }
        }

        // Rate limit.
        var rateLimitHeaders: HTTPHeaders = [:]
        if let rateLimitClass {
            let client = principal.map { "sub:" + $0.subject } ?? "addr:" + (request.remoteAddress?.host ?? "unknown")
            if let (policy, decision) = rateLimiter.take(client: client, policy: rateLimitClass) {
                rateLimitHeaders.add(name: "RateLimit-Policy", value: policy.policyField)
                rateLimitHeaders.add(
                    name: "RateLimit",
                    value: "\"\(policy.name)\";r=\(decision.remaining);t=\(TokenBucket.ceilSeconds(decision.resetAfter))"
                )
                if !decision.allowed {
                    var headers = rateLimitHeaders
                    headers.add(name: "Retry-After", value: String(max(1, TokenBucket.ceilSeconds(decision.retryAfter))))
                    return Problem(
                        status: .tooManyRequests,
                        type: Problem.type("rate-limited"),
                        detail: "Too many requests for rate-limit class \(policy.name); try again after Retry-After seconds.",
                        instance: instance,
                        requestId: requestID
                    ).response(headers: headers)
                }
            }
        }

        var response = await respond(request, principal: principal, requestID: requestID, instance: instance, call: call)
        for (name, value) in rateLimitHeaders { response.headers.add(name: name, value: value) }
        return response
    }

    private func respond(
        _ request: HTTPRequest,
        principal: Principal?,
        requestID: String,
        instance: String,
        call: (GatewayRequest) async throws -> Output
    ) async -> HTTPResponse {
        let cacheable: (ResponseCache, String, Duration)?
        if let cache, case .publicCacheable(let maxAge) = cachePolicy, request.method == .get || request.method == .head {
            cacheable = (cache, ResponseCache.key(path: request.path, query: request.query), maxAge)
        } else {
            cacheable = nil
        }

        let gatewayRequest = GatewayRequest(http: request, principal: principal, requestID: requestID)
        guard let (cache, key, maxAge) = cacheable else {
            do {
                let output = try await call(gatewayRequest)
                var headers: HTTPHeaders =
                    output.body.isEmpty || output.headers.first(name: "Content-Type") != nil ? [:] : ["Content-Type": "application/json"]
                if let etag = output.etag { headers.add(name: "ETag", value: etag) }
                for (name, value) in output.headers { headers.add(name: name, value: value) }
                return HTTPResponse(status: output.status, headers: headers, body: output.body)
            } catch {
                return problem(for: error, instance: instance, requestID: requestID)
            }
        }

        if let entry = cache.lookup(key) {
            cacheOutcomes.hits.increment()
            return Self.cachedResponse(entry, request: request, maxAge: maxAge, outcome: "hit")
        }
        let (result, ran) = await cache.misses.run(key) {
            // Another request may have filled the entry between the lookup and this flight.
            if let entry = cache.lookup(key) { return .entry(entry) }
            let output = try await call(gatewayRequest)
            guard output.status == .ok else { return .uncached(status: output.status.code, body: output.body) }
            let entry = ResponseCache.Entry(
                path: ResponseCache.normalizedPath(request.path),
                status: output.status.code,
                contentType: "application/json",
                body: output.body,
                etag: output.etag ?? ETag.strong(for: output.body),
                expires: cache.now + maxAge
            )
            cache.store(entry, under: key)
            return .entry(entry)
        }
        (ran ? cacheOutcomes.misses : cacheOutcomes.hits).increment()
        switch result {
        case .success(.entry(let entry)):
            return Self.cachedResponse(entry, request: request, maxAge: maxAge, outcome: ran ? "miss" : "hit")
        case .success(.uncached(let status, let body)):
            return HTTPResponse(status: HTTPStatus(code: status), headers: ["Content-Type": "application/json"], body: body)
        case .failure(let error):
            return problem(for: error, instance: instance, requestID: requestID)
        }
    }

    private func problem(for error: any Error, instance: String, requestID: String) -> HTTPResponse {
        let response = ErrorMapping.response(
            for: error,
            routeStatus: failureStatus,
            statuses: failureStatuses,
            instance: instance,
            requestID: requestID
        )
        // The client gets no description of an internal or upstream error (it may name types or echo internals);
        // the operator gets it here, under the request id the client can quote.
        if response.status == .internalServerError || response.status == .badGateway {
            logger.error("route failed", metadata: ["error": "\(String(describing: error))", "request_id": "\(requestID)", "path": "\(instance)"])
        } else if error.serviceUnavailability != nil {
            // A full or read-only disk: the operator must act, so say what the storage said.
            logger.error(
                "route failed: service unavailable",
                metadata: ["error": "\(String(describing: error))", "request_id": "\(requestID)", "path": "\(instance)"]
            )
        }
        return response
    }

    private static func cachedResponse(_ entry: ResponseCache.Entry, request: HTTPRequest, maxAge: Duration, outcome: String) -> HTTPResponse {
        var headers: HTTPHeaders = [
            "ETag": entry.etag,
            "Cache-Control": "public, max-age=\(TokenBucket.ceilSeconds(maxAge))",
            "X-Cache": outcome,
        ]
        if ETag.matches(ifNoneMatch: request.headers.values(name: "If-None-Match"), etag: entry.etag) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.add(name: "Content-Type", value: entry.contentType)
        return HTTPResponse(status: HTTPStatus(code: entry.status), headers: headers, body: entry.body)
    }

    private enum Authentication {
        case success(Principal)
        case failure(challenge: String, detail: String)
    }

    private func authenticate(_ request: HTTPRequest) async -> Authentication {
        let field = request.headers.first(name: "Authorization")
        guard let token = BearerToken.parse(field) else {
            if field == nil { return .failure(challenge: "Bearer", detail: "This operation needs a bearer token.") }
            return .failure(challenge: "Bearer error=\"invalid_request\"", detail: "The Authorization field is not a bearer token.")
        }
        guard let tokenVerifier else { return .failure(challenge: "Bearer error=\"invalid_token\"", detail: "Tokens cannot be verified here.") }
        let principal: Principal
        do {
            principal = try await tokenVerifier.verify(bearerToken: token)
        } catch {
            return .failure(challenge: "Bearer error=\"invalid_token\"", detail: "The bearer token is invalid or expired.")
        }
        guard !revokedSubjects.contains(principal.subject) else {
            return .failure(challenge: "Bearer error=\"invalid_token\"", detail: "The bearer token's account no longer exists.")
        }
        return .success(principal)
    }
}
