import CSpawn
import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one thread (`bosun-children`) that follows every running command: it reads their output, notices their
/// end, reaps them and keeps their deadlines, all from a single epoll wait.
///
/// A command costs its spawn, three descriptors in the epoll set (stdout, stderr and a pidfd) and one resumed
/// continuation: no task, thread or timer of its own. Output is read on this thread; lines for a streaming
/// command go to a callback that must not block (``ProcessRunner`` hands them to a queue).
final class ChildWatch: Sendable {
    /// The watch every command of this process uses; its thread starts with the first command.
    static let shared = ChildWatch()

    /// What starting a command needs besides its program.
    struct Request: Sendable {
        var timeout: Double
        var grace: Double
        var captureLimit: Int
        var workingDirectory: String?
        /// Complete lines of output as they come, on the watch's thread; nil: none wanted.
        var lines: (@Sendable (HandlerContext.OutputStream, String) -> Void)?
        /// The outcome, once, on the watch's thread.
        var finished: @Sendable (ProcessRunner.Outcome) -> Void
    }

    private struct Child {
        let pid: pid_t
        var pidfd: Int32
        var stdout: Int32
        var stderr: Int32
        var output: [OutputCapture]
        var deadline: GroupDeadline
        let request: Request

        var isDone: Bool { pidfd < 0 && stdout < 0 && stderr < 0 }

        /// When this child's deadline needs looking at next.
        var nextCheck: UInt64? {
            if let due = deadline.due { return due }
            guard pidfd < 0, let killedAt = deadline.killedAt else { return nil }
            return killedAt &+ deadline.grace
        }
    }

    private struct State {
        var children: [UInt64: Child] = [:]
        /// Commands cancelled before they were registered (``cancel(_:)`` came first).
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
        /// The time the thread sleeps until at most (`.max`: until something happens).
        var armed = UInt64.max
    }

    /// What a token in the epoll set stands for: the low two bits say which descriptor of a child.
    private enum Kind: UInt64 {
        case pidfd = 0, stdout = 1, stderr = 2
    }

    private static let wakeToken = UInt64.max

    private let state = Mutex(State())
    private let epoll: Int32
    private let wake: Int32

    private init() {
        epoll = bosun_epoll_create()
        wake = bosun_eventfd()
        precondition(epoll >= 0 && wake >= 0, "cannot create the epoll set for child processes: errno \(errno)")
        _ = bosun_epoll_add(epoll, wake, Self.wakeToken, 0)
        let body = Unmanaged.passRetained(LoopBody { [self] in loop() })
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<LoopBody>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, body.toOpaque())
        precondition(result == 0, "cannot start the thread for child processes: \(result)")
        pthread_detach(thread)
    }

    /// A number for the next command, so that it can be cancelled (``cancel(_:)``) before it has started.
    func reserve() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Spawns `executable` in a session of its own, as command `id` (from ``reserve()``), and follows it;
    /// `request.finished` gets its outcome. Throws when it cannot be started.
    func start(
        _ id: UInt64, executable: String, arguments: CStringArray, environment: CStringArray, request: Request
    ) throws(SpawnFailure) {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard bosun_pipe(&out) == 0 else { throw failure(id, "cannot make a pipe", errno) }
        guard bosun_pipe(&err) == 0 else {
            let code = errno
            close(out[0])
            close(out[1])
            throw failure(id, "cannot make a pipe", code)
        }
        var pid: pid_t = 0
        let spawned = request.workingDirectory.withOptionalCString { directory in
            bosun_spawn(&pid, executable, arguments.pointers, environment.pointers, out[1], err[1], directory)
        }
        close(out[1])
        close(err[1])
        guard spawned == 0 else {
            close(out[0])
            close(err[0])
            let place = request.workingDirectory.map { " in \($0)" } ?? ""
            throw failure(id, "cannot run \(executable)\(place)", spawned)
        }
        let pidfd = bosun_pidfd_open(pid)
        guard pidfd >= 0 else {
            let code = errno
            signalGroup(pid, SIGKILL)
            var exit: Int32 = 0
            var signal: Int32 = 0
            _ = bosun_reap(pid, &exit, &signal)
            close(out[0])
            close(err[0])
            throw failure(id, "cannot follow process \(pid)", code)
        }
        let now = Self.now()
        let child = Child(
            pid: pid, pidfd: pidfd, stdout: out[0], stderr: err[0],
            output: [.init(limit: request.captureLimit, wantsLines: request.lines != nil),
                     .init(limit: request.captureLimit, wantsLines: request.lines != nil)],
            deadline: GroupDeadline(start: now, timeout: request.timeout, grace: request.grace), request: request)
        let (wakeUp, cancelled) = state.withLock { state in
            state.children[id] = child
            let cancelled = state.cancelled.remove(id) != nil
            guard let due = child.deadline.due, due < state.armed else { return (false, cancelled) }
            state.armed = due
            return (true, cancelled)
        }
        _ = bosun_epoll_add(epoll, pidfd, id << 2 | Kind.pidfd.rawValue, 1)
        _ = bosun_epoll_add(epoll, out[0], id << 2 | Kind.stdout.rawValue, 1)
        _ = bosun_epoll_add(epoll, err[0], id << 2 | Kind.stderr.rawValue, 1)
        if cancelled { signalGroup(pid, SIGKILL) }
        if wakeUp { bosun_eventfd_signal(wake) }
    }

    /// Ends command `id`'s process group at once (its task was cancelled); it finishes as killed.
    func cancel(_ id: UInt64) {
        state.withLock { state in
            if let child = state.children[id] {
                if child.pidfd >= 0 { signalGroup(child.pid, SIGKILL) }
            } else if id > 0, id <= state.nextID {
                state.cancelled.insert(id)
            }
        }
    }

    /// Commands being followed now.
    var running: Int { state.withLock { $0.children.count } }

    private func failure(_ id: UInt64, _ what: String, _ code: Int32) -> SpawnFailure {
        state.withLock { _ = $0.cancelled.remove(id) }
        return SpawnFailure(what: what, code: code)
    }

    // MARK: - The thread

    private func loop() {
        bosun_name_thread("bosun-children")
        let capacity = 64
        var tokens = [UInt64](repeating: 0, count: capacity)
        var closed = [UInt8](repeating: 0, count: capacity)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        var work: [() -> Void] = []
        var ended: [UInt64] = []
        while true {
            let timeout = state.withLock { state -> Int32 in
                let now = Self.now()
                let due = state.children.values.lazy.compactMap(\.nextCheck).min() ?? .max
                state.armed = due
                guard due != .max else { return -1 }
                return due <= now ? 0 : Int32(clamping: (due - now + 999_999) / 1_000_000)
            }
            let count = bosun_epoll_wait(epoll, &tokens, &closed, Int32(capacity), timeout)
            state.withLock { state in
                ended.removeAll(keepingCapacity: true)
                for index in 0..<max(0, Int(count)) {
                    let token = tokens[index]
                    if token == Self.wakeToken {
                        bosun_eventfd_drain(wake)
                        continue
                    }
                    let id = token >> 2
                    guard state.children[id] != nil, let kind = Kind(rawValue: token & 3) else { continue }
                    // In place (`!`): a copy of the child would copy its output too.
                    let open = Self.handle(kind, hungUp: closed[index] != 0, of: &state.children[id]!, buffer: buffer, work: &work)
                    if let open {
                        // Registered for one event at a time: a descriptor is only asked about again while open, so
                        // a closed one never reports (a spawn elsewhere may hold a copy of it for a moment).
                        _ = bosun_epoll_rearm(epoll, open, token)
                    } else if state.children[id]!.isDone {
                        ended.append(id)
                    }
                }
                let now = Self.now()
                if now >= state.armed {
                    var index = state.children.startIndex
                    while index != state.children.endIndex {
                        Self.check(&state.children.values[index], at: now, work: &work)
                        if state.children.values[index].isDone { ended.append(state.children.keys[index]) }
                        state.children.formIndex(after: &index)
                    }
                }
                for id in ended {
                    guard let child = state.children.removeValue(forKey: id) else { continue }
                    work.append(Self.finish(child))
                }
            }
            for item in work { item() }
            work.removeAll(keepingCapacity: true)
        }
    }

    /// One descriptor of `child` is ready: output to read, or the process ended. Returns the descriptor when it
    /// stays open (more output may come).
    private static func handle(
        _ kind: Kind, hungUp: Bool, of child: inout Child, buffer: UnsafeMutableRawBufferPointer, work: inout [() -> Void]
    ) -> Int32? {
        guard kind != .pidfd else {
            // Ended (not reaped yet: the zombie keeps its pid, so the group's id cannot be reused meanwhile).
            if child.pidfd >= 0 { close(child.pidfd) }
            child.pidfd = -1
            return nil
        }
        let fd = kind == .stdout ? child.stdout : child.stderr
        guard fd >= 0 else { return nil }
        let count = read(fd, buffer.baseAddress, buffer.count)
        if count > 0 {
            if let text = child.output[kind == .stdout ? 0 : 1].append(UnsafeRawBufferPointer(rebasing: buffer[..<count])),
                let lines = child.request.lines
            {
                let stream: HandlerContext.OutputStream = kind == .stdout ? .stdout : .stderr
                work.append { lines(stream, text) }
            }
        }
        // Hung up with less than a full read: no writer is left and the pipe is empty, so this was its end.
        if count == 0 || (count < 0 && errno != EINTR) || (hungUp && count < buffer.count) {
            endOfOutput(kind, of: &child, work: &work)
            return nil
        }
        return fd
    }

    /// Sends the signal `child`'s deadline has due at `now`, or gives up output held open past it.
    private static func check(_ child: inout Child, at now: UInt64, work: inout [() -> Void]) {
        // Signalled even after the leader ended: its zombie (reaped last) keeps the group's id taken.
        if let signal = child.deadline.signal(at: now) {
            signalGroup(child.pid, signal)
        } else if child.pidfd < 0, child.deadline.abandons(at: now) {
            // Ended, killed, and still its output is held open by a process that left its group.
            for kind in [Kind.stdout, .stderr] { endOfOutput(kind, of: &child, work: &work) }
        }
    }

    private static func endOfOutput(_ kind: Kind, of child: inout Child, work: inout [() -> Void]) {
        let index = kind == .stdout ? 0 : 1
        let fd = kind == .stdout ? child.stdout : child.stderr
        guard fd >= 0 else { return }
        close(fd)
        if kind == .stdout { child.stdout = -1 } else { child.stderr = -1 }
        if let text = child.output[index].finish(), let lines = child.request.lines {
            work.append { lines(kind == .stdout ? .stdout : .stderr, text) }
        }
    }

    /// Reaps an ended child and hands on its outcome.
    private static func finish(_ child: Child) -> () -> Void {
        var code: Int32 = -1
        var signal: Int32 = 0
        if bosun_reap(child.pid, &code, &signal) != 0 {
            code = -1
            signal = 0
        }
        let outcome = ProcessRunner.Outcome(
            exitCode: code, signal: signal == 0 ? nil : signal, stdout: child.output[0].bytes,
            stderr: child.output[1].bytes, truncated: child.output[0].truncated || child.output[1].truncated,
            timedOut: child.deadline.expired)
        let finished = child.request.finished
        return { finished(outcome) }
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// Sends `signal` to the process group `leader` leads (the child's session).
private func signalGroup(_ leader: pid_t, _ signal: Int32) {
    _ = kill(-leader, signal)
}

/// A command that could not be started: what failed and the system's reason.
struct SpawnFailure: Error, Sendable, CustomStringConvertible {
    var what: String
    var code: Int32

    var description: String { "\(what): \(String(cString: strerror(code)))" }
}

/// A closure boxed for `pthread_create`.
private final class LoopBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

extension Optional where Wrapped == String {
    /// Calls `body` with this string as a C string, or with NULL.
    fileprivate func withOptionalCString<Result>(_ body: (UnsafePointer<CChar>?) -> Result) -> Result {
        guard let self else { return body(nil) }
        return self.withCString(body)
    }
}
