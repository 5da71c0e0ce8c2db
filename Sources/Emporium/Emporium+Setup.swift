import Foundation
import HTTP
import Identity
import ModuleKit
import Security
import ServiceKit
import Storage

/// The HTTP server as a service of the group: already listening, it serves until cancelled.
struct ServerService: Service {
    let server: HTTPServer
    var name: String { "http-server" }

    func run() async throws {
        try await server.run()
    }
}

extension Emporium {
    /// Checks the service, instance and endpoint names `faults` mention against the modules as wired (`replicas`
    /// and settings are checked by the wiring).
    /// - Throws: ``EmporiumError`` (`invalidConfiguration`) naming the unknown names.
    static func checkFaults(in configuration: EmporiumConfiguration, modules: ModuleHost) throws {
        let targets = faultTargets(configuration, modules: modules)
        let unknownTargets = configuration.faults.keys.filter { !targets.contains($0) }.sorted()
        if !unknownTargets.isEmpty {
            throw EmporiumError(
                .invalidConfiguration,
                "faults: unknown service, instance or endpoint \(unknownTargets.joined(separator: ", ")); 'emporium services' lists them"
            )
        }
    }

    /// What a fault may name: every service, instance (`catalog-2`) and endpoint as wired.
    static func faultTargets(_ configuration: EmporiumConfiguration, modules: ModuleHost) -> Set<String> {
        let services = modules.modules.map(\.module.name)
        let instances = services.flatMap { name in (1...max(1, configuration.replicas[name] ?? 1)).map { "\(name)-\($0)" } }
        return Set(services + instances).union(modules.modules.flatMap(\.parts.handlers.endpointNames))
    }

    /// Creates the data directory and proves it writable; `nil` stays `nil` (in-memory databases).
    static func prepare(dataDirectory: String?) throws -> String? {
        guard let dataDirectory else { return nil }
        let path = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        try createDirectory(path)
        let probe = "\(path)/.write-probe-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: probe, contents: Data()) else {
            throw EmporiumError(.dataDirectoryNotWritable, "\(path): the data directory is not writable")
        }
        try? FileManager.default.removeItem(atPath: probe)
        return path
    }

    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw EmporiumError(.dataDirectoryNotWritable, "\(path): cannot create the directory (\(error.localizedDescription))")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EmporiumError(.dataDirectoryNotWritable, "\(path) is not a directory")
        }
    }

    /// The signing secret kept in the data directory, or a fresh one for an in-memory system.
    static func signingSecret(in dataDirectory: String?) throws -> [UInt8] {
        guard let dataDirectory else { return SecureRandom.bytes(32) }
        do {
            return try SigningSecret.loadOrCreate(at: "\(dataDirectory)/signing-secret")
        } catch {
            throw EmporiumError(.dataDirectoryNotWritable, "\(error)")
        }
    }
}
