import Foundation
import Security

/// The HS256 signing secret: given in configuration, or generated once and kept in a file only its owner may read.
public enum SigningSecret {
    /// The secret stored at `path`, creating the file (mode 0600, 32 random bytes as hex) when it does not exist.
    /// - Throws: when the file cannot be created or read, or holds fewer than 32 bytes, or others may read it.
    public static func loadOrCreate(at path: String) throws -> [UInt8] {
        let text: String
        do {
            text = try SecretFile.readOrCreate(at: path) { SecureRandom.bytes(32).map { String(format: "%02x", $0) }.joined() }
        } catch let failure as SecretFile.Failure {
            throw SecretError(message: failure.message)
        }
        var secret: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex),
            let byte = UInt8(text[index..<next], radix: 16)
        {
            secret.append(byte)
            index = next
        }
        guard index == text.endIndex, secret.count >= 32 else { throw SecretError(message: "\(path) does not hold a 32-byte hex secret") }
        return secret
    }

    /// The secret file could not be used.
    public struct SecretError: Error, CustomStringConvertible {
        /// What is wrong.
        public let message: String
        /// The message.
        public var description: String { message }
    }
}
