extension Logger {
    /// The text of a log record, written as a string literal with interpolation.
    ///
    /// ```swift
    /// logger.info("reserved \(quantity) of \(sku)")
    /// ```
    public struct Message: ExpressibleByStringLiteral, ExpressibleByStringInterpolation, CustomStringConvertible, Equatable, Sendable {
        private let value: String

        /// Creates a message from a string literal.
        ///
        /// - Parameter value: The text.
        public init(stringLiteral value: String) {
            self.value = value
        }

        /// Creates a message from an interpolated string literal.
        ///
        /// - Parameter stringInterpolation: The interpolation the compiler builds.
        public init(stringInterpolation: DefaultStringInterpolation) {
            self.value = String(stringInterpolation: stringInterpolation)
        }

        /// The text of the message.
        public var description: String {
            self.value
        }
    }
}
