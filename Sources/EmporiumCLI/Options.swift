import Emporium
import Foundation
import ServiceKit
import Telemetry

/// The flags several commands share, and how their text becomes configuration values.
enum Options {
    static let data = Option("data", .value(placeholder: "DIR"), environment: "EMPORIUM_DATA", "The data directory (default ./.emporium).")
    static let seed = Option(
        "seed",
        .value(placeholder: "FILE"),
        environment: "EMPORIUM_SEED",
        "The catalog document to import (default Fixtures/catalog/catalog.json)."
    )
    static let logLevel = Option(
        "log-level",
        .value(placeholder: "LEVEL"),
        environment: "EMPORIUM_LOG_LEVEL",
        "trace, debug, info, notice, warning, error or critical; JSON lines on stderr."
    )

    /// The data directory from `--data`/`EMPORIUM_DATA`, else `./.emporium`.
    static func dataDirectory(_ arguments: ParsedArguments) -> String {
        arguments.value(data)?.text ?? ".emporium"
    }

    /// The log level from `--log-level`/`EMPORIUM_LOG_LEVEL`, else `fallback`.
    static func logLevel(_ arguments: ParsedArguments, default fallback: Logger.Level) throws(CLIError) -> Logger.Level {
        try arguments.value(logLevel, expected: "a log level (trace, debug, info, notice, warning, error, critical)") { Logger.Level($0) }
            ?? fallback
    }

    /// The seed catalog from `--seed`/`EMPORIUM_SEED`, else the repository's fixture catalog; the file must be
    /// readable.
    /// - Throws: ``CLIError`` (66) when the given file cannot be read or there is no fixture catalog.
    static func seedCatalog(_ arguments: ParsedArguments) throws(CLIError) -> URL {
        if let (path, source) = arguments.value(seed) {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw CLIError(.inputUnreadable, "\(source): cannot read the seed catalog \(path)", hint: "pass a readable catalog document")
            }
            return URL(fileURLWithPath: path)
        }
        guard let fixture = EmporiumConfiguration.fixtureCatalog else {
            throw CLIError(
                .inputUnreadable,
                "no seed catalog: Fixtures/catalog/catalog.json is not in the working directory or the source tree",
                hint: "pass one with --seed FILE"
            )
        }
        return fixture
    }

    // MARK: - Values

    /// `catalog=3,search=2`.
    static func replicas(_ text: String) -> [String: Int]? {
        var replicas: [String: Int] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, let count = Int(pair[1]), (1...64).contains(count) else { return nil }
            replicas[pair[0]] = count
        }
        return replicas.isEmpty ? nil : replicas
    }

    /// `catalog.product=latency:50ms,error:0.1`: the target (an endpoint or a service) and its fault.
    static func fault(_ text: String) -> (target: String, fault: FaultInjector.Fault)? {
        let pair = text.split(separator: "=", maxSplits: 1)
        guard pair.count == 2, !pair[0].isEmpty else { return nil }
        var latency: Duration?
        var errorRate = 0.0
        for setting in pair[1].split(separator: ",") {
            let parts = setting.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "latency":
                guard let value = duration(parts[1]) else { return nil }
                latency = value
            case "error":
                let rate = parts[1].hasSuffix("%") ? Double(parts[1].dropLast()).map { $0 / 100 } : Double(parts[1])
                guard let rate, (0...1).contains(rate) else { return nil }
                errorRate = rate
            default:
                return nil
            }
        }
        return (String(pair[0]), FaultInjector.Fault(latency: latency, errorRate: errorRate))
    }

    /// `250us`, `50ms`, `2s`.
    static func duration(_ text: String) -> Duration? {
        let units: [(suffix: String, scale: Double)] = [("us", 1e-6), ("ms", 1e-3), ("s", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Double(text.dropLast(unit.suffix.count)), number >= 0, number <= 3600 else { return nil }
            return .nanoseconds(Int64(number * unit.scale * 1e9))
        }
        return nil
    }

    /// Hexadecimal bytes, at least 32 of them.
    static func secret(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count >= 64, digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// A TCP port, 0 for any free one.
    static func port(_ text: String) -> Int? {
        Int(text).flatMap { (0...65535).contains($0) ? $0 : nil }
    }
}

extension Emporium {
    /// Waits until ``hasSettled()``, checking every 20 ms.
    /// - Throws: ``CLIError`` (1) when `timeout` passes first.
    func waitUntilSettled(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !hasSettled() {
            guard ContinuousClock.now < deadline else {
                throw CLIError(.failure, "events were still being handled after \(timeout); search may be incomplete")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
