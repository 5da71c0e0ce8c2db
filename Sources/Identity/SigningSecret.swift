import Foundation
import Security

#if canImport(Glibc)
import Glibc
#endif

/// The HS256 signing secret: given in configuration, or generated once and kept in a file only its owner may read.
public enum SigningSecret {
    /// The secret stored at `path`, creating the file (mode 0600, 32 random bytes as hex) when it does not exist.
    /// - Throws: when the file cannot be created or read, or holds fewer than 32 bytes, or others may read it.
    public static func loadOrCreate(at path: String) throws -> [UInt8] {
        if !FileManager.default.fileExists(atPath: path) {
            let hex = SecureRandom.bytes(32).map { String(format: "%02x", $0) }.joined()
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw SecretError(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let bytes = Array((hex + "\n").utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else { throw SecretError(message: "cannot write \(path)") }
        }
        var status = stat()
        guard stat(path, &status) == 0 else { throw SecretError(message: "cannot read \(path)") }
        guard status.st_mode & 0o077 == 0 else {
            throw SecretError(message: "\(path) may be read by others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
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
