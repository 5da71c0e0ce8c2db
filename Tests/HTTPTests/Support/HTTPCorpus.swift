import Foundation
import Testing

/// The request corpus in `Fixtures/http`: raw request bytes with the status and connection verdict a server must
/// give. Parser tests use it now; server tests send the same bytes over a socket.
struct HTTPCorpus {
    /// One corpus file and its manifest line.
    struct Case: Sendable, CustomTestStringConvertible {
        /// The file name, `NNN-name.http`.
        let file: String
        /// The exact bytes of the file.
        let bytes: [UInt8]
        /// The status of the response that ends the exchange: the first error, or 200 when every request is valid.
        let status: Int
        /// Whether the server closes the connection after that response.
        let closesConnection: Bool
        /// What the case exercises.
        let summary: String

        var testDescription: String { file }
    }

    /// `Fixtures/http`, found from this file's path so tests run from any working directory.
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        repeat {
            url.deleteLastPathComponent()
        } while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
        return url.appendingPathComponent("Fixtures/http", isDirectory: true)
    }()

    /// Every case of `manifest.tsv`, in order.
    static func load() throws -> [Case] {
        let manifest = try String(contentsOf: directory.appendingPathComponent("manifest.tsv"), encoding: .utf8)
        return try manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 4, let status = Int(columns[1]), ["close", "keep"].contains(columns[2]) else {
                throw CorpusError(message: "malformed manifest line: \(line)")
            }
            let bytes = try Data(contentsOf: directory.appendingPathComponent(columns[0]))
            return Case(
                file: columns[0],
                bytes: Array(bytes),
                status: status,
                closesConnection: columns[2] == "close",
                summary: columns[3]
            )
        }
    }

    /// The manifest could not be read as documented in `Fixtures/http/README.md`.
    struct CorpusError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
