import CNCurses
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one thread that owns ncurses: it reads keys (with a short timeout), draws the latest frame handed to
/// it, turns SIGINT into Ctrl-C and a first SIGTERM into
/// a request to leave. Other threads only hand it frames and raw output through a mutex.
final class TerminalThread: Sendable {
    private struct Outbox {
        var frame: Frame?
        var raw: [String] = []
        var stop = false
    }

    private let outbox = Mutex(Outbox())
    private let handle = Mutex<pthread_t?>(nil)
    private let noColor: Bool
    private let installSignalHandlers: Bool

    init(noColor: Bool, installSignalHandlers: Bool) {
        self.noColor = noColor
        self.installSignalHandlers = installSignalHandlers
    }

    /// Starts the thread; `onEvent` gets keys and sizes on it. Throws when there is no usable terminal.
    func start(onEvent: @escaping @Sendable (ConsoleEvent) -> Void) throws(TerminalError) {
        let started = Mutex<Result<Void, TerminalError>?>(nil)
        let body = Unmanaged.passRetained(
            Body {
                let screen: TerminalScreen
                do {
                    screen = try TerminalScreen(noColor: self.noColor)
                } catch {
                    let reason = (error as? TerminalError) ?? TerminalError(description: "\(error)")
                    started.withLock { $0 = .failure(reason) }
                    return
                }
                if self.installSignalHandlers { bosun_install_signal_handlers() }
                defer {
                    if self.installSignalHandlers { bosun_restore_signal_handlers() }
                    screen.close()
                }
                started.withLock { $0 = .success(()) }
                self.loop(screen, onEvent: onEvent)
            })
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, body.toOpaque())
        guard result == 0 else {
            body.release()
            throw TerminalError(description: "cannot start the terminal thread (error \(result))")
        }
        handle.withLock { $0 = thread }
        while true {
            if let outcome = started.withLock({ $0 }) {
                if case .failure(let error) = outcome {
                    join()
                    throw error
                }
                return
            }
            usleep(2000)
        }
    }

    /// Hands over the next frame; frames not yet drawn are replaced, not queued.
    func show(_ frame: Frame) { outbox.withLock { $0.frame = frame } }

    /// Writes raw bytes (an OSC 52 sequence) after the next draw.
    func writeRaw(_ text: String) { outbox.withLock { $0.raw.append(text) } }

    /// Stops the thread and waits until it has given the terminal back.
    func stop() {
        outbox.withLock { $0.stop = true }
        join()
    }

    private func join() {
        guard let thread = handle.withLock({ value -> pthread_t? in
            defer { value = nil }
            return value
        }) else { return }
        pthread_join(thread, nil)
    }

    private func loop(_ screen: TerminalScreen, onEvent: @Sendable (ConsoleEvent) -> Void) {
        let size = screen.size
        onEvent(.resize(cols: size.cols, rows: size.rows))
        while true {
            let (frame, raw, stop) = outbox.withLock { box in
                defer {
                    box.frame = nil
                    box.raw = []
                }
                return (box.frame, box.raw, box.stop)
            }
            if stop { return }
            if let frame { screen.draw(frame) }
            for text in raw { screen.writeRaw(text) }
            if bosun_take_sigint() != 0 { onEvent(.key(.ctrl("c"))) }
            if bosun_take_sigterm() != 0 { onEvent(.terminate) }
            switch screen.read() {
            case .key(let key)?: onEvent(.key(key))
            case .resize?:
                screen.invalidate()
                let size = screen.size
                onEvent(.resize(cols: size.cols, rows: size.rows))
            case nil: break
            }
        }
    }
}

/// A closure boxed for `pthread_create`.
private final class Body {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
