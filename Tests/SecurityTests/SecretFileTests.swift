import Foundation
import Security
import Testing

/// A secret file is written once, privately, and refused when others may read it.
@Suite struct SecretFileTests {
    @Test func aSecretIsCreatedOnceWithMode600AndRefusedWhenReadableByOthers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("secret").path

        #expect(try SecretFile.readOrCreate(at: path) { "first" } == "first")
        #expect(try SecretFile.readOrCreate(at: path) { "second" } == "first")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: SecretFile.Failure.self) { try SecretFile.readOrCreate(at: path) { "third" } }
        #expect(throws: SecretFile.Failure.self) { try SecretFile.readOrCreate(at: directory.path + "/missing/secret") { "x" } }
    }
}
