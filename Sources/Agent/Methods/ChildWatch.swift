import CSpawn
import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one thread (`bosun-children`) that starts every command and follows it: it spawns it, reads its output,
/// notices its end, reaps it and keeps its deadline, all around a single epoll wait.
///
/// A command costs its spawn, its two output pipes in the epoll set (a pidfd too, only when its output ends before
/// it does) and one resumed continuation: no task, thread or timer of its own, and no thread of the cooperative
/// pool waits while the child gets to its exec. Output is read on this thread; lines for a streaming command go to a
/// callback that must not block (``ProcessRunner`` hands them to a queue).
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
        /// Instead of the outcome when the command could not be started (a ``SpawnFailure``, or what `lookAgain`
        /// threw).
        var failed: @Sendable (any Error) -> Void
        /// When the program's file turns out gone or unable to run: the file to try instead, once (a name found on
        /// PATH before, looked up again); nil: none.
        var lookAgain: (@Sendable () throws -> String)?
    }

    /// A command waiting for the thread to start it.
    private struct Pending {
        let id: UInt64
        let executable: String
        let arguments: CStringArray
        let environment: CStringArray
        let request: Request
    }

    private struct State {
        var children: [UInt64: WatchedChild] = [:]
        var pending: [Pending] = []
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

    /// Has the thread spawn `executable` in a session of its own, as command `id` (from ``reserve()``), and follow
    /// it: `request.finished` gets its outcome, or `request.failed` why it could not start.
    func start(_ id: UInt64, executable: String, arguments: CStringArray, environment: CStringArray, request: Request) {
        let pending = Pending(id: id, executable: executable, arguments: arguments, environment: environment, request: request)
        let first = state.withLock { state in
            state.pending.append(pending)
            return state.pending.count == 1
        }
        // Later ones are found by the same wake.
        if first { bosun_eventfd_signal(wake) }
    }

    /// Ends command `id`'s process group at once (its task was cancelled); it finishes as killed.
    func cancel(_ id: UInt64) {
        state.withLock { state in
            if let child = state.children[id] {
                child.killGroup()
            } else if id > 0, id <= state.nextID {
                state.cancelled.insert(id)
            }
        }
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
            // The wake is drained before the pending commands are taken, never after: a command added between the
            // two signals again (it finds the list empty), and draining then would lose that signal, leaving it
            // and every later command waiting for good.
            if tokens.prefix(max(0, Int(count))).contains(Self.wakeToken) { bosun_eventfd_drain(wake) }
            for pending in state.withLock({ state in state.pending.isEmpty ? [] : state.pending.take() }) {
                start(pending, work: &work)
            }
            state.withLock { state in
                ended.removeAll(keepingCapacity: true)
                for index in 0..<max(0, Int(count)) {
                    let token = tokens[index]
                    if token == Self.wakeToken { continue }
                    let id = token >> 2
                    guard state.children[id] != nil, let kind = Kind(rawValue: token & 3) else { continue }
                    // In place (`!`): a copy of the child would copy its output too.
                    let follow: WatchedChild.Follow
                    switch kind {
                    case .pidfd:
                        state.children[id]!.ended()
                        follow = .nothing
                    case .stdout, .stderr:
                        follow = state.children[id]!.readOutput(
                            kind == .stdout ? .stdout : .stderr, hungUp: closed[index] != 0, buffer: buffer, work: &work)
                    }
                    self.follow(follow, id: id, token: token)
                    if state.children[id]!.isDone { ended.append(id) }
                }
                let now = Self.now()
                if now >= state.armed {
                    var index = state.children.startIndex
                    while index != state.children.endIndex {
                        let id = state.children.keys[index]
                        follow(state.children.values[index].check(at: now, work: &work), id: id, token: id << 2)
                        if state.children.values[index].isDone { ended.append(id) }
                        state.children.formIndex(after: &index)
                    }
                }
                for id in ended {
                    guard let child = state.children.removeValue(forKey: id) else { continue }
                    let outcome = child.outcome
                    let finished = child.request.finished
                    work.append { finished(outcome) }
                }
            }
            for item in work { item() }
            work.removeAll(keepingCapacity: true)
        }
    }

    /// Spawns a pending command and adds it to the children followed, or hands on why it could not start.
    private func start(_ pending: Pending, work: inout [() -> Void]) {
        let request = pending.request
        let child: WatchedChild
        do {
            child = try spawnLookingAgain(pending)
        } catch {
            state.withLock { _ = $0.cancelled.remove(pending.id) }
            work.append { request.failed(error) }
            return
        }
        let id = pending.id
        state.withLock { state in
            // Cancelled while it waited to be spawned.
            if state.cancelled.remove(id) != nil { child.killGroup() }
            state.children[id] = child
            state.armed = min(state.armed, child.deadline.due ?? .max)
        }
        _ = bosun_epoll_add(epoll, child.stdout, id << 2 | Kind.stdout.rawValue, 1)
        _ = bosun_epoll_add(epoll, child.stderr, id << 2 | Kind.stderr.rawValue, 1)
    }

    /// Starts `pending`; when its program's file is gone or cannot run, tries the file `lookAgain` finds, once.
    private func spawnLookingAgain(_ pending: Pending) throws -> WatchedChild {
        let failure: SpawnFailure
        do {
            return try ChildSpawn.start(pending.executable, pending.arguments, pending.environment, request: pending.request)
        } catch {
            failure = error
        }
        guard failure.isMissingProgram, let lookAgain = pending.request.lookAgain else { throw failure }
        return try ChildSpawn.start(try lookAgain(), pending.arguments, pending.environment, request: pending.request)
    }

    /// Registers what a step of child `id` asks to be asked about next (`token`: the event's, for a rearm).
    private func follow(_ follow: WatchedChild.Follow, id: UInt64, token: UInt64) {
        switch follow {
        case .nothing: break
        // Registered for one event at a time: a descriptor is only asked about again while open, so a closed one
        // never reports (a spawn elsewhere may hold a copy of it for a moment, which keeps it in the set).
        case .rearm(let fd): _ = bosun_epoll_rearm(epoll, fd, token)
        case .watchEnd(let pidfd): _ = bosun_epoll_add(epoll, pidfd, id << 2 | Kind.pidfd.rawValue, 1)
        }
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// A closure boxed for `pthread_create`.
private final class LoopBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

extension Array {
    /// The elements, leaving this array empty.
    fileprivate mutating func take() -> [Element] {
        defer { self = [] }
        return self
    }
}
