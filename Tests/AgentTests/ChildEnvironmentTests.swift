import Testing

@testable import Agent

@Suite struct ChildEnvironmentTests {
    /// The C strings of `array`, up to its NULL.
    private func strings(_ array: CStringArray) -> [String] {
        var result: [String] = []
        var index = 0
        while let pointer = array.pointers[index] {
            result.append(String(cString: pointer))
            index += 1
        }
        return result
    }

    @Test func rowsAreSortedAndTheSpawnGetsThemAsTheyAre() {
        let environment = ChildEnvironment(["PATH": "/bin", "A": "1", "EMPTY": ""])
        #expect(strings(environment.pointers) == ["A=1", "EMPTY=", "PATH=/bin"])
        #expect(environment.searchPath == "/bin")
    }

    @Test func overridesReplaceAVariableOfTheSameNameAndAddTheRest() {
        let environment = ChildEnvironment(["PATH": "/bin", "PATHS": "x", "A": "1"])
            .updating(["PATH": "/opt/bin", "B": "two=2"])
        #expect(strings(environment.pointers) == ["A=1", "PATHS=x", "B=two=2", "PATH=/opt/bin"])
        #expect(environment.searchPath == "/opt/bin")
    }

    @Test func noPathMeansNoSearchPath() {
        #expect(ChildEnvironment(["A": "1"]).searchPath == nil)
        #expect(ChildEnvironment(["A": "1"]).updating(["B": "2"]).searchPath == nil)
    }

    @Test func anArgumentVectorEndsWithNull() {
        let arguments = CStringArray(["bash", "-c", "echo hi", ""])
        #expect(strings(arguments) == ["bash", "-c", "echo hi", ""])
        #expect(arguments.pointers[4] == nil)
        #expect(strings(CStringArray([])) == [])
    }
}
