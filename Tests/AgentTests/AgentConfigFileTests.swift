import Testing

@testable import Agent

@Suite struct AgentConfigFileTests {
    @Test func everyKnownKeyIsRead() throws {
        let text = #"""
            {"node": "pi-1", "server": "nats://hub:4222", "central": "hq", "helloInterval": 5,
             "logLevel": "debug", "allowDirs": ["/srv", "/var/log"], "labels": {"site": "barn", "hw": "pi4"},
             "metricsInterval": 30, "metricsMounts": ["/", "/srv/data"]}
            """#
        let file = try AgentConfigFile.parse(Array(text.utf8), path: "/etc/bosun/agent.json")
        #expect(file.node == "pi-1")
        #expect(file.server == "nats://hub:4222")
        #expect(file.central == "hq")
        #expect(file.helloInterval == 5)
        #expect(file.logLevel == .debug)
        #expect(file.allowDirs == ["/srv", "/var/log"])
        #expect(file.labels == ["site": "barn", "hw": "pi4"])
        #expect(file.metricsInterval == 30)
        #expect(file.metricsMounts == ["/", "/srv/data"])
    }

    @Test func metricsIntervalZeroTurnsMetricsOffAndAbsentKeysLeaveTheDefaults() throws {
        let off = try AgentConfigFile.parse(Array(#"{"metricsInterval": 0}"#.utf8), path: "agent.json")
        #expect(off.metricsInterval == 0)
        let empty = try AgentConfigFile.parse(Array("{}".utf8), path: "agent.json")
        #expect(empty.metricsInterval == nil && empty.metricsMounts == nil)
    }

    @Test(arguments: [
        (#"{"allowDir": ["/srv"]}"#, "allowDir"),
        (#"{"helloInterval": "ten"}"#, "helloInterval"),
        (#"{"helloInterval": 0}"#, "helloInterval"),
        (#"{"logLevel": "loud"}"#, "logLevel"),
        (#"{"allowDirs": ["srv"]}"#, "allowDirs[0]"),
        (#"{"allowDirs": "/srv"}"#, "allowDirs"),
        (#"{"node": 3}"#, "node"),
        (#"{"labels": ["barn"]}"#, "labels"),
        (#"{"labels": {"site": 3}}"#, "labels.site"),
        (#"{"labels": {"site": "the barn"}}"#, "labels.site"),
        (#"{"labels": {"": "barn"}}"#, "labels."),
        (#"{"metricsInterval": -1}"#, "metricsInterval"),
        (#"{"metricsInterval": "10s"}"#, "metricsInterval"),
        (#"{"metricsMounts": "/"}"#, "metricsMounts"),
        (#"{"metricsMounts": ["/", "srv"]}"#, "metricsMounts[1]"),
    ])
    func wrongKeysAndValuesNameTheKeyAndTheFile(text: String, key: String) {
        do {
            _ = try AgentConfigFile.parse(Array(text.utf8), path: "/etc/bosun/agent.json")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.key == key)
            #expect(error.description.contains("/etc/bosun/agent.json"))
            #expect(error.description.contains("`\(key)`"))
        }
    }

    @Test func notAnObjectOrNotJSON() {
        #expect(throws: ConfigError.self) { try AgentConfigFile.parse(Array("[]".utf8), path: "f") }
        #expect(throws: ConfigError.self) { try AgentConfigFile.parse(Array("{".utf8), path: "f") }
    }
}
