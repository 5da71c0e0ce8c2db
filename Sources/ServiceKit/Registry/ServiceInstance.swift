/// One running instance of a service, as the registry knows it.
public struct ServiceInstance: Sendable, CustomStringConvertible {
    /// Where an instance is reached.
    public enum Address: Sendable {
        /// Handlers in this process.
        case inProcess(EndpointHandlers)
    }

    /// The service's name, the prefix of its endpoints' names (`catalog`).
    public let service: String
    /// Unique among all instances (`catalog-1`).
    public let id: InstanceID
    /// The version of the code it runs.
    public let version: String
    /// Where it is reached.
    public let address: Address
    /// Free-form facts for operators (zone, start time, ...).
    public let metadata: [String: String]

    /// Describes an instance.
    public init(service: String, id: InstanceID, version: String, address: Address, metadata: [String: String] = [:]) {
        self.service = service
        self.id = id
        self.version = version
        self.address = address
        self.metadata = metadata
    }

    /// The endpoints the instance serves.
    public var endpointNames: [String] {
        switch address {
        case .inProcess(let handlers): handlers.endpointNames
        }
    }

    /// `service/id`.
    public var description: String { "\(service)/\(id)" }
}
