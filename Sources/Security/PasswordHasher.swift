import CCrypt

/// Password hashing with yescrypt through libcrypt (`crypt_gensalt_rn` with `$y$`, then `crypt_r`).
///
/// Hashes are self-describing (`$y$j9T$salt$hash`): the cost and salt travel with them, so raising the cost later
/// only affects new hashes. Passwords are never logged and never appear in errors.
public struct PasswordHasher: Sendable {
    /// yescrypt's cost factor, 1...11; libcrypt's default is 5.
    public let cost: Int

    /// Creates a hasher.
    /// - Precondition: `cost` is within 1...11.
    public init(cost: Int = 5) {
        precondition((1...11).contains(cost), "yescrypt costs range from 1 to 11")
        self.cost = cost
    }

    /// A new salted hash of `password`.
    /// - Throws: ``PasswordHashingError`` when libcrypt refuses (for example, no yescrypt support).
    public func hash(_ password: String) throws -> String {
        let random = SecureRandom.bytes(32)
        var setting = [CChar](repeating: 0, count: 128)
        let made = random.withUnsafeBufferPointer { randomBytes in
            crypt_gensalt_rn("$y$", UInt(cost), randomBytes.baseAddress, CInt(randomBytes.count), &setting, CInt(setting.count))
        }
        guard made != nil else { throw PasswordHashingError(message: "crypt_gensalt_rn refused the yescrypt settings") }
        return try Self.crypt(password, setting: setting)
    }

    /// Whether `password` matches `storedHash` (compared in constant time).
    public func verify(_ password: String, against storedHash: String) -> Bool {
        guard let computed = try? Self.crypt(password, setting: Array(storedHash.utf8CString)) else { return false }
        return ConstantTime.equal(Array(computed.utf8), Array(storedHash.utf8))
    }

    private static func crypt(_ password: String, setting: [CChar]) throws -> String {
        // `struct crypt_data` is large (about 32 KiB); it lives on the heap, zeroed as libcrypt asks.
        let size = MemoryLayout<crypt_data>.size
        let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        defer {
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            raw.deallocate()
        }
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        let data = raw.bindMemory(to: crypt_data.self, capacity: 1)
        guard let result = crypt_r(password, setting, data), result.pointee != 0, result.pointee != CChar(UInt8(ascii: "*")) else {
            throw PasswordHashingError(message: "crypt_r failed for the given settings")
        }
        return String(cString: result)
    }
}

/// libcrypt could not hash.
public struct PasswordHashingError: Error, Sendable, CustomStringConvertible {
    /// What failed; never contains the password.
    public let message: String
    /// The message.
    public var description: String { message }
}
