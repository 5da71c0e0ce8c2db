import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A secret kept in a file only its owner may read: created once (mode 0600, never overwritten), refused when
/// others may read it.
public enum SecretFile {
    /// The file could not be used.
    public struct Failure: Error, CustomStringConvertible {
        /// What is wrong, naming the file.
        public let message: String
        /// The message.
        public var description: String { message }
    }

    /// The text in the file at `path` without surrounding whitespace, after creating it with `make()` (and a
    /// newline) when it does not exist.
    /// - Throws: ``Failure`` when the file cannot be created or read, or when its group or others may read it.
    public static func readOrCreate(at path: String, _ make: () -> String) throws -> String {
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw Failure(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let bytes = Array((make() + "\n").utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else { throw Failure(message: "cannot write \(path)") }
        }
        var status = stat()
        guard stat(path, &status) == 0 else { throw Failure(message: "cannot read \(path)") }
        guard status.st_mode & 0o077 == 0 else {
            throw Failure(message: "\(path) may be read by others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw Failure(message: "cannot read \(path)")
        }
    }
}
