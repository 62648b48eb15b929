import ArgumentParser

/// `--metrics ADDR`: the central's Prometheus endpoint, off by default.
struct MetricsOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://ADDR/metrics (HOST:PORT, :PORT for 127.0.0.1, [IPv6]:PORT). Default: off.",
            valueName: "addr"))
    var metrics: String?

    func validate() throws {
        _ = try address()
    }

    /// The parsed address; nil when off.
    func address() throws -> MetricsAddress? {
        guard let metrics else { return nil }
        do {
            return try MetricsAddress(metrics)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
