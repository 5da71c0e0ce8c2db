/// The Prometheus text exposition format, version 0.0.4, as ``MetricsRegistry/exposition()`` writes it.
///
/// See <https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format>.
public enum PrometheusExposition {
    /// The `Content-Type` to serve an exposition with.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    ///
    /// - Parameter name: A metric name.
    public static func isValidMetricName(_ name: String) -> Bool {
        self.matchesName(name, allowingColon: true)
    }

    /// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with the reserved `__`.
    ///
    /// - Parameter name: A label name.
    public static func isValidLabelName(_ name: String) -> Bool {
        self.matchesName(name, allowingColon: false) && !name.hasPrefix("__")
    }

    /// Formats a sample value as Prometheus parses it: `+Inf`, `-Inf`, `NaN`, integers without a fraction
    /// or exponent, and other numbers in their shortest round-tripping form.
    ///
    /// - Parameter value: The value.
    /// - Returns: For example `"42"`, `"0.25"`, `"+Inf"`.
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        // Integers up to 2^53 are exact in a Double; print them as integers, not as "1e+15".
        if value == value.rounded(.towardZero), abs(value) <= 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return value.description
    }

    static func escapeHelp(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += #"\\"#
            case "\n": escaped += #"\n"#
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    static func escapeLabelValue(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += #"\\"#
            case "\"": escaped += #"\""#
            case "\n": escaped += #"\n"#
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    private static func matchesName(_ name: String, allowingColon: Bool) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isStart(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): true
            case UInt8(ascii: ":"): allowingColon
            default: false
            }
        }
        return isStart(first) && name.utf8.dropFirst().allSatisfy { isStart($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
