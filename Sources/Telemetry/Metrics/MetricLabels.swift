/// The validated label pairs of one metric, sorted by name: the metric's identity within its family.
struct MetricLabels: Hashable, Comparable, Sendable {
    let names: [String]
    let values: [String]

    /// Validates and sorts `labels`; traps on an invalid, reserved or repeated label name.
    init(_ labels: [(String, String)], metricName: String, reserved: Set<String> = []) {
        let sorted = labels.sorted { $0.0 < $1.0 }
        for (index, (name, _)) in sorted.enumerated() {
            precondition(
                PrometheusExposition.isValidLabelName(name),
                "metric \(metricName): invalid label name \(name.debugDescription) (must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __)"
            )
            precondition(!reserved.contains(name), "metric \(metricName): label name \(name.debugDescription) is reserved")
            precondition(index == 0 || sorted[index - 1].0 != name, "metric \(metricName): label \(name.debugDescription) given twice")
        }
        self.names = sorted.map(\.0)
        self.values = sorted.map(\.1)
    }

    var pairs: [(String, String)] {
        Array(zip(self.names, self.values))
    }

    /// The label block of a sample line: `{a="x",b="y"}`, with `extra` (such as `le`) last; empty without labels.
    func rendered(extra: (name: String, value: String)? = nil) -> String {
        var parts = zip(self.names, self.values).map { "\($0)=\"\(PrometheusExposition.escapeLabelValue($1))\"" }
        if let extra {
            parts.append("\(extra.name)=\"\(PrometheusExposition.escapeLabelValue(extra.value))\"")
        }
        return parts.isEmpty ? "" : "{" + parts.joined(separator: ",") + "}"
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        for (left, right) in zip(zip(lhs.names, lhs.values), zip(rhs.names, rhs.values)) where left != right {
            return left < right
        }
        return lhs.names.count < rhs.names.count
    }
}
