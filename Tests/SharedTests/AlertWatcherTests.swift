import Foundation
import Logging
import Shared
import Testing

/// The central node's alerts: the rules file, what crosses a rule, and one entry when crossed and one when
/// cleared, on injected times.
@Suite struct AlertWatcherTests {
    static let start = Timestamp(millisecondsSinceEpoch: 1_796_083_200_000)

    private func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bosun-alerts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    @Test func rulesComeFromTheFileAndABadOneIsNamedWithItsKey() throws {
        try withDirectory { directory in
            #expect(try AlertRules.load(dataDirectory: directory) == AlertRules())
            let path = directory + "/alerts.json"
            try Data(#"{"diskPercent": 75, "nodeDownSeconds": 60}"#.utf8).write(to: URL(fileURLWithPath: path))
            let rules = try AlertRules.load(dataDirectory: directory)
            #expect(rules.diskPercent == 75)
            #expect(rules.nodeDownSeconds == 60)
            #expect(rules.temperature == 80)

            try Data(#"{"diskPercnt": 75}"#.utf8).write(to: URL(fileURLWithPath: path))
            #expect {
                try AlertRules.load(dataDirectory: directory)
            } throws: { error in
                "\(error)".contains(path) && "\(error)".contains("key `diskPercnt`: unknown key")
            }
            try Data(#"{"temperature": "hot"}"#.utf8).write(to: URL(fileURLWithPath: path))
            #expect {
                try AlertRules.load(dataDirectory: directory)
            } throws: { error in
                "\(error)".contains("key `temperature`: must be a positive number, got \"hot\"")
            }
        }
    }

    @Test func crossedNamesEachRuleAndItsValue() {
        let rules = AlertRules()
        let crossed = rules.crossed(
            lastSeen: Self.start, latest: ["temp": 81.25, "disk:/": 95, "disk:/data": 50, "cpu": 100],
            now: Self.start.adding(seconds: 301))
        #expect(crossed == [
            "down": "down: not heard from for 301 s (alert after 300 s)",
            "temp": "temperature 81.3 °C (alert above 80 °C)",
            "disk:/": "disk / 95% full (alert above 90%)",
        ])
        #expect(rules.crossed(lastSeen: Self.start, latest: ["temp": 80, "disk:/": 90], now: Self.start.adding(seconds: 300)).isEmpty)
    }

    @Test func anAlertIsWrittenOnceWhenCrossedAndOnceWhenCleared() throws {
        try withDirectory { directory in
            let store = try Store(path: directory + "/state.db")
            let metrics = try MetricsStore(path: directory + "/metrics.db")
            let errors = ErrorReporter(
                node: "central", centralNode: "central", dataDirectory: directory, logger: Logger(label: "test"))
            var rules = AlertRules()
            rules.nodeDownSeconds = 30
            let watcher = AlertWatcher(rules: rules, store: store, metrics: metrics, errors: errors)
            try store.recordHello(node: "pi", facts: nil, helloInterval: 10, at: Self.start)
            var hot = MetricsSample(time: Self.start)
            hot.temp = 85
            try metrics.record(hot, node: "pi", now: Self.start)

            #expect(try watcher.check(now: Self.start.adding(seconds: 5)).map(\.error) == [
                "node pi: temperature 85 °C (alert above 80 °C)"
            ])
            #expect(try watcher.check(now: Self.start.adding(seconds: 10)).isEmpty)
            // Silent past the limit: down, once; the temperature stays in force.
            #expect(try watcher.check(now: Self.start.adding(seconds: 31)).map(\.error) == [
                "node pi: down: not heard from for 31 s (alert after 30 s)"
            ])
            #expect(try watcher.check(now: Self.start.adding(seconds: 40)).isEmpty)
            // Back, and cooler.
            try store.recordHello(node: "pi", facts: nil, helloInterval: 10, at: Self.start.adding(seconds: 50))
            var cool = MetricsSample(time: Self.start.adding(seconds: 50))
            cool.temp = 60
            try metrics.record(cool, node: "pi", now: Self.start.adding(seconds: 50))
            #expect(try watcher.check(now: Self.start.adding(seconds: 51)).map(\.error) == [
                "cleared: node pi: heard from again after 20 s",
                "cleared: node pi: temp back under its threshold after 46 s",
            ])
            #expect(try watcher.check(now: Self.start.adding(seconds: 52)).isEmpty)

            let logged = ErrorReporter.entries(dataDirectory: directory)
            #expect(logged.count == 4)
            #expect(logged.allSatisfy { $0.kind == .alert && $0.node == "pi" })
            // A restart (a new watcher on the same stores) repeats nothing.
            #expect(try AlertWatcher(rules: rules, store: store, metrics: metrics, errors: errors)
                .check(now: Self.start.adding(seconds: 53)).isEmpty)
        }
    }
}
