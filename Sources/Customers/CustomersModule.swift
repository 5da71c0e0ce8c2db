import CustomersAPI
public import Foundation
import IdentityAPI
import Messaging
public import ModuleKit
public import ServiceKit

extension Module {
    /// Customers: profiles, address books and notifications in `customers.sqlite`, fed by Identity's, Payments' and
    /// Warehouse's events; notifications are also written as mail files to `mail/new/` in the data directory.
    ///
    /// Settings: `customers.mail-from` (`Emporium <shop@emporium.local>`), the `From` of every mail;
    /// `customers.spool` (`on` or `off`), whether notifications are mailed to the spool.
    public static let customers = Module.customers(clock: SystemClock())

    /// Customers with its spooler waiting on `clock` and its timestamps from `now`: a ``ServiceKit/ManualClock`` lets
    /// a test run the spooler's pass without sleeping.
    public static func customers(clock: any ServiceClock, now: @escaping @Sendable () -> Date = Date.init) -> Module {
        Module(
            name: "customers",
            migrations: CustomersSchema.migrator,
            publishes: CustomersEvents.published,
            settings: [
                ModuleSetting("mail-from", default: "Emporium <shop@emporium.local>", help: "the From of the mail sent to customers"),
                ModuleSetting(
                    "spool",
                    default: "on",
                    help: "whether notifications are written as mail files to mail/new/ in the data directory: on or off"
                ),
            ]
        ) { context in
            var configuration = SQLiteCustomersService.Configuration()
            configuration.mailFrom = try mailFrom(context.settings.string("mail-from") ?? configuration.mailFrom)
            let service = SQLiteCustomersService(
                database: context.database,
                inbox: context.inbox,
                identity: IdentityClient(client: context.client),
                mailDirectory: context.dataDirectory,
                spoolsMail: try spools(context.settings.string("spool") ?? "on"),
                configuration: configuration,
                logger: context.logger,
                now: now
            )
            var handlers = EndpointHandlers()
            handlers.registerCustomers(service)
            var services: [any Service] = []
            if context.dataDirectory != nil {
                services.append(MailSpooler(interval: .seconds(30), clock: clock) { await service.spoolPass() })
            }
            return ModuleParts(handlers: handlers, subscription: EventSubscription(service.eventHandlers), services: services)
        }
    }

    /// `customers.mail-from` checked: printable ASCII with an address in angle brackets, as it goes into headers
    /// unchanged.
    private static func mailFrom(_ value: String) throws(ModuleSettingError) -> String {
        let ascii = !value.isEmpty && value.utf8.allSatisfy { (32...126).contains($0) }
        guard ascii, let open = value.lastIndex(of: "<"), value.hasSuffix(">"), value[open...].contains("@") else {
            throw ModuleSettingError(
                key: "customers.mail-from",
                message: "customers.mail-from must be a name and an address in printable ASCII, like Emporium <shop@emporium.local>, not '\(value)'"
            )
        }
        return value
    }

    /// `customers.spool` as a switch.
    private static func spools(_ value: String) throws(ModuleSettingError) -> Bool {
        switch value {
        case "on": return true
        case "off": return false
        default: throw ModuleSettingError(key: "customers.spool", message: "customers.spool must be on or off, not '\(value)'")
        }
    }
}
