import ArgumentParser

/// How `bosun send` and `bosun retry` wait for their messages.
struct WaitOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Wait for the ACK and print the result, through outages of the node.")
    var wait = true

    @Option(
        help: ArgumentHelp(
            "Stop waiting after this many seconds: exit 75, the message stays queued.", valueName: "seconds"))
    var timeout: Double?

    @Flag(help: "Exit 69 at once when the node is not connected (the message stays queued).")
    var failFast = false

    func validate() throws {
        if let timeout, !(timeout > 0) {
            throw ValidationError("--timeout: give a number of seconds above 0, got \(timeout)")
        }
        if !wait, timeout != nil || failFast {
            throw ValidationError("--no-wait does not wait: --timeout and --fail-fast apply to --wait only")
        }
    }

    /// The wait these options ask for, its --timeout counted from `started`.
    func sendWait(started: ContinuousClock.Instant) -> SendWait {
        var waiting = SendWait()
        waiting.firstAttemptOnly = !wait
        waiting.failFast = failFast
        waiting.deadline = timeout.map { started + .seconds($0) }
        return waiting
    }
}
