import Logging
import ServiceLifecycle
import Shared
import UnixSignals

/// SIGHUP reads the configuration file and the ACL again (instead of ending the process). The signal is trapped
/// from ``trap()`` on, before the node starts, so a SIGHUP sent as soon as the agent listens is never fatal.
struct HangupReloads: Service {
    let signals: UnixSignalsSequence
    let runtime: NodeRuntime
    let reloader: ConfigReloader
    let logger: Logger

    static func trap() async -> UnixSignalsSequence {
        await UnixSignalsSequence(trapping: .sighup)
    }

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            reloader.reload(node: runtime.configuration.node, errors: runtime.errors, logger: logger)
            runtime.reloadAccessList()
        }
    }
}
