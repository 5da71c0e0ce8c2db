/// The events Recommendations publishes.
public enum RecommendationsEvents {
    /// Every event type Recommendations publishes through its outbox: none. It only learns from other modules' events
    /// (orders, cart additions, catalog and stock changes, account deletions) and from the views the store reports.
    public static let published: [String] = []
}
