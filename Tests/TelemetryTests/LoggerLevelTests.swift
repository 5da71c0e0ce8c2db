import Foundation
import Telemetry
import Testing

@Suite struct LoggerLevelTests {
    @Test(arguments: [
        ("info", Logger.Level.info),
        ("DEBUG", .debug),
        ("Warning", .warning),
        (" critical ", .critical),
        ("trace", .trace),
        ("notice", .notice),
        ("error", .error),
    ])
    func parsesLevelNamesCaseInsensitively(name: String, level: Logger.Level) {
        #expect(Logger.Level(name) == level)
    }

    @Test(arguments: ["", "verbose", "inf", "warn ing"])
    func rejectsUnknownLevelNames(name: String) {
        #expect(Logger.Level(name) == nil)
    }

    @Test func levelsAreOrderedBySeverity() {
        #expect(Logger.Level.allCases.sorted() == [.trace, .debug, .info, .notice, .warning, .error, .critical])
        #expect(Logger.Level.warning > .info)
    }

    @Test func levelsEncodeAsTheirLowercaseNames() throws {
        let data = try JSONEncoder().encode([Logger.Level.notice])
        #expect(String(decoding: data, as: UTF8.self) == #"["notice"]"#)
        #expect(try JSONDecoder().decode([Logger.Level].self, from: data) == [.notice])
    }
}
