import ArgumentParser
import Foundation
import Shared

/// `bosun keys`: the signing keys of this node and the keys pinned for others.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Show this node's public key; rotate and retire it; forget a node's key.",
        subcommands: [Show.self, Rotate.self, Retire.self, Forget.self])

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
            abstract: "Forget a node's key, so its next hello asks to join again with the key it has now (after a reinstall).")

        @OptionGroup var options: DataDirectoryOption
        @Argument(help: "The node whose key to forget.") var node: String

        func run() throws {
            let store = try Store(path: options.path + "/state.db")
            guard try store.forgetKey(node: node) else { throw ValidationError("no key is on record for node \(node)") }
            print("forgot the key of \(node)")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new key for the central node and hand it to every approved node, signed by the old one.",
            discussion: """
                From then on the central node signs with the new key. Each node gets it through the outbox, in \
                order, even one that is down now (it gets it when it returns). When --status shows every node has \
                it, `bosun keys retire OLD` tells them to stop trusting the old key. Done by the engine running on \
                the data directory (console or --headless), or by one this command starts (it then needs NATS).
                """)

        @OptionGroup var node: NodeOptions
        @Flag(help: "Show which nodes have the new key, instead of rotating.") var status = false

        func run() async throws {
            let configuration = try CentralNode.configuration(node, name: "bosun keys rotate")
            if status { return try printStatus(dataDirectory: configuration.dataDirectory, keyPath: configuration.keyPath) }
            try await KeysCommand.control(.rotateKey, argument: "", configuration: configuration, connectTimeout: node.connectTimeout)
        }

        private func printStatus(dataDirectory: String, keyPath: String?) throws {
            let path = keyPath ?? dataDirectory + "/node.key"
            let store = try Store(path: dataDirectory + "/state.db")
            let current = try NodeKey.load(path: path).publicKey
            guard let previous = NodeRuntime.previousKey(keyPath: path) else {
                print("no rotation under way; signing with \(current) (\(NodeKey.fingerprint(of: current) ?? "?"))")
                return
            }
            print("rotating from \(previous.publicKey) to \(current)")
            for progress in try NodeRuntime.rotationProgress(store: store, newKey: current) {
                let state = progress.state.map { $0 == .acked ? "has the new key" : "waiting (\($0.rawValue))" } ?? "not sent"
                print("\(progress.node)\t\(state)")
            }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Once every node has the new key, tell them all to stop trusting the old one (refused before).")

        @OptionGroup var node: NodeOptions
        @Argument(help: "The old key, as `bosun keys rotate` printed it.") var key: String

        func run() async throws {
            guard NodeKey.isPublicKey(key) else { throw ValidationError("KEY: not a public key (base64 ed25519): \(key)") }
            let configuration = try CentralNode.configuration(node, name: "bosun keys retire")
            try await KeysCommand.control(.retireKey, argument: key, configuration: configuration, connectTimeout: node.connectTimeout)
        }
    }

    /// Has the engine that holds the data directory do `action`; prints its answer, exit 1 when not done.
    static func control(
        _ action: MessageControl.Action, argument: String, configuration: NodeRuntime.Configuration, connectTimeout: Double
    ) async throws {
        let carrier = try await SendCarrier.start(configuration, connectTimeout: connectTimeout)
        let answer = try await EngineControl.request(action, id: argument, carrier: carrier)
        if case .own(let runtime) = carrier { await runtime.connection.close() }
        guard answer.done else {
            FileHandle.standardError.write("bosun: \(answer.text)\n")
            throw ExitCode(1)
        }
        print(answer.text)
    }
}
