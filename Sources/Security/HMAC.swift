/// HMAC-SHA256 (RFC 2104).
public enum HMAC {
    /// The authentication code of `message` under `key`.
    public static func sha256(key: some Collection<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        var block = key.count > SHA256.blockByteCount ? SHA256.hash(key) : Array(key)
        block += [UInt8](repeating: 0, count: SHA256.blockByteCount - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
