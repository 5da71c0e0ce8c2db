import Foundation
import Synchronization
import Telemetry
import Testing

@Suite struct JSONLinesLogHandlerTests {
    @Test func eachLineIsOneJSONObjectWithTheDocumentedKeys() throws {
        let output = LogOutput.memory()
        let logger = Logger(label: "catalog", handler: JSONLinesLogHandler(output: output))

        logger.info("product updated", metadata: ["sku": "A-1", "quantity": .stringConvertible(3)])
        logger.error("product missing")

        let lines = output.recordedLines
        try #require(lines.count == 2)
        let first = try parse(lines[0])
        #expect(first["level"] as? String == "info")
        #expect(first["service"] as? String == "catalog")
        #expect(first["message"] as? String == "product updated")
        #expect(first["fields"] as? [String: String] == ["sku": "A-1", "quantity": "3"])
        let time = try #require(first["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/) != nil)
        #expect(first["trace_id"] == nil)
        #expect(first["span_id"] == nil)

        let second = try parse(lines[1])
        #expect(second["level"] as? String == "error")
        #expect(second["fields"] == nil)
    }

    @Test func stringsAreEscapedAndNonASCIIPassesThroughAsUTF8() throws {
        let output = LogOutput.memory()
        let logger = Logger(label: "svc \"quoted\"", handler: JSONLinesLogHandler(output: output))
        let message = "say \"hi\" \\ back\\slash\nnew line\r\ttab \u{0} nul \u{1} \u{1F} \u{7F} é 日本 🚀"
        let key = "key \"with\" \\ and \n"

        logger.notice("\(message)", metadata: [key: "\(message)", "nested": ["list": ["a\"", "b\n"]]])

        let lines = output.recordedLines
        try #require(lines.count == 1)
        let line = lines[0]
        #expect(!line.contains("\n"))
        #expect(!line.contains("\r"))
        #expect(!line.contains("\t"))
        #expect(!line.contains("\u{0}"))
        #expect(line.contains(#"\u0000"#))
        #expect(line.contains(#"\u0001"#))
        #expect(line.contains(#"\u001f"#))
        #expect(line.contains("é 日本 🚀"))

        let object = try parse(line)
        #expect(object["service"] as? String == "svc \"quoted\"")
        #expect(object["message"] as? String == message)
        let fields = try #require(object["fields"] as? [String: Any])
        #expect(fields[key] as? String == message)
        let nested = try #require(fields["nested"] as? [String: Any])
        #expect(nested["list"] as? [String] == ["a\"", "b\n"])
    }

    @Test func levelFilterDropsRecordsBelowTheLoggersLevel() throws {
        let output = LogOutput.memory()
        var logger = Logger(label: "test", handler: JSONLinesLogHandler(output: output, logLevel: .info))
        logger.logLevel = .warning

        logger.trace("t")
        logger.debug("d")
        logger.info("i")
        logger.notice("n")
        logger.warning("w")
        logger.error("e")
        logger.critical("c")

        let levels = try output.recordedLines.map { try parse($0)["level"] as? String }
        #expect(levels == ["warning", "error", "critical"])
    }

    @Test func messageAndMetadataBelowTheLevelAreNeverEvaluated() {
        let output = LogOutput.memory()
        let logger = Logger(label: "test", handler: JSONLinesLogHandler(output: output, logLevel: .info))
        let evaluations = Atomic<Int>(0)
        func expensive() -> String {
            evaluations.add(1, ordering: .relaxed)
            return "expensive"
        }

        logger.debug("\(expensive())", metadata: ["value": "\(expensive())"])
        logger.trace("\(expensive())", metadata: ["value": "\(expensive())"])
        #expect(evaluations.load(ordering: .relaxed) == 0)
        #expect(output.recordedLines.isEmpty)

        logger.info("\(expensive())", metadata: ["value": "\(expensive())"])
        #expect(evaluations.load(ordering: .relaxed) == 2)
        #expect(output.recordedLines.count == 1)
    }

    @Test func callMetadataWinsOverLoggerMetadata() throws {
        let output = LogOutput.memory()
        var logger = Logger(label: "test", handler: JSONLinesLogHandler(output: output, metadata: ["module": "catalog"]))
        logger[metadataKey: "request"] = "r-1"
        #expect(logger[metadataKey: "request"] == "r-1")

        logger.info("first")
        logger.info("second", metadata: ["request": "r-2", "extra": "x"])

        let fields = try output.recordedLines.map { try parse($0)["fields"] as? [String: String] }
        #expect(fields[0] == ["module": "catalog", "request": "r-1"])
        #expect(fields[1] == ["module": "catalog", "request": "r-2", "extra": "x"])
    }

    @Test func traceIDAndSpanIDAppearInsideASpanOnly() async throws {
        let output = LogOutput.memory()
        let logger = Logger(label: "test", handler: JSONLinesLogHandler(output: output))
        let tracer = Tracer(service: "test")

        logger.info("before")
        let context = await tracer.withSpan("work") { span in
            logger.info("inside")
            await Task.yield()
            logger.info("after await")
            return span.context
        }
        logger.info("after")

        let objects = try output.recordedLines.map(parse)
        try #require(objects.count == 4)
        #expect(objects[0]["trace_id"] == nil)
        for inside in objects[1...2] {
            #expect(inside["trace_id"] as? String == context.traceID.description)
            #expect(inside["span_id"] as? String == context.spanID.description)
        }
        #expect(objects[3]["trace_id"] == nil)
        #expect(objects[3]["span_id"] == nil)
    }

    @Test func concurrentLoggingToAFileYieldsOnlyWholeLines() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-\(UUID().uuidString).log")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try FileHandle(forWritingTo: url)
        let logger = Logger(label: "test", handler: JSONLinesLogHandler(output: LogOutput(fileDescriptor: file.fileDescriptor)))
        let tasks = 32
        let linesPerTask = 50
        // Long lines make a torn or interleaved write show up as invalid JSON.
        let padding = String(repeating: "x", count: 4_000)

        await withTaskGroup { group in
            for task in 0..<tasks {
                group.addTask {
                    for line in 0..<linesPerTask {
                        logger.info("line \(line) \(padding)", metadata: ["task": "\(task)"])
                    }
                }
            }
        }
        try file.close()

        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == tasks * linesPerTask)
        var perTask: [String: Int] = [:]
        for line in lines {
            let object = try parse(String(line))
            let task = try #require((object["fields"] as? [String: String])?["task"])
            perTask[task, default: 0] += 1
        }
        #expect(perTask.count == tasks)
        #expect(perTask.values.allSatisfy { $0 == linesPerTask })
    }

    @Test(arguments: [
        (1_700_000_000.25, "2023-11-14T22:13:20.250000Z"),
        (1_709_164_800, "2024-02-29T00:00:00.000000Z"),
        (0, "1970-01-01T00:00:00.000000Z"),
        (-0.5, "1969-12-31T23:59:59.500000Z"),
        (951_868_800, "2000-03-01T00:00:00.000000Z"),
    ])
    func timeIsRFC3339UTCWithMicroseconds(seconds: Double, expected: String) throws {
        let handler = JSONLinesLogHandler(output: .memory())
        let event = LogEvent(
            label: "test",
            level: .info,
            message: "m",
            metadata: nil,
            source: "Test",
            file: #fileID,
            function: #function,
            line: #line,
            traceContext: nil,
            time: Date(timeIntervalSince1970: seconds)
        )
        #expect(try parse(handler.format(event))["time"] as? String == expected)
    }

    @Test func closureOutputReceivesEachLine() {
        let received = Mutex<[String]>([])
        let output = LogOutput { line in received.withLock { $0.append(line) } }
        let logger = Logger(label: "test", handler: JSONLinesLogHandler(output: output))

        logger.warning("careful")

        let lines = received.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("{") == true)
        #expect(lines.first?.hasSuffix("}") == true)
    }

    private func parse(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(line)")
    }
}
