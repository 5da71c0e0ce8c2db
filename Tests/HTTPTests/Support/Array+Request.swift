extension Array where Element == UInt8 {
    /// The UTF-8 bytes of a request written as a string literal with `\r\n`.
    init(request: String) {
        self = Array(request.utf8)
    }
}
