import Gateway
import HTTP
import ServiceKit
import Testing

@Suite struct ProblemTests {
    /// Checks the RFC 9457 shape and returns the problem.
    @discardableResult
    private func expectProblem(
        _ response: HTTPClientResponse,
        _ status: HTTPStatus,
        instance: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Problem {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.headers.first(name: "Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try #require(response.problem, sourceLocation: sourceLocation)
        #expect(problem.status == status.code, sourceLocation: sourceLocation)
        #expect(problem.title == status.reasonPhrase, sourceLocation: sourceLocation)
        #expect(!problem.type.isEmpty, sourceLocation: sourceLocation)
        #expect(problem.instance == instance, sourceLocation: sourceLocation)
        #expect(problem.requestId == response.headers.first(name: "X-Request-Id"), sourceLocation: sourceLocation)
        #expect(problem.requestId != nil, sourceLocation: sourceLocation)
        return problem
    }

    @Test func routerErrorsAre404And405Problems() async throws {
        try await GatewayHarness.with { harness in
            let missing = try expectProblem(try await harness.get("/api/v1/nothing"), .notFound, instance: "/api/v1/nothing")
            #expect(missing.type == "urn:emporium:problem:not-found")
            let wrongMethod = try await harness.send(.delete, "/api/v1/items/lamp")
            let problem = try expectProblem(wrongMethod, .methodNotAllowed, instance: "/api/v1/items/lamp")
            #expect(wrongMethod.headers.first(name: "Allow") == "GET, HEAD")
            #expect(problem.type == "urn:emporium:problem:method-not-allowed")
            #expect(problem.detail == "This path does not answer DELETE; it answers GET, HEAD.")
        }
    }

    @Test func missingOrInvalidTokensAre401WithAChallengeAndAWrongRoleIs403() async throws {
        try await GatewayHarness.with { harness in
            let missing = try await harness.send(.post, "/api/v1/items", body: #"{"name":"lamp"}"#)
            try expectProblem(missing, .unauthorized, instance: "/api/v1/items")
            #expect(missing.headers.first(name: "WWW-Authenticate") == "Bearer")

            let invalid = try await harness.send(.post, "/api/v1/items", headers: ["Authorization": "Bearer forged"], body: #"{"name":"lamp"}"#)
            try expectProblem(invalid, .unauthorized, instance: "/api/v1/items")
            #expect(invalid.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer error=\"invalid_token\"") == true)

            let basic = try await harness.send(.post, "/api/v1/items", headers: ["Authorization": "Basic YTpi"], body: #"{"name":"lamp"}"#)
            try expectProblem(basic, .unauthorized, instance: "/api/v1/items")

            let customer = try await harness.send(
                .post,
                "/api/v1/items",
                headers: ["Authorization": "Bearer customer-token"],
                body: #"{"name":"lamp"}"#
            )
            try expectProblem(customer, .forbidden, instance: "/api/v1/items")

            let admin = try await harness.send(.post, "/api/v1/items", headers: ["Authorization": "Bearer admin-token"], body: #"{"name":"lamp"}"#)
            #expect(admin.status == .created)
            #expect(admin.text.contains(#""name":"lamp""#))
            #expect(harness.calls["items.create"] == 1)
        }
    }

    @Test func impliedRolesLetAnAdminCallCustomerRoutesOnlyWhenConfigured() async throws {
        let admin: HTTPHeaders = ["Authorization": "Bearer admin-token"]
        try await GatewayHarness.with { harness in
            try expectProblem(
                try await harness.get("/api/v1/customer/items/lamp", headers: admin),
                .forbidden,
                instance: "/api/v1/customer/items/lamp"
            )
        }
        try await GatewayHarness.with(configuration: Gateway.Configuration(impliedRoles: ["admin": ["customer"]])) { harness in
            #expect(try await harness.get("/api/v1/customer/items/lamp", headers: admin).status == .ok)
            let customer = try await harness.get("/api/v1/customer/items/lamp", headers: ["Authorization": "Bearer customer-token"])
            #expect(customer.status == .ok)
        }
    }

    @Test func thePrincipalReachesTheMappingClosure() async throws {
        try await GatewayHarness.with { harness in
            let response = try await harness.get("/api/v1/me/items/lamp", headers: ["Authorization": "Bearer customer-token"])
            #expect(response.status == .ok)
            #expect(response.text.contains(#""id":"lamp-alice""#))
        }
    }

    @Test func anUndecodableBodyIs400AndNeverReachesTheService() async throws {
        try await GatewayHarness.with { harness in
            let admin: HTTPHeaders = ["Authorization": "Bearer admin-token"]
            try expectProblem(
                try await harness.send(.post, "/api/v1/items", headers: admin, body: "{not json"),
                .badRequest,
                instance: "/api/v1/items"
            )
            try expectProblem(
                try await harness.send(.post, "/api/v1/items", headers: admin, body: #"{"name":7}"#),
                .badRequest,
                instance: "/api/v1/items"
            )
            try expectProblem(try await harness.send(.post, "/api/v1/items", headers: admin), .badRequest, instance: "/api/v1/items")
            #expect(harness.calls["items.create"] == 0)
        }
    }

    @Test func declaredFailuresMapThroughTheCallersMappingWith422ByDefault() async throws {
        try await GatewayHarness.with { harness in
            let missing = try expectProblem(try await harness.get("/api/v1/items/missing"), .notFound, instance: "/api/v1/items/missing")
            #expect(missing.type == "urn:emporium:problem:item-not-found")
            #expect(missing.detail == "No item has the id missing.")
            #expect(missing.errors == nil)
            let soldOut = try expectProblem(
                try await harness.get("/api/v1/items/sold-out"),
                .unprocessableContent,
                instance: "/api/v1/items/sold-out"
            )
            #expect(soldOut.type == "urn:emporium:problem:out-of-stock")
            #expect(soldOut.detail == "The item is out of stock.")
        }
    }

    @Test func aServiceWithNoInstanceIs503() async throws {
        try await GatewayHarness.with { harness in
            try expectProblem(try await harness.get("/api/v1/ghosts/casper"), .serviceUnavailable, instance: "/api/v1/ghosts/casper")
        }
    }

    @Test func anOpenBreakerIs503WithRetryAfter() async throws {
        var breaker = CircuitBreaker.Configuration()
        breaker.failureRateThreshold = 50
        breaker.slidingWindow = .countBased(size: 2)
        breaker.minimumNumberOfCalls = 2
        breaker.waitDurationInOpenState = .seconds(30)
        try await GatewayHarness.with(clientConfiguration: .init(breaker: breaker, retry: .never)) { harness in
            try expectProblem(try await harness.get("/api/v1/boom"), .badGateway, instance: "/api/v1/boom")
            try expectProblem(try await harness.get("/api/v1/boom"), .badGateway, instance: "/api/v1/boom")
            let open = try await harness.get("/api/v1/boom")
            try expectProblem(open, .serviceUnavailable, instance: "/api/v1/boom")
            #expect(open.headers.first(name: "Retry-After").flatMap { Int($0) }.map { (1...30).contains($0) } == true)
            #expect(harness.calls["items.boom"] == 2)
        }
    }

    @Test func aFailingServiceIs502AndADownInstance503AndOnlyTheGatewaysOwnFaultIs500() async throws {
        try await GatewayHarness.with(
            clientConfiguration: .init(retry: .never),
            configure: { gateway, _ in
                gateway.route(.get, "/api/v1/gateway-fault", rateLimitClass: nil) { _ -> Int in throw GatewayFault() }
            },
            { harness in
                let failed = try await harness.get("/api/v1/boom")
                try expectProblem(failed, .badGateway, instance: "/api/v1/boom")
                #expect(failed.problem?.type == "urn:emporium:problem:upstream-error")
                #expect(failed.problem?.detail == "A service behind the gateway failed to answer the request; try again.")

                let own = try await harness.get("/api/v1/gateway-fault")
                try expectProblem(own, .internalServerError, instance: "/api/v1/gateway-fault")
                #expect(own.problem?.type == "urn:emporium:problem:internal-error")

                harness.gateway.client.faults.setDown(true, instance: "items-1")
                let down = try await harness.get("/api/v1/items/lamp")
                try expectProblem(down, .serviceUnavailable, instance: "/api/v1/items/lamp")
                #expect(down.headers.first(name: "Retry-After") == "1")
            }
        )
    }

    private struct GatewayFault: Error {}

    /// A storage error as a module's would be: unavailable (the disk is full).
    private struct DiskFull: UnavailabilityReporting {
        var unavailability: Unavailability? {
            Unavailability(
                problemType: "storage-unavailable",
                detail: "The service cannot store anything right now (its disk is full); nothing was changed. Try again later.",
                retryAfterSeconds: 30
            )
        }
    }

    @Test func aServiceThatCannotStoreIs503WithItsTypeSentenceAndRetryAfter() async throws {
        let full = DiskFull().unavailability!
        try await GatewayHarness.with(
            configure: { gateway, _ in
                // As a service behind the gateway reports it, and as a handler the gateway runs itself throws it.
                gateway.route(.post, "/api/v1/behind", rateLimitClass: nil) { _ -> Int in
                    throw RemoteCallError(kind: .unavailable, endpoint: "items.create", message: "SQLITE_FULL", unavailability: full)
                }
                gateway.route(.post, "/api/v1/own", rateLimitClass: nil) { _ -> Int in throw DiskFull() }
            },
            { harness in
                for path in ["/api/v1/behind", "/api/v1/own"] {
                    let response = try await harness.send(.post, path, body: "{}")
                    let problem = try expectProblem(response, .serviceUnavailable, instance: path)
                    #expect(problem.type == "urn:emporium:problem:storage-unavailable")
                    #expect(problem.detail == "The service cannot store anything right now (its disk is full); nothing was changed. Try again later.")
                    #expect(response.headers.first(name: "Retry-After") == "30")
                }
            }
        )
    }

    @Test func aTimeoutIs504() async throws {
        try await GatewayHarness.with { harness in
            try expectProblem(try await harness.get("/api/v1/slow"), .gatewayTimeout, instance: "/api/v1/slow")
        }
    }

    @Test func aRequestWaitingFor100ContinueOnAnUnknownPathGetsAProblemWithoutSendingItsBody() async throws {
        try await GatewayHarness.with { harness in
            let head = "POST /api/v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nX-Request-Id: early-1\r\n\r\n"
            try await harness.connection.write(Array(head.utf8))
            let response = try await harness.connection.readResponse(timeout: .seconds(5))
            #expect(response.status == .notFound)
            #expect(response.problem?.instance == "/api/v1/nothing")
            #expect(response.problem?.requestId == "early-1")
            #expect(response.headers.first(name: "X-Request-Id") == "early-1")
        }
    }

    @Test func parserErrorsAreProblemsToo() async throws {
        try await GatewayHarness.with { harness in
            try await harness.connection.write(Array("GET /health HTTP/1.1\r\n\r\n".utf8))
            let response = try await harness.connection.readResponse(timeout: .seconds(5))
            #expect(response.status == .badRequest)
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(response.problem?.status == 400)
            #expect(response.problem?.requestId == response.headers.first(name: "X-Request-Id"))
        }
    }
}
