import CSpawn
import Shared

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One running command as ``ChildWatch`` follows it: its output pipes, its deadline and, once known, how it
/// ended. Each step here is what one event asks for; the watch calls them on its thread, under its lock.
struct WatchedChild {
    /// What the watch is to do with the epoll set after a step.
    enum Follow: Equatable {
        case nothing
        /// Ask about this descriptor again (it was registered for one event).
        case rearm(Int32)
        /// Start watching this pidfd: the output has ended, the process not yet.
        case watchEnd(Int32)
    }

    let pid: pid_t
    /// Read ends of the output pipes; -1 once ended.
    private(set) var stdout: Int32
    private(set) var stderr: Int32
    /// Opened only when the output ended before the process did (the usual end needs none).
    private(set) var pidfd: Int32 = -1
    private(set) var out: OutputCapture
    private(set) var err: OutputCapture
    private(set) var deadline: GroupDeadline
    /// Exit code and signal, once reaped.
    private(set) var status: (code: Int32, signal: Int32?)?
    let request: ChildWatch.Request

    init(pid: pid_t, stdout: Int32, stderr: Int32, started: UInt64, request: ChildWatch.Request) {
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        out = OutputCapture(limit: request.captureLimit, wantsLines: request.lines != nil)
        err = OutputCapture(limit: request.captureLimit, wantsLines: request.lines != nil)
        deadline = GroupDeadline(start: started, timeout: request.timeout, grace: request.grace)
        self.request = request
    }

    /// Reaped, and both outputs ended.
    var isDone: Bool { status != nil && stdout < 0 && stderr < 0 }

    /// When the deadline needs looking at next.
    var nextCheck: UInt64? {
        if let due = deadline.due { return due }
        guard stdout >= 0 || stderr >= 0, let killedAt = deadline.killedAt else { return nil }
        return killedAt &+ deadline.grace
    }

    /// One of the output pipes is readable (`hungUp`: and its writers are gone): reads once.
    mutating func readOutput(
        _ stream: HandlerContext.OutputStream, hungUp: Bool, buffer: UnsafeMutableRawBufferPointer,
        work: inout [() -> Void]
    ) -> Follow {
        let fd = stream == .stdout ? stdout : stderr
        guard fd >= 0 else { return .nothing }
        let count = read(fd, buffer.baseAddress, buffer.count)
        if count > 0 {
            let raw = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            let text = stream == .stdout ? out.append(raw) : err.append(raw)
            if let text, let lines = request.lines { work.append { lines(stream, text) } }
        }
        // Hung up with less than a full read: no writer is left and the pipe is empty, so this was its end.
        guard count == 0 || (count < 0 && errno != EINTR) || (hungUp && count >= 0 && count < buffer.count) else { return .rearm(fd) }
        return endOutput(stream, work: &work)
    }

    /// The process ended (its pidfd is readable): reaps it.
    mutating func ended() {
        if pidfd >= 0 { close(pidfd) }
        pidfd = -1
        reap(waiting: true)
    }

    /// Sends the signal the deadline has due at `now`, or gives up output held open past it.
    mutating func check(at now: UInt64, work: inout [() -> Void]) -> Follow {
        // Signalled until reaped: an unreaped leader, even a zombie, keeps the group's id taken.
        if status == nil, let signal = deadline.signal(at: now) {
            kill(-pid, signal)
        } else if stdout >= 0 || stderr >= 0, deadline.abandons(at: now) {
            // Killed a grace ago, and still the output is held open by a process that left the group.
            _ = endOutput(.stdout, work: &work)
            return endOutput(.stderr, work: &work)
        }
        return .nothing
    }

    /// Ends the group at once (a cancelled command).
    func killGroup() {
        if status == nil { kill(-pid, SIGKILL) }
    }

    /// What the command's answer is made of.
    var outcome: ProcessRunner.Outcome {
        ProcessRunner.Outcome(
            exitCode: status?.code ?? -1, signal: status?.signal, stdout: out.bytes, stderr: err.bytes,
            truncated: out.truncated || err.truncated, timedOut: deadline.expired)
    }

    private mutating func endOutput(_ stream: HandlerContext.OutputStream, work: inout [() -> Void]) -> Follow {
        let fd = stream == .stdout ? stdout : stderr
        guard fd >= 0 else { return .nothing }
        close(fd)
        let text: String?
        if stream == .stdout {
            stdout = -1
            text = out.finish()
        } else {
            stderr = -1
            text = err.finish()
        }
        if let text, let lines = request.lines { work.append { lines(stream, text) } }
        guard stdout < 0, stderr < 0, status == nil else { return .nothing }
        // Output ends as the process exits, so it has mostly ended already; if not, its pidfd tells when.
        reap(waiting: false)
        guard status == nil, pidfd < 0 else { return .nothing }
        pidfd = bosun_pidfd_open(pid)
        guard pidfd >= 0 else {
            // No pidfd (a kernel before 5.3): wait here, as the output has ended the process is about to.
            reap(waiting: true)
            return .nothing
        }
        return .watchEnd(pidfd)
    }

    private mutating func reap(waiting: Bool) {
        var code: Int32 = -1
        var signal: Int32 = 0
        switch bosun_reap(pid, waiting ? 1 : 0, &code, &signal) {
        case 1: status = (code, signal == 0 ? nil : signal)
        case 0: break
        default: status = (-1, nil)  // reaped by someone else: nothing to tell
        }
    }
}
