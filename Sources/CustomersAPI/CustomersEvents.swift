/// The events Customers publishes.
public enum CustomersEvents {
    /// Every event type Customers publishes through its outbox: none yet. Customers only listens (to Identity,
    /// Payments and Warehouse); a customer's changes concern no other module so far.
    public static let published: [String] = []
}
