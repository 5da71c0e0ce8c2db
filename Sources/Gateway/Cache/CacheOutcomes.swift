import Telemetry

/// Counts cache hits and misses of cacheable routes: `emporium_gateway_cache_total{outcome}`.
struct CacheOutcomes: Sendable {
    let hits: Counter
    let misses: Counter

    init(metrics: MetricsRegistry) {
        let help = "Responses of cacheable gateway routes, by whether the cache answered."
        hits = metrics.makeCounter(name: "emporium_gateway_cache_total", labels: [("outcome", "hit")], help: help)
        misses = metrics.makeCounter(name: "emporium_gateway_cache_total", labels: [("outcome", "miss")], help: help)
    }
}
