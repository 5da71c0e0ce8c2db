import Security
import Testing

@Suite struct PasswordHasherTests {
    @Test func yescryptHashesVerifyAndAreSalted() throws {
        let hasher = PasswordHasher(cost: 1)
        let first = try hasher.hash("correct horse battery staple")
        let second = try hasher.hash("correct horse battery staple")
        #expect(first.hasPrefix("$y$"))
        #expect(first != second, "each hash has its own salt")
        #expect(hasher.verify("correct horse battery staple", against: first))
        #expect(hasher.verify("correct horse battery staple", against: second))
        #expect(!hasher.verify("correct horse battery stapler", against: first))
        #expect(!hasher.verify("", against: first))
        #expect(!hasher.verify("anything", against: "not-a-hash"))
        #expect(!first.contains("correct horse"))
    }

    @Test func theCostTravelsWithTheHash() throws {
        let cheap = try PasswordHasher(cost: 1).hash("pw")
        let dearer = try PasswordHasher(cost: 5).hash("pw")
        // `$y$<parameters>$<salt>$<hash>`: the parameters field encodes the cost.
        #expect(cheap.split(separator: "$")[0] == "y")
        #expect(cheap.split(separator: "$")[1] != dearer.split(separator: "$")[1])
        // Verification reads the cost from the hash, whatever the verifier's own cost.
        #expect(PasswordHasher(cost: 5).verify("pw", against: cheap))
    }
}
