import Catalog
import CatalogAPI
import Foundation
import HTTP
import Identity
import Security
import ServiceKit
import Storage

/// What importing a catalog document did.
public struct CatalogImportSummary: Sendable, Hashable, Codable {
    /// Categories created or updated.
    public var categories: Int
    /// Products added.
    public var productsAdded: Int
    /// Products already present (same SKU), left as they are.
    public var productsSkipped: Int
}

/// A module as ``Emporium`` wired it, for `emporium services` and the dashboard.
public struct ModuleDescription: Sendable, Hashable, Codable {
    /// The service name (`catalog`).
    public var name: String
    /// Its database file (`:memory:` when in memory).
    public var database: String
    /// Its registered instances.
    public var instances: [String]
    /// The endpoints it answers.
    public var endpoints: [String]
    /// The event types it publishes through its outbox.
    public var publishes: [String]
    /// The event types it consumes, from its live bus subscriptions.
    public var consumes: [String]
}

/// One module's parts, as the composition root holds them.
struct Module: Sendable {
    let name: String
    let database: Database
    let handlers: EndpointHandlers
    let publishes: [String]
}

/// The HTTP server as a service of the group: already listening, it serves until cancelled.
struct ServerService: Service {
    let server: HTTPServer
    var name: String { "http-server" }

    func run() async throws {
        try await server.run()
    }
}

extension Emporium {
    /// Checks the service and endpoint names `replicas` and `faults` mention against the modules as wired.
    /// - Throws: ``EmporiumError`` (`invalidConfiguration`) naming the unknown names and the known ones.
    static func checkNames(in configuration: EmporiumConfiguration, modules: [Module]) throws {
        let services = Set(modules.map(\.name))
        let unknownServices = configuration.replicas.keys.filter { !services.contains($0) }.sorted()
        if !unknownServices.isEmpty {
            throw EmporiumError(
                .invalidConfiguration,
                "replicas: unknown service \(unknownServices.joined(separator: ", ")); services: \(services.sorted().joined(separator: ", "))"
            )
        }
        let targets = services.union(modules.flatMap(\.handlers.endpointNames))
        let unknownTargets = configuration.faults.keys.filter { !targets.contains($0) }.sorted()
        if !unknownTargets.isEmpty {
            throw EmporiumError(
                .invalidConfiguration,
                "faults: unknown service or endpoint \(unknownTargets.joined(separator: ", ")); 'emporium services' lists them"
            )
        }
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

    /// The first administrator's password and whether Emporium generated it: the configured one, else the one
    /// kept in `initial-admin-password`, else a new one written there (mode 0600).
    static func adminPassword(_ configuration: EmporiumConfiguration, dataDirectory: String?) throws -> (String, generated: Bool) {
        if let password = configuration.adminPassword { return (password, false) }
        let fresh = { Base64URL.encode(SecureRandom.bytes(18)) }
        guard let dataDirectory else { return (fresh(), true) }
        do {
            return (try SecretFile.readOrCreate(at: "\(dataDirectory)/initial-admin-password", fresh), true)
        } catch let failure as SecretFile.Failure {
            throw EmporiumError(.dataDirectoryNotWritable, failure.message)
        }
    }

    static func importCatalog(from url: URL, into catalog: SQLiteCatalogService) async throws -> CatalogImportSummary {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EmporiumError(.seedInvalid, "\(url.path): cannot read the seed catalog (\(error.localizedDescription))")
        }
        do {
            let report = try await catalog.importCatalog(try CatalogDocument(json: data))
            return CatalogImportSummary(categories: report.categories, productsAdded: report.productsAdded, productsSkipped: report.productsSkipped)
        } catch let error as CatalogError {
            throw EmporiumError(.seedInvalid, "\(url.path): \(error)")
        }
    }
}
