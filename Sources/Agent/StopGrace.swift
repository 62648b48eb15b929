import ServiceLifecycle
import Shared
import UnixSignals

/// The first part of the agent to stop at SIGTERM or SIGINT (the last one in its group): takes no new messages and
/// lets the running ones and httpGet transfers finish, up to `grace`; a second signal ends the wait at once. The
/// receiver, the outbox and the rest stop after it, so the answers of what finished still go out.
struct StopGrace: Service {
    let runtime: NodeRuntime
    let transfers: HTTPTransfers
    let grace: Duration

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch is CancellationError {
            return
        }
        let again = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await runtime.finishRunning(grace: grace)
                await transfers.finish(grace: grace)
            }
            group.addTask {
                for await _ in again { return }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
