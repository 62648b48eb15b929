import Testing

@testable import Agent

@Suite struct ArgumentSpecTests {
    static let read = ArgumentSpec(
        method: "fileRead", options: ["offset": .count, "encoding": .choice(["utf8", "base64"]), "mode": .octal],
        positional: ["path"])
    static let command = ArgumentSpec(
        method: "cliCommand", options: ["shell": .flag, "env": .repeated, "cwd": .text], positional: ["command"],
        variadic: true, takesData: true)

    @Test func optionsThenPositionals() throws {
        let parsed = try Self.read.parse(["--offset=12", "--encoding=base64", "/srv/a"], data: nil, methodTimeout: 5)
        #expect(parsed.count("offset") == 12)
        #expect(parsed.value("encoding") == "base64")
        #expect(parsed.positional == ["/srv/a"])
    }

    @Test func doubleDashEndsOptionsAndRepeatedOptionsAccumulate() throws {
        let parsed = try Self.command.parse(
            ["--env=A=1", "--env=B=2", "--shell", "--", "--not-an-option"], data: "x", methodTimeout: nil)
        #expect(parsed.values["env"] == ["A=1", "B=2"])
        #expect(parsed.flags == ["shell"])
        #expect(parsed.positional == ["--not-an-option"])
    }

    @Test func anArgvKeepsItsOwnDashes() throws {
        let parsed = try Self.command.parse(["ls", "--color=never", "-l"], data: nil, methodTimeout: nil)
        #expect(parsed.positional == ["ls", "--color=never", "-l"])
        #expect(parsed.values.isEmpty)
    }

    @Test(arguments: [
        (["/a", "/b"], "methodArgs[1]"),
        ([], "methodArgs[0]"),
        (["--offset=1"], "methodArgs[1]"),
        (["--bogus=1", "/a"], "--bogus"),
        (["--offset=-3", "/a"], "--offset"),
        (["--offset=ten", "/a"], "--offset"),
        (["--offset", "/a"], "--offset"),
        (["--offset=1", "--offset=2", "/a"], "--offset"),
        (["--encoding=latin1", "/a"], "--encoding"),
        (["--mode=0999", "/a"], "--mode"),
    ])
    func badArgumentsNameTheArgument(arguments: [String], named: String) {
        #expect(throws: ArgumentError.self) { try Self.read.parse(arguments, data: nil, methodTimeout: nil) }
        do {
            _ = try Self.read.parse(arguments, data: nil, methodTimeout: nil)
        } catch {
            #expect(error.argument == named, "\(arguments): \(error)")
        }
    }

    @Test func aFlagTakesNoValue() {
        #expect(throws: ArgumentError("--shell", "takes no value, got \"yes\"")) {
            try Self.command.parse(["--shell=yes", "ls"], data: nil, methodTimeout: nil)
        }
    }

    @Test func dataAndTimeoutAreChecked() {
        #expect(throws: ArgumentError("data", "fileRead takes no data")) {
            try Self.read.parse(["/a"], data: "x", methodTimeout: nil)
        }
        #expect(throws: ArgumentError.self) { try Self.read.parse(["/a"], data: nil, methodTimeout: -1) }
        #expect(throws: ArgumentError.self) { try Self.read.parse(["/a"], data: nil, methodTimeout: .nan) }
    }

    @Test(arguments: [("PATH", true), ("_x1", true), ("1X", false), ("A-B", false), ("", false), ("Ä", false)])
    func environmentNames(name: String, valid: Bool) {
        #expect(CLICommandHandler.isVariableName(name) == valid)
    }
}
