import ModuleKit

/// How fast the simulated carrier moves shipments and the simulated supplier delivers: the setting
/// `warehouse.fulfilment`.
enum FulfilmentPace: String, Sendable, CaseIterable {
    /// A step every two seconds, for demonstrations: an order is delivered within ten seconds.
    case fast
    /// A step every two hours: an order is delivered within a working day, a purchase order arrives in six hours.
    case realistic
    /// No carrier: shipments move only when an administrator advances them, and purchase orders arrive only when
    /// received by hand. The default, and what tests use.
    case manual

    /// The time between two carrier steps; `nil` when nothing moves by itself.
    var step: Duration? {
        switch self {
        case .fast: .seconds(2)
        case .realistic: .seconds(2 * 3600)
        case .manual: nil
        }
    }

    /// The pace a setting names.
    /// - Throws: ``ModuleKit/ModuleSettingError`` naming the values it may take.
    init(setting value: String?) throws(ModuleSettingError) {
        guard let value else {
            self = .manual
            return
        }
        guard let pace = FulfilmentPace(rawValue: value) else {
            throw ModuleSettingError(key: "warehouse.fulfilment", message: "warehouse.fulfilment must be fast, realistic or manual, not '\(value)'")
        }
        self = pace
    }
}
