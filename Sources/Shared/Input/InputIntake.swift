#if canImport(Glibc)
    import Glibc
#endif
/// Turns input files (`inmsg.txt`, `inbox/*`) into accepted messages, and keeps what cannot be accepted.
///
/// A file is taken out of the way first (renamed), then parsed: all of it is accepted, or none of it. Bad input
/// is moved to `rejected/` with a `.error` file beside it naming the file, the message and the field, and is
/// reported to the central error handler. Nothing is dropped.
public struct InputIntake: Sendable {
    let dataDirectory: String
    let node: String
    let accept: @Sendable ([Message]) throws -> [OutboxRecord]
    let errors: ErrorReporter

    public init(
        dataDirectory: String, node: String, errors: ErrorReporter,
        accept: @escaping @Sendable ([Message]) throws -> [OutboxRecord]
    ) {
        self.dataDirectory = dataDirectory
        self.node = node
        self.errors = errors
        self.accept = accept
    }

    public var inmsgPath: String { dataDirectory + "/inmsg.txt" }
    public var inboxDirectory: String { dataDirectory + "/inbox" }
    public var rejectedDirectory: String { dataDirectory + "/rejected" }

    /// Creates the folders inputs use.
    public func prepare() throws {
        try FileSystem.makeDirectory(inboxDirectory)
        try FileSystem.makeDirectory(rejectedDirectory)
    }

    /// Takes `inmsg.txt` if it has content; returns what was accepted (empty when nothing was there).
    @discardableResult
    public func takeInmsg() -> Result<[OutboxRecord], MessageError> {
        guard let size = FileSystem.size(inmsgPath), size > 0 else { return .success([]) }
        let taken = dataDirectory + "/.inmsg.taking-\(Timestamp.now.millisecondsSinceEpoch)"
        do {
            try FileSystem.rename(inmsgPath, to: taken)
        } catch {
            return .success([])
        }
        return take(taken, shownAs: inmsgPath, keepName: "inmsg.txt")
    }

    /// Takes every file in `inbox/`, oldest name first.
    @discardableResult
    public func takeInbox() -> [Result<[OutboxRecord], MessageError>] {
        let names = ((try? FileSystem.list(inboxDirectory)) ?? []).filter { !$0.hasPrefix(".") }
        return names.map { name in
            let path = inboxDirectory + "/" + name
            let taken = inboxDirectory + "/.taking-" + name
            do {
                try FileSystem.rename(path, to: taken)
            } catch {
                return .success([])
            }
            return take(taken, shownAs: path, keepName: name)
        }
    }

    /// Parses and accepts one input file; on failure keeps it in `rejected/`.
    public func take(_ path: String, shownAs source: String, keepName: String) -> Result<[OutboxRecord], MessageError> {
        let result: Result<[OutboxRecord], MessageError>
        do {
            // Checked before reading, so a huge file is refused without being read into memory.
            try Message.checkBatchSize(FileSystem.size(path) ?? 0)
            result = parseAndAccept(try FileSystem.read(path), source: source)
        } catch let error as MessageError {
            result = .failure(error.with(source: source))
        } catch {
            result = .failure(MessageError(.invalidJSON, "\(error)").with(source: source))
        }
        switch result {
        case .success: FileSystem.remove(path)
        case .failure(let error): reject(name: keepName, error: error) { try FileSystem.rename(path, to: $0) }
        }
        return result
    }

    /// Parses and accepts input that arrived whole in memory (the socket); on failure keeps it in `rejected/`.
    public func take(bytes: [UInt8], shownAs source: String, keepName: String) -> Result<[OutboxRecord], MessageError> {
        let result = parseAndAccept(bytes, source: source)
        if case .failure(let error) = result {
            reject(name: keepName, error: error) { try FileSystem.write(bytes, to: $0) }
        }
        return result
    }

    private func parseAndAccept(_ bytes: [UInt8], source: String) -> Result<[OutboxRecord], MessageError> {
        do {
            try Message.checkBatchSize(bytes.count)
            return .success(try accept(Message.decodeBatch(bytes)))
        } catch let error as MessageError {
            return .failure(error.with(source: source))
        } catch {
            return .failure(MessageError(.invalidJSON, "\(error)").with(source: source))
        }
    }

    /// Keeps rejected input (`keep` puts it at the path given) with a `.error` file beside it, and reports it.
    private func reject(name: String, error: MessageError, keep: (String) throws -> Void) {
        try? FileSystem.makeDirectory(rejectedDirectory)
        let target = claimRejectedName(for: name)
        try? keep(target)
        try? FileSystem.write(Array((error.description + "\n").utf8), to: target + ".error")
        errors.report(ErrorRecord(node: node, kind: .input, messageId: error.messageID,
            error: "\(error) (kept as \(target))"))
    }

    /// A name in `rejected/` for input called `name`, `<time>-<name>`, taken (created empty) so that no other refusal
    /// gets it: two refused in the same millisecond (the socket serves clients at once) get `<time>-2-<name>` and so on,
    /// instead of one keeping the other's input and reason.
    private func claimRejectedName(for name: String) -> String {
        let stamp = Timestamp.now.rfc3339.replacingColons
        var target = "\(rejectedDirectory)/\(stamp)-\(name)"
        for serial in 2...1000 {
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                close(fd)
                break
            }
            guard errno == EEXIST else { break }
            target = "\(rejectedDirectory)/\(stamp)-\(serial)-\(name)"
        }
        return target
    }
}

extension String {
    fileprivate var replacingColons: String { String(map { $0 == ":" ? "-" : $0 }) }
}
