/// One setting of a module's configuration section, as the module declares it.
public struct ModuleSetting: Sendable, Hashable {
    /// Its name within the section, lower-case words with dashes: `admin-email`.
    public let name: String
    /// The value when none is given; `nil` for none.
    public let defaultValue: String?
    /// A sentence saying what it does, for `emporium services` and errors.
    public let help: String

    /// Declares a setting.
    public init(_ name: String, default defaultValue: String? = nil, help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
    }
}

/// The values of every module's configuration section, keyed `<module>.<setting>` (`identity.admin-email`).
///
/// Values are text, as they come from flags, environment variables or files; each module reads its section
/// with typed accessors that say clearly what is wrong with a value. The wiring rejects keys no module
/// declares, so a misspelt setting fails at start instead of being ignored.
///
/// ```swift
/// var settings = ModuleSettings()
/// settings["identity.admin-email"] = "owner@shop.example"
/// settings["catalog.seed"] = "Fixtures/catalog/catalog.json"
/// ```
public struct ModuleSettings: Sendable, Hashable {
    /// Every value given, by `<module>.<setting>`.
    public private(set) var values: [String: String]

    /// Settings with the given values.
    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// The value of `key` (`<module>.<setting>`), `nil` when not given.
    public subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// The section of `module` as declared by `declared`.
    public func section(for module: String, declared: [ModuleSetting]) -> Section {
        let prefix = module + "."
        var own: [String: String] = [:]
        for (key, value) in values where key.hasPrefix(prefix) { own[String(key.dropFirst(prefix.count))] = value }
        return Section(module: module, declared: declared, values: own)
    }

    /// One module's settings, with their defaults.
    public struct Section: Sendable {
        /// The module.
        public let module: String
        let declared: [ModuleSetting]
        let values: [String: String]

        /// A section; ``ModuleSettings/section(for:declared:)`` makes them.
        public init(module: String, declared: [ModuleSetting], values: [String: String]) {
            self.module = module
            self.declared = declared
            self.values = values
        }

        /// The value of `name`, or its default.
        /// - Precondition: the module declares `name`.
        public func string(_ name: String) -> String? {
            guard let setting = declared.first(where: { $0.name == name }) else {
                preconditionFailure("\(module) reads the setting \(name) it does not declare")
            }
            return values[name] ?? setting.defaultValue
        }

        /// The value of `name` as an integer in `range`, or its default.
        /// - Throws: ``ModuleSettingError`` when the value is not an integer in `range`.
        public func integer(_ name: String, in range: ClosedRange<Int>) throws(ModuleSettingError) -> Int? {
            guard let text = string(name) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw ModuleSettingError(
                    key: "\(module).\(name)",
                    message: "\(module).\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'"
                )
            }
            return value
        }

        /// The value of `name` as a duration in seconds (a whole or decimal number), or its default.
        /// - Throws: ``ModuleSettingError`` when the value is not a positive number of seconds.
        public func seconds(_ name: String) throws(ModuleSettingError) -> Duration? {
            guard let text = string(name) else { return nil }
            guard let value = Double(text), value > 0, value.isFinite else {
                throw ModuleSettingError(key: "\(module).\(name)", message: "\(module).\(name) must be a positive number of seconds, not '\(text)'")
            }
            return .milliseconds(Int64((value * 1000).rounded()))
        }
    }
}

/// A setting whose value is not usable, or that no module declares.
public struct ModuleSettingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting's key, `<module>.<setting>`.
    public let key: String
    /// A sentence saying what is wrong.
    public let message: String

    /// Creates an error.
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { message }
}
