import Foundation
import HTTP
import Telemetry

/// What every shopper of one run shares.
struct LoadContext: Sendable {
    let host: String
    let port: Int
    let catalog: LoadCatalog
    let recorder: LoadRecorder
    /// Where each checkout's answer is written, with `--record`.
    let journal: LoadJournal?
    /// The shortest and longest pause between two steps.
    let think: ClosedRange<Duration>
    /// Makes each run's e-mail addresses new: `load-<run>-<n>@example.com`.
    let runID: String
    let password: String
}

/// A shopper after the run: whose orders to count at the end, and the connection to ask on.
struct ShopperSession: Sendable {
    let number: Int
    let authorization: String?
    let connection: HTTPClientConnection?
}

/// One virtual shopper: registers, logs in, then takes steps of the mix on its own keep-alive connection until the
/// deadline, pausing between steps for the think time. Used from one task.
final class VirtualShopper {
    private let number: Int
    private let context: LoadContext
    private let client: HTTPClient
    private var connection: HTTPClientConnection?
    private var random: SplitMix64
    private var authorization: String?
    private var loggedInAt = ContinuousClock.now
    private var checkoutBody: [UInt8]?
    /// Units put in the cart since the last checkout, by product.
    private var inCart: [String: Int] = [:]
    /// The last order's units, until a look at the cart shows the saga has taken them out: it does so after the
    /// checkout's answer, and a checkout before that would buy them again.
    private var leavingCart: [String: Int] = [:]
    /// The longest a checkout waits for the last order's units to leave the cart.
    private static let clearTimeout = Duration.seconds(5)

    /// A token lives 15 minutes; a long run logs in again before that.
    private static let loginAge = Duration.seconds(10 * 60)
    private static let mixWeight = LoadStep.mix.reduce(0) { $0 + $1.weight }

    init(number: Int, context: LoadContext, client: HTTPClient) {
        self.number = number
        self.context = context
        self.client = client
        random = SplitMix64(seed: UInt64(truncatingIfNeeded: number) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64.random(in: 0...UInt64.max))
    }

    private var email: String { "load-\(context.runID)-\(number)@example.com" }

    /// Registers, logs in, and shops until `deadline`; a shopper that cannot register or log in stops there (its
    /// failed request is counted). A step the shop refuses for now (`429`, `503` with `Retry-After`) is not tried
    /// again at once: the shopper goes on with the next one after its think time, as an impatient crowd would, so
    /// the load offered stays what it was. Registering and logging in, which it cannot do without, are tried again
    /// after the `Retry-After` (at most a second, less a random part so that the refused do not return together).
    func shop(until deadline: ContinuousClock.Instant) async -> ShopperSession {
        if await enter(until: deadline) {
            while ContinuousClock.now < deadline {
                if ContinuousClock.now - loggedInAt > Self.loginAge, await logIn() == .failed { break }
                await take(pick())
                await think(until: deadline)
            }
        }
        return ShopperSession(number: number, authorization: authorization, connection: connection)
    }

    /// What a login came to: a token, a refusal for now, or a failure.
    private enum Entry: Equatable {
        case done
        case refused(Duration)
        case failed
    }

    /// Registers and logs in, each tried again while the shop refuses it for now, until `deadline`.
    private func enter(until deadline: ContinuousClock.Instant) async -> Bool {
        let credentials = Self.json(["email": email, "password": context.password])
        var registered = false
        while ContinuousClock.now < deadline {
            let outcome: Entry
            if registered {
                outcome = await logIn()
            } else {
                let response = await send(.register, .post, "/api/v1/auth/register", body: credentials)
                outcome = Self.entry(response, success: 201)
                registered = outcome == .done
                if registered { continue }
            }
            switch outcome {
            case .done: return true
            case .failed: return false
            case .refused(let retryAfter):
                let pause = Duration.nanoseconds(Int64(Double(retryAfter.clampedNanoseconds) * Double.random(in: 0.5...1, using: &random)))
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return false }
                await client.sleep(for: min(pause, left))
            }
        }
        return false
    }

    /// Done on `success`, refused (for the `Retry-After`, at most a second) on a refusal, failed otherwise.
    private static func entry(_ response: HTTPClientResponse?, success: Int) -> Entry {
        guard let response else { return .failed }
        if response.status.code == success { return .done }
        guard isRefusal(response) else { return .failed }
        let seconds = response.headers.first(name: "Retry-After").flatMap(Int.init) ?? 1
        return .refused(.seconds(min(max(seconds, 0), 1)))
    }

    /// A `429`, or a `503` with `Retry-After`.
    private static func isRefusal(_ response: HTTPClientResponse) -> Bool {
        LoadRecorder.isRefusal(status: response.status.code, retryAfter: response.headers.first(name: "Retry-After") != nil)
    }

    private func pick() -> LoadStep {
        var draw = Int(random.next() % UInt64(Self.mixWeight))
        for (step, weight) in LoadStep.mix {
            if draw < weight { return step }
            draw -= weight
        }
        return .browse
    }

    private func take(_ step: LoadStep) async {
        switch step {
        case .home: await send(.home, .get, "/api/v1/products?limit=20")
        case .browse: await send(.browse, .get, context.catalog.productPaths[index(below: context.catalog.productPaths.count)])
        case .search: await send(.search, .get, context.catalog.searchPaths[index(below: context.catalog.searchPaths.count)])
        case .addToCart: await addToCart()
        case .viewCart: await send(.viewCart, .get, "/api/v1/cart")
        case .checkout: await checkout()
        case .register, .login, .saveAddress, .cartCheck: break
        }
    }

    private func addToCart() async {
        let item = context.catalog.cartItems[index(below: context.catalog.cartItems.count)]
        if let response = await send(.addToCart, .post, "/api/v1/cart/items", body: item.body), response.status.code == 200 {
            inCart[item.productId, default: 0] += 1
        }
    }

    /// A checkout as a shopper makes it: an address saved first if there is none, something put in an empty cart, and,
    /// after a checkout answered `202`, the cart looked at until that order has left it.
    private func checkout() async {
        if checkoutBody == nil {
            await saveAddress()
            guard checkoutBody != nil else { return }
        }
        if inCart.isEmpty {
            await addToCart()
            guard !inCart.isEmpty else { return }
        }
        if !leavingCart.isEmpty { await waitUntilTheLastOrderLeftTheCart() }
        let key = "load-" + String(random.next(), radix: 16) + String(random.next(), radix: 16)
        guard let body = checkoutBody else { return }
        let sent = ContinuousClock.now
        let answer = await send(.checkout, .post, "/api/v1/checkout", body: body, extra: ["Idempotency-Key": key])
        context.journal?.checkout(shopper: number, key: key, latency: ContinuousClock.now - sent, response: answer)
        guard let response = answer else { return }
        // A 201 comes once the order's units have left the cart; a 202 (still deciding) may come before.
        if response.status.code == 202 { leavingCart = inCart }
        if response.status.code == 201 || response.status.code == 202 { inCart = [:] }
    }

    /// Reads the cart (a `cart-check` step each time, 5 ms apart and doubling to 50 ms) until it holds no more of the
    /// last order's products than were added since, or ``clearTimeout`` passes.
    private func waitUntilTheLastOrderLeftTheCart() async {
        struct Cart: Decodable {
            struct Line: Decodable {
                var productId: String
                var quantity: Int
            }
            var lines: [Line]
        }
        let deadline = ContinuousClock.now + Self.clearTimeout
        defer { leavingCart = [:] }
        var pause = Duration.milliseconds(5)
        var waited = false
        while ContinuousClock.now < deadline {
            guard let response = await send(.cartCheck, .get, "/api/v1/cart") else { return }
            if Self.isRefusal(response) {
                await client.sleep(for: .milliseconds(50))
                continue
            }
            guard response.status.code == 200, let cart = try? JSONDecoder().decode(Cart.self, from: Data(response.body)) else { return }
            let held = Dictionary(cart.lines.map { ($0.productId, $0.quantity) }, uniquingKeysWith: +)
            if leavingCart.keys.allSatisfy({ held[$0, default: 0] <= inCart[$0, default: 0] }) { return }
            if !waited { context.recorder.recordWaitForCart() }
            waited = true
            await client.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    private func saveAddress() async {
        let address = Self.json([
            "name": "Load Shopper \(number)", "line1": "Invalidenstraße 1", "city": "Berlin", "postalCode": "10115", "country": "DE",
        ])
        struct Saved: Decodable { var id: String }
        guard let response = await send(.saveAddress, .post, "/api/v1/me/addresses", body: address), response.status.code == 201,
            let saved = try? JSONDecoder().decode(Saved.self, from: Data(response.body))
        else { return }
        let body: [String: Any] = [
            "addressId": saved.id, "card": ["number": "4242424242424242", "expMonth": 12, "expYear": 2031, "cvc": "123"] as [String: Any],
        ]
        checkoutBody = (try? JSONSerialization.data(withJSONObject: body)).map(Array.init)
    }

    /// Logs in; a refusal leaves the token the shopper has, which is valid for a few minutes more.
    private func logIn() async -> Entry {
        struct Session: Decodable { var accessToken: String }
        let credentials = Self.json(["email": email, "password": context.password])
        let response = await send(.login, .post, "/api/v1/auth/login", body: credentials)
        let outcome = Self.entry(response, success: 200)
        guard outcome == .done else { return outcome }
        guard let response, let session = try? JSONDecoder().decode(Session.self, from: Data(response.body)) else { return .failed }
        authorization = "Bearer \(session.accessToken)"
        loggedInAt = ContinuousClock.now
        return .done
    }

    private func think(until deadline: ContinuousClock.Instant) async {
        let (low, high) = (context.think.lowerBound.clampedNanoseconds, context.think.upperBound.clampedNanoseconds)
        guard high > 0 else { return }
        let pause = Duration.nanoseconds(low + (high > low ? Int64(random.next() % UInt64(high - low + 1)) : 0))
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return }
        await client.sleep(for: min(pause, left))
    }

    private func index(below count: Int) -> Int {
        Int(random.next() % UInt64(count))
    }

    /// Sends one request on the shopper's connection (opening it again if the server closed it) and counts its
    /// answer; `nil` when there was none.
    @discardableResult
    private func send(
        _ step: LoadStep,
        _ method: HTTPMethod,
        _ path: String,
        body: [UInt8] = [],
        extra: HTTPHeaders = [:]
    ) async -> HTTPClientResponse? {
        var headers = extra
        if !body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        let started = ContinuousClock.now
        do {
            let connection = try await openConnection()
            let response = try await connection.send(method, path, headers: headers, body: body, timeout: .seconds(30))
            let latency = ContinuousClock.now - started
            if response.headers.first(name: "Connection")?.lowercased() == "close" {
                await connection.close()
                self.connection = nil
            }
            context.recorder.record(
                step,
                status: response.status.code,
                refusal: Self.isRefusal(response),
                latency: latency,
                path: path,
                detail: Self.problemDetail(response)
            )
            return response
        } catch {
            if let connection { await connection.close() }
            connection = nil
            context.recorder.recordNoAnswer(step, path: path, error: error)
            return nil
        }
    }

    private func openConnection() async throws -> HTTPClientConnection {
        if let connection { return connection }
        let opened = try await client.connect(host: context.host, port: context.port, timeout: .seconds(10))
        connection = opened
        return opened
    }

    private static func problemDetail(_ response: HTTPClientResponse) -> String {
        struct Problem: Decodable { var detail: String? }
        return (try? JSONDecoder().decode(Problem.self, from: Data(response.body)))?.detail ?? ""
    }

    private static func json(_ fields: [String: String]) -> [UInt8] {
        Array((try? JSONEncoder().encode(fields)) ?? Data())
    }
}

/// A fast, seedable generator for the shoppers' choices: `SystemRandomNumberGenerator` makes a system call per draw.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
