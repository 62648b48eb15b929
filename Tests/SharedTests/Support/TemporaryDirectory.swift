import Glibc

/// Runs `body` with a new empty directory, and removes the directory and its files afterwards.
func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    let directory = try makeTemporaryDirectory()
    defer { removeDirectory(directory) }
    return try await body(directory)
}

func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let directory = try makeTemporaryDirectory()
    defer { removeDirectory(directory) }
    return try body(directory)
}

private struct TemporaryDirectoryError: Error {}

private func makeTemporaryDirectory() throws -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/bosun-store-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
    guard let created else { throw TemporaryDirectoryError() }
    return String(cString: created)
}

/// Removes `directory` and everything in it.
private func removeDirectory(_ directory: String) {
    if let stream = opendir(directory) {
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(cString: bytes.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name != ".", name != ".." else { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) {
                removeDirectory(directory + "/" + name)
            } else {
                unlink(directory + "/" + name)
            }
        }
        closedir(stream)
    }
    rmdir(directory)
}
