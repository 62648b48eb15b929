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
/// A command costs its spawn, its two output pipes in the epoll set (a pidfd too, only when its output ends before
/// it does) and one resumed continuation: no task, thread or timer of its own. Output is read on this thread; lines for a streaming
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

    private struct State {
        var children: [UInt64: WatchedChild] = [:]
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
    /// How often a program found busy (ETXTBSY) is tried, waiting 0.1, 0.2, 0.4 … ms in between.
    static let busyAttempts = 5

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
        var stdout: (read: Int32, write: Int32) = (-1, -1)
        var stderr: (read: Int32, write: Int32) = (-1, -1)
        guard bosun_pipe(&stdout.read, &stdout.write) == 0 else { throw failure(id, "cannot make a pipe", errno) }
        guard bosun_pipe(&stderr.read, &stderr.write) == 0 else {
            let code = errno
            close(stdout.read)
            close(stdout.write)
            throw failure(id, "cannot make a pipe", code)
        }
        var pid: pid_t = 0
        var spawned: Int32 = 0
        for attempt in 0..<Self.busyAttempts {
            spawned = request.workingDirectory.withOptionalCString { directory in
                bosun_spawn(&pid, executable, arguments.pointers, environment.pointers, stdout.write, stderr.write, directory)
            }
            // "Text file busy": a program just written is still open for writing in another process for a moment
            // (a child spawned meanwhile anywhere in the agent holds a copy of the writer's descriptor until it has
            // closed its descriptors). Tried again a little later, a few times.
            guard spawned == ETXTBSY, attempt + 1 < Self.busyAttempts else { break }
            usleep(UInt32(100 << attempt))
        }
        close(stdout.write)
        close(stderr.write)
        guard spawned == 0 else {
            close(stdout.read)
            close(stderr.read)
            let place = request.workingDirectory.map { " in \($0)" } ?? ""
            throw failure(id, "cannot run \(executable)\(place)", spawned)
        }
        let child = WatchedChild(pid: pid, stdout: stdout.read, stderr: stderr.read, started: Self.now(), request: request)
        let wakeUp = state.withLock { state in
            state.children[id] = child
            // Cancelled while it was being spawned. (Nothing reaps it before its pipes are in the epoll set.)
            if state.cancelled.remove(id) != nil { child.killGroup() }
            guard let due = child.deadline.due, due < state.armed else { return false }
            state.armed = due
            return true
        }
        _ = bosun_epoll_add(epoll, stdout.read, id << 2 | Kind.stdout.rawValue, 1)
        _ = bosun_epoll_add(epoll, stderr.read, id << 2 | Kind.stderr.rawValue, 1)
        if wakeUp { bosun_eventfd_signal(wake) }
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

/// A command that could not be started: what failed and the system's reason.
struct SpawnFailure: Error, Sendable, CustomStringConvertible {
    var what: String
    var code: Int32

    var description: String { "\(what): \(String(cString: strerror(code)))" }

    /// Whether the program's file is gone, or no longer one that can run.
    var isMissingProgram: Bool { [ENOENT, EACCES, ENOEXEC, ENOTDIR].contains(code) }
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
