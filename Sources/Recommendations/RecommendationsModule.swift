import CatalogAPI
public import Foundation
import Messaging
public import ModuleKit
import RecommendationsAPI
public import ServiceKit

extension Module {
    /// Recommendations: item-to-item and "for you" recommendations in `recommendations.sqlite`, learned from Orders'
    /// `order-placed`, Cart's `item-added` and the views the store reports, never suggesting what Catalog's events say
    /// is off sale or Inventory's say has nothing available; a deleted account's history is anonymised on Identity's
    /// event.
    ///
    /// Settings: `recommendations.half-life` (days after which an interaction counts half, 30);
    /// `recommendations.bought-window` (days a purchase is left out of its buyer's recommendations, 365).
    public static let recommendations = Module.recommendations(clock: SystemClock())

    /// Recommendations with its learner's periodic pass on `clock` and its timestamps from `now`.
    public static func recommendations(clock: any ServiceClock, now: @escaping @Sendable () -> Date = Date.init) -> Module {
        Module(
            name: "recommendations",
            migrations: RecommendationsSchema.migrator,
            publishes: RecommendationsEvents.published,
            settings: [
                ModuleSetting("half-life", default: "30", help: "days after which an interaction counts half as much (forward decay)"),
                ModuleSetting("bought-window", default: "365", help: "days a customer's purchase is left out of what they are recommended"),
            ]
        ) { context in
            let configuration = SQLiteRecommendationsService.Configuration(
                halfLife: try days(context.settings, "half-life"),
                boughtWindow: try days(context.settings, "bought-window")
            )
            let service = SQLiteRecommendationsService(
                database: context.database,
                catalog: CatalogClient(client: context.client),
                configuration: configuration,
                logger: context.logger,
                now: now
            )
            var handlers = EndpointHandlers()
            handlers.registerRecommendations(service)
            return ModuleParts(
                handlers: handlers,
                subscription: EventSubscription(through: context.inbox, service.eventHandlers),
                services: [service.learner(clock: clock), service.erasureLogTruncator]
            )
        }
    }

    /// A setting in days (a whole or decimal number from a thousandth of a day to 100 years), as a duration.
    private static func days(_ settings: ModuleSettings.Section, _ name: String) throws(ModuleSettingError) -> Duration {
        let text = settings.string(name) ?? ""
        guard let days = Double(text), days.isFinite, (0.001...36_500).contains(days) else {
            throw ModuleSettingError(
                key: "recommendations.\(name)",
                message: "recommendations.\(name) must be a number of days from 0.001 to 36500, not '\(text)'"
            )
        }
        return .milliseconds(Int64((days * 86_400_000).rounded()))
    }
}
