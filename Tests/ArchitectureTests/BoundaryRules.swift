/// The dependency rules of the blueprint (`../shared/DESIGN.md`, "Dependency rules"), checked against the modules
/// each target imports.
///
/// API targets may import the kernel (`Commerce`) besides Messaging, ServiceKit and Foundation; the kernel imports
/// no capability and no infrastructure, so any capability can depend on it without depending on another.
struct BoundaryRules {
    static let capabilities = [
        "Identity", "Customers", "Catalog", "Search", "Recommendations", "Cart", "Inventory", "Warehouse", "Payments", "Orders",
    ]
    static let platform: Set<String> = ["Storage", "Telemetry", "Messaging", "ModuleKit", "ServiceKit", "Security", "HTTP", "Gateway"]
    static let compositionRoot = "Emporium"
    /// The shop's shared values (Money, ProductID, Quantity): below every capability, above the platform.
    static let kernel = "Commerce"
    /// What the kernel may import: identifiers from ServiceKit and the standard library, nothing with behaviour.
    static let kernelMayImport: Set<String> = ["ServiceKit", "Foundation", "FoundationEssentials", "Synchronization"]
    /// Targets that exercise one module alone, as tests do, and so may import an implementation directly.
    static let measuringTools: Set<String> = ["Benchmarks", "TestHelper"]

    /// Imports per target: target name → imported module names.
    let imports: [String: Set<String>]

    /// Every broken rule, one sentence each.
    func violations() -> [String] {
        var found: [String] = []
        let implementations = Set(Self.capabilities)
        let apis = Set(Self.capabilities.map { $0 + "API" })
        for (target, modules) in imports.sorted(by: { $0.key < $1.key }) {
            if Self.platform.contains(target) {
                for module in modules.sorted() where implementations.contains(module) || apis.contains(module) {
                    found.append("platform target \(target) imports the capability module \(module)")
                }
                if modules.contains(Self.kernel) {
                    found.append("platform target \(target) imports the shop's kernel \(Self.kernel); the platform knows nothing of the shop")
                }
            }
            if target == Self.kernel {
                for module in modules.sorted() where !Self.kernelMayImport.contains(module) {
                    found.append("\(target) imports \(module); the kernel imports only \(Self.kernelMayImport.sorted().joined(separator: ", "))")
                }
            }
            if apis.contains(target) {
                for module in modules.sorted() where module == "Storage" || module == "HTTP" || module == "Gateway" {
                    found.append("\(target) imports \(module); API targets use Messaging/ServiceKit contracts and Foundation only")
                }
                for module in modules.sorted() where implementations.contains(module) {
                    found.append("\(target) imports the implementation \(module)")
                }
            }
            if implementations.contains(target) {
                for module in modules.sorted() where implementations.contains(module) && module != target {
                    found.append("\(target) imports the implementation \(module); import \(module)API instead")
                }
            }
            if target != Self.compositionRoot && !implementations.contains(target) && !target.hasSuffix("Tests")
                && !Self.measuringTools.contains(target)
            {
                for module in modules.sorted() where implementations.contains(module) {
                    if !Self.platform.contains(target) && !apis.contains(target) {
                        found.append("\(target) imports the implementation \(module); only \(Self.compositionRoot) wires implementations")
                    }
                }
            }
        }
        return found
    }
}
