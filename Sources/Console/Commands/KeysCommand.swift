import ArgumentParser
import Shared

/// `bosun keys`: the signing keys of this node and the keys pinned for others.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Show this node's public key; forget a node's pinned key.",
        subcommands: [Show.self, Forget.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the node's public key (creating the key pair if the data directory has none yet).",
            discussion: "Give it to agents with --trust KEY so they run what this node sends.")

        @OptionGroup var options: DataDirectoryOption
        @Option(help: ArgumentHelp("The signing key (default <data-dir>/node.key).", valueName: "file"))
        var key: String?

        func run() throws {
            let directory = options.path
            try FileSystem.makeDirectory(directory)
            print(try NodeKey.loadOrCreate(path: key ?? directory + "/node.key").publicKey)
        }
    }

    struct Forget: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget the key pinned for a node, so its next hello pins the key it has now (after a reinstall).")

        @OptionGroup var options: DataDirectoryOption
        @Argument(help: "The node whose key to forget.") var node: String

        func run() throws {
            let store = try Store(path: options.path + "/state.db")
            guard try store.forgetKey(node: node) else { throw ValidationError("no key is pinned for node \(node)") }
            print("forgot the key of \(node)")
        }
    }
}
