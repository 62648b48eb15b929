import ArgumentParser
import Foundation
import Shared

/// The one option the commands that only read the central's data take: where that data is.
struct DataDirectoryOption: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The central node's data directory. Env: BOSUN_DATA_DIR. Default: ~/.bosun.", valueName: "dir"))
    var dataDirectory: String?

    /// `--data-dir`, `BOSUN_DATA_DIR`, or `~/.bosun`.
    var path: String { CentralNode.dataDirectory(given: dataDirectory) }

    /// The store in it, for reading (another process may be running the engine on it).
    func openStore() throws -> Store {
        guard FileManager.default.fileExists(atPath: path + "/state.db") else {
            throw NodeError("no Bosun data in \(path) (run bosun there first, or give --data-dir)")
        }
        return try Store(path: path + "/state.db")
    }
}
