import Shared

/// The interactive console: one queue of events (keys, ticks, whatever the outside posts) reduced into the
/// state, frames drawn at most `framesPerSecond` times a second, actions handed to the caller in order.
public final class ConsoleApp: Sendable {
    private enum Input: Sendable {
        case event(ConsoleEvent)
        case frameDue
    }

    private let options: ConsoleOptions
    private let inputs: AsyncStream<Input>
    private let continuation: AsyncStream<Input>.Continuation

    public init(_ options: ConsoleOptions) {
        self.options = options
        (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
    }

    /// Queues an event for the UI loop (node and message snapshots, connection changes, notices). Any thread.
    public func post(_ event: ConsoleEvent) { continuation.yield(.event(event)) }

    /// Takes the terminal and runs until the operator quits (or the task is cancelled); the terminal is given
    /// back on every path. `.copy` is written to the terminal as OSC 52 here and also handed on; `.quit` is
    /// handed on last. `onHistory` gets the compose history each time a sent line changes it.
    public func run(
        onAction: @escaping @Sendable (ConsoleAction) async -> Void,
        onHistory: @escaping @Sendable ([String]) -> Void = { _ in }
    ) async throws {
        let terminal = TerminalThread(noColor: options.noColor, installSignalHandlers: options.installSignalHandlers)
        try terminal.start { [continuation] event in continuation.yield(.event(event)) }
        defer { terminal.stop() }
        let (actions, actionSink) = AsyncStream.makeStream(of: ConsoleAction.self)
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask {
                for await action in actions { await onAction(action) }
            }
            await withTaskGroup(of: Void.self) { timers in
                timers.addTask { [continuation] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        continuation.yield(.event(.tick(.now)))
                    }
                }
                let interval = Duration.milliseconds(1000 / max(1, options.framesPerSecond))
                timers.addTask { [continuation] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        continuation.yield(.frameDue)
                    }
                }
                await loop(terminal: terminal, actions: actionSink, interval: interval, onHistory: onHistory)
                timers.cancelAll()
            }
            actionSink.finish()
        }
    }

    private func loop(
        terminal: TerminalThread, actions: AsyncStream<ConsoleAction>.Continuation, interval: Duration,
        onHistory: @Sendable ([String]) -> Void
    ) async {
        var state = ConsoleState(
            serverURL: options.serverURL, now: .now, utcOffset: ConsoleOptions.localUTCOffset, ascii: options.ascii,
            noColor: options.noColor, history: options.history)
        state.groups = options.groups
        let clock = ContinuousClock()
        var lastDraw = clock.now - interval
        var dirty = true
        for await input in inputs {
            switch input {
            case .frameDue:
                break
            case .event(let event):
                dirty = true
                let history = state.history
                let produced = reduce(&state, event)
                if state.history != history { onHistory(state.history) }
                for action in produced {
                    if case .copy(let text) = action { terminal.writeRaw(OSC52.sequence(text)) }
                    actions.yield(action)
                    if action == .quit { return }
                }
            }
            // Draw at once when the last frame is old enough, else on the next frame tick.
            if dirty, clock.now - lastDraw >= interval {
                terminal.show(render(state, cols: state.cols, rows: state.rows))
                lastDraw = clock.now
                dirty = false
            }
        }
    }
}
