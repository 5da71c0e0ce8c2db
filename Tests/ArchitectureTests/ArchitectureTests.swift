import Testing

@Suite struct ArchitectureTests {
    @Test func theSourcesKeepTheModuleBoundaries() throws {
        let imports = try SourceImports.load()
        // The scan found the targets, so the rules below ran on something.
        #expect(imports["Storage"]?.contains("CSQLite") == true)
        #expect(imports["HTTP"] != nil)
        let violations = BoundaryRules(imports: imports).violations()
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
    }

    @Test func platformTargetsImportOnlyPlatformAndSystemModules() throws {
        let imports = try SourceImports.load()
        let allowed: Set<String> = BoundaryRules.platform.union([
            "CSQLite", "CCrypt", "CLinux", "Foundation", "FoundationEssentials", "Dispatch", "Synchronization", "Glibc", "Darwin", "Musl",
        ])
        for target in BoundaryRules.platform.sorted() {
            let outside = (imports[target] ?? []).subtracting(allowed)
            #expect(outside.isEmpty, "\(target) imports \(outside.sorted())")
        }
    }

    @Test func theCheckerCatchesEachKindOfViolation() {
        let broken = BoundaryRules(imports: [
            "Storage": ["CSQLite", "CatalogAPI"],
            "CatalogAPI": ["Foundation", "Storage", "ServiceKit"],
            "Orders": ["OrdersAPI", "Payments", "PaymentsAPI", "Storage"],
            "StoreFront": ["Catalog"],
            "Emporium": ["Catalog", "Orders"],
            "Search": ["CatalogAPI", "Messaging"],
        ]).violations()
        #expect(broken.contains("platform target Storage imports the capability module CatalogAPI"))
        #expect(broken.contains { $0.hasPrefix("CatalogAPI imports Storage") })
        #expect(broken.contains("Orders imports the implementation Payments; import PaymentsAPI instead"))
        #expect(broken.contains { $0.hasPrefix("StoreFront imports the implementation Catalog") })
        #expect(broken.count == 4, "\(broken)")
    }

    @Test func theKernelImportsNoCapabilityNorInfrastructure() throws {
        let imports = try SourceImports.load()
        let kernel = try #require(imports[BoundaryRules.kernel], "Sources/\(BoundaryRules.kernel) was found")
        #expect(kernel.contains("ServiceKit"), "the scan read the kernel's imports")
        #expect(kernel.isSubset(of: BoundaryRules.kernelMayImport), "\(BoundaryRules.kernel) imports \(kernel.sorted())")
        // Every capability API imports the kernel or nothing of it; none is kept from it.
        let apis = BoundaryRules.capabilities.map { $0 + "API" }.filter { imports[$0] != nil }
        #expect(!apis.isEmpty)
        #expect(BoundaryRules(imports: imports.filter { apis.contains($0.key) || $0.key == BoundaryRules.kernel }).violations().isEmpty)

        let broken = BoundaryRules(imports: [
            "Commerce": ["ServiceKit", "CatalogAPI", "Catalog", "Storage", "HTTP", "Gateway"],
            "CatalogAPI": ["Commerce", "Messaging", "ServiceKit", "Foundation"],
            "Messaging": ["Commerce", "Storage"],
        ]).violations()
        for module in ["CatalogAPI", "Catalog", "Storage", "HTTP", "Gateway"] {
            #expect(broken.contains { $0.hasPrefix("Commerce imports \(module);") }, "\(broken)")
        }
        #expect(broken.contains("platform target Messaging imports the shop's kernel Commerce; the platform knows nothing of the shop"))
        #expect(!broken.contains { $0.hasPrefix("CatalogAPI") }, "an API may import the kernel")
        // Six, plus the general rule that only the composition root imports an implementation (Catalog).
        #expect(broken.count == 7, "\(broken)")
    }

    @Test(arguments: [
        ("import Foundation", "Foundation"),
        ("public import Storage", "Storage"),
        ("@testable import Catalog", "Catalog"),
        ("internal import CSQLite", "CSQLite"),
        ("import struct Foundation.Data", "Foundation"),
        ("let important = 1", nil),
        ("// import Catalog", nil),
    ])
    func importLinesAreRead(line: String, module: String?) {
        #expect(SourceImports.importedModule(in: Substring(line)) == module)
    }
}
