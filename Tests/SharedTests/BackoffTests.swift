import Shared
import Testing

@Suite struct BackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        let backoff = Backoff(initial: 1, cap: 60, jitter: 0.2)
        let middle = (1...10).map { backoff.seconds(afterAttempt: $0, random: 0) }
        #expect(middle == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60])
    }

    @Test(arguments: [1, 2, 5, 9, 40, 1000])
    func jitterStaysWithinTwentyPercent(attempt: Int) {
        let backoff = Backoff(initial: 1, cap: 60, jitter: 0.2)
        let base = backoff.seconds(afterAttempt: attempt, random: 0)
        #expect(backoff.seconds(afterAttempt: attempt, random: -1) == base * 0.8)
        #expect(backoff.seconds(afterAttempt: attempt, random: 1) == base * 1.2)
        for _ in 0..<200 {
            let wait = backoff.seconds(afterAttempt: attempt)
            #expect(wait >= base * 0.8 && wait <= base * 1.2)
        }
    }

    @Test func redactsCredentialsInURLs() {
        var configuration = NATSConfiguration(servers: ["nats://alice:s3cret@hub:4222", "nats://tok@h2:4222", "nats://h3:4222"])
        configuration.name = "x"
        #expect(configuration.displayServers == "nats://***@hub:4222,nats://***@h2:4222,nats://h3:4222")
    }
}
