/// A kind of request a virtual shopper makes: the six steps of the mix, and the four a shopper makes on the way.
enum LoadStep: String, CaseIterable, Codable, Sendable {
    /// `GET /api/v1/products?limit=20`: the store's front page.
    case home
    /// `GET /api/v1/products/{id}` of any product.
    case browse
    /// `GET /api/v1/search?q=` a word of a product's name.
    case search
    /// `POST /api/v1/cart/items`: one unit of a product the run stocked.
    case addToCart = "add-to-cart"
    /// `GET /api/v1/cart`.
    case viewCart = "view-cart"
    /// `POST /api/v1/checkout` with the saved address, the card 4242 4242 4242 4242 and a new `Idempotency-Key`.
    case checkout
    /// `POST /api/v1/auth/register`, once per shopper.
    case register
    /// `POST /api/v1/auth/login`: after registering, and again before the access token runs out.
    case login
    /// `POST /api/v1/me/addresses`, once per shopper, before its first checkout.
    case saveAddress = "save-address"
    /// `GET /api/v1/cart` before a checkout while the last order's units are still in the cart: the saga takes them
    /// out after answering the checkout, and a checkout before that would buy them again.
    case cartCheck = "cart-check"

    /// Online Boutique's shopper mix (its locustfile's task weights), adapted: the currency switch, which Emporium
    /// does not have, is a search.
    static let mix: [(step: LoadStep, weight: Int)] = [(.home, 1), (.browse, 10), (.search, 2), (.addToCart, 2), (.viewCart, 3), (.checkout, 1)]

    /// The statuses this step answers when all is well; anything else counts as unexpected. A checkout decided
    /// after the request's deadline is `202`, and still a checkout.
    var expectedStatuses: [Int] {
        switch self {
        case .checkout: [201, 202]
        case .register, .saveAddress: [201]
        case .home, .browse, .search, .addToCart, .viewCart, .login, .cartCheck: [200]
        }
    }

    /// Its position in ``allCases``, for arrays indexed by step.
    var index: Int {
        Self.allCases.firstIndex(of: self)!
    }
}
