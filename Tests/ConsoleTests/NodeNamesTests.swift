import Testing

@testable import Console

@Suite struct NaturalOrderTests {
    @Test func numbersInNamesSortAsNumbers() {
        #expect(
            NaturalOrder.sorted(["pi-859", "pi-86", "pi-10", "pi-2", "edge-gw", "pi-1"])
                == ["edge-gw", "pi-1", "pi-2", "pi-10", "pi-86", "pi-859"])
    }

    @Test func textRunsAndSeveralNumbersCompareInTurn() {
        #expect(
            NaturalOrder.sorted(["rack2-node10", "rack10-node1", "rack2-node9", "rack2"])
                == ["rack2", "rack2-node9", "rack2-node10", "rack10-node1"])
        #expect(NaturalOrder.precedes("pi", "pi-1"))
        #expect(!NaturalOrder.precedes("pi-1", "pi-1"))
    }

    @Test func paddedNumbersEqualInValueFallBackToTextAndHugeNumbersDoNotOverflow() {
        #expect(NaturalOrder.sorted(["n-2", "n-02"]) == ["n-02", "n-2"])
        #expect(NaturalOrder.precedes("n-99999999999999999999", "n-100000000000000000000"))
    }
}

@Suite struct NodeListTests {
    @Test(arguments: [
        (
            ["pi-1", "pi-2", "pi-3", "pi-4", "pi-5", "pi-6", "pi-7", "pi-8", "pi-9", "pi-12", "edge-gw"],
            "edge-gw, pi-[1-9,12]"
        ),
        (["pi-3"], "pi-3"),
        (["b", "a", "a"], "a, b"),
        (["pi-01", "pi-02", "pi-10", "pi-11"], "pi-[01-02,10-11]"),
        (["pi-1", "pi-01"], "pi-01, pi-1"),
        (["node7", "node9", "node8", "sensor-2", "sensor-4"], "node[7-9], sensor-[2,4]"),
        (["42", "43"], "42, 43"),
    ])
    func namesAreWrittenCompactly(_ names: [String], _ expected: String) {
        #expect(NodeList.compact(names) == expected)
    }
}
