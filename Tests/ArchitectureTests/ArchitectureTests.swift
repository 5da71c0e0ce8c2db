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
