import Foundation

/// The reference workload: `count` × `bash -c "echo hi"` written in one `inmsg.txt` on a central node
/// (`bosun --headless`, a process of its own) to one agent that is up, timed until the central has every ACK;
/// beside the local floor `seq count | xargs -P2 -I{} bash -c "echo hi"`, measured in the same run.
///
/// Everything runs with the PATH of a typical login shell (18 entries, `bash` first found at the 14th): a lookup
/// per spawn shows there. Only processes are driven (files, `/proc`), so the scenario does not depend on how
/// the engine is built inside.
enum ReferenceWorkload {
    static let node = "bench-ref"

    /// Directories a developer's login shell tends to list before and after the system ones.
    static func loginPath(home: String) -> [String] {
        [
            "\(home)/.local/bin", "\(home)/bin", "\(home)/.cargo/bin", "\(home)/go/bin", "/usr/local/go/bin",
            "\(home)/.npm-global/bin", "\(home)/.pyenv/shims", "/opt/local/bin", "/usr/local/sbin", "/usr/local/bin",
            "/usr/sbin", "/sbin", "/snap/bin", "/usr/bin", "/bin", "/usr/games", "/usr/local/games", "/opt/bin",
        ]
    }

    /// One run: the floor, then the workload through a fresh nats-server, central and agent.
    static func run(count: Int) async throws -> [String: Double] {
        let path = loginPath(home: NSHomeDirectory())
        let position = (path.firstIndex { FileManager.default.isExecutableFile(atPath: $0 + "/bash") } ?? -1) + 1
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = path.joined(separator: ":")

        let floor = try floorMilliseconds(count: count, environment: environment)

        let harness = try Harness()
        try await harness.startServer()
        let central = try await harness.startCentral(environment: environment)
        let agent = try await harness.startAgent(node: node, environment: environment)
        let centralDirectory = harness.directory + "/central-process"
        let batch = (0..<count).map { _ in
            ["toNode": node, "method": "cliCommand", "methodArgs": ["bash", "-c", "echo hi"]] as [String: Any]
        }
        let input = try JSONSerialization.data(withJSONObject: batch)
        let journal = JournalCounter(path: centralDirectory + "/journal.jsonl")

        let agentBefore = try ProcessFigures(pid: agent.processIdentifier)
        let centralBefore = try ProcessFigures(pid: central.processIdentifier)
        let start = ContinuousClock.now
        // Written in place and closed, as a user's `cat > inmsg.txt` would.
        guard FileManager.default.createFile(atPath: centralDirectory + "/inmsg.txt", contents: input) else {
            throw BenchError("cannot write \(centralDirectory)/inmsg.txt")
        }
        let deadline = start + .seconds(max(120, count / 5))
        while try journal.count() < count {
            guard ContinuousClock.now < deadline else {
                throw BenchError("reference workload: \(journal.acked) of \(count) acked; see \(centralDirectory)")
            }
            if journal.failed > 0 { throw BenchError("reference workload: \(journal.failed) commands failed") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = (ContinuousClock.now - start).milliseconds
        let agentAfter = try ProcessFigures(pid: agent.processIdentifier)
        let centralAfter = try ProcessFigures(pid: central.processIdentifier)
        return [
            "floorMs": floor, "workloadMs": elapsed, "ratio": elapsed / max(floor, 0.001),
            "agentCPUMsPerCommand": (agentAfter.cpuMilliseconds - agentBefore.cpuMilliseconds) / Double(count),
            "centralCPUMsPerCommand": (centralAfter.cpuMilliseconds - centralBefore.cpuMilliseconds) / Double(count),
            "agentPeakRSSMB": agentAfter.peakKB / 1024, "centralRSSMB": centralAfter.rssKB / 1024,
            "pathEntries": Double(path.count), "bashAt": Double(position),
        ]
    }

    /// `seq count | xargs -P2 -I{} bash -c "echo hi"`, in milliseconds.
    private static func floorMilliseconds(count: Int, environment: [String: String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "seq \(count) | xargs -P2 -I{} bash -c 'echo hi' >/dev/null"]
        process.environment = environment
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("the floor exited \(process.terminationStatus)") }
        return (ContinuousClock.now - start).milliseconds
    }
}

/// Counts `acked` and `failed` lines of a journal as it grows, reading only what was added.
private final class JournalCounter {
    let path: String
    private(set) var acked = 0
    private(set) var failed = 0
    private var offset: UInt64 = 0
    private var pending = Data()

    init(path: String) { self.path = path }

    func count() throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { return acked }
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        let added = handle.readDataToEndOfFile()
        offset += UInt64(added.count)
        pending.append(added)
        // Whole lines only; a line being written stays for the next read.
        guard let end = pending.lastIndex(of: UInt8(ascii: "\n")) else { return acked }
        let lines = pending[pending.startIndex...end]
        acked += lines.occurrences(of: Data(#""event":"acked""#.utf8))
        failed += lines.occurrences(of: Data(#""event":"failed""#.utf8))
        pending = Data(pending[(end + 1)...])
        return acked
    }
}

extension Data {
    fileprivate func occurrences(of needle: Data) -> Int {
        var found = 0
        var from = startIndex
        while let range = range(of: needle, in: from..<endIndex) {
            found += 1
            from = range.upperBound
        }
        return found
    }
}

/// A process's CPU time and memory, from `/proc/PID/stat` and `/proc/PID/status`.
struct ProcessFigures {
    var cpuMilliseconds: Double
    var rssKB: Double
    var peakKB: Double

    init(pid: Int32) throws {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { throw BenchError("process \(pid) is gone") }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        cpuMilliseconds = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) * 1000 / ticks
        func kilobytes(_ key: String) -> Double {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
            return Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        rssKB = kilobytes("VmRSS")
        peakKB = kilobytes("VmHWM")
    }

    /// This thread's CPU time so far, in seconds (for work measured in the bench's own process).
    static func cpuNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
