/// What a customer did with a product, as the interaction log records it.
enum InteractionKind: String, Sendable, CaseIterable {
    /// A line of a placed order.
    case purchase
    /// Units added to a cart.
    case cart
    /// A look at the product's page.
    case view

    /// How much the interaction says about interest, before decay: buying says most, looking least.
    var weight: Double {
        switch self {
        case .purchase: 1
        case .cart: 0.5
        case .view: 0.25
        }
    }
}

/// Who a logged interaction belongs to: the key of their history in `interaction.customer` and `interest.customer`.
enum HistoryKey {
    /// A signed-in customer's history.
    static func customer(_ id: String) -> String { "c:" + id }
    /// A guest's cart's history: its additions are seen together, but no person is named.
    static func guestCart(_ id: String) -> String { "g:" + id }
}
