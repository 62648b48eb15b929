import ArgumentParser
import Foundation
import Shared

/// `bosun nats-users`: nats-server users for the fleet, one NKey user per node, each allowed only its own subjects.
struct NATSUsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nats-users",
        abstract: "Write nats-server users, one NKey user per node, each allowed only its own subjects.",
        discussion: """
            Writes <output>/users.conf (an authorization block to include in nats-server.conf) and one NKey seed \
            per node, <output>/<node>.nk (mode 0600): the nodes named here and those the central node knows. A seed \
            already there is kept, so running it again after new nodes joined changes no other node's key.
            """)

    @OptionGroup var options: DataDirectoryOption
    @Option(help: ArgumentHelp("The central node's name.", valueName: "name")) var central = Wire.centralNode
    @Option(help: ArgumentHelp("Where to write users.conf and the seeds. Default: <data-dir>/nats-users.", valueName: "dir"))
    var output: String?
    @Argument(help: "Nodes to add to those the central node knows (from its state.db).") var nodes: [String] = []

    func validate() throws {
        for name in nodes + [central] where !NodeName.isValid(name) {
            throw ValidationError("node name \"\(name)\": letters, digits, `-` and `_` only")
        }
    }

    func run() throws {
        let names = try nodeNames()
        guard !names.isEmpty else {
            throw ValidationError(
                "no nodes in \(options.path)/state.db and none named: name them (bosun nats-users pi-1 pi-2)")
        }
        let directory = output ?? options.path + "/nats-users"
        try FileSystem.makeDirectory(directory, mode: 0o700)
        let centralUser = try user(central, in: directory)
        let list = NATSUserList(central: centralUser, nodes: try names.map { try user($0, in: directory) })
        try FileSystem.write(Array(list.text.utf8), to: directory + "/users.conf", mode: 0o644)
        print("wrote \(directory)/users.conf: include it in nats-server.conf, then reload the server")
        for user in [centralUser] + list.nodes {
            print("\(user.node)\t--nkey \(user.publicKey) --nkey-seed \(directory)/\(user.node).nk")
        }
    }

    /// The nodes named and those in the central node's registry, in natural order, without the central node.
    private func nodeNames() throws -> [String] {
        var names = Set(nodes)
        if FileSystem.exists(options.path + "/state.db") {
            names.formUnion(try options.openStore().nodes().map(\.name))
        }
        names.remove(central)
        return names.sorted(by: NaturalOrder.precedes)
    }

    /// The node's user, from its seed file if there is one, else from a new key written there.
    private func user(_ node: String, in directory: String) throws -> NATSUserList.User {
        let path = directory + "/\(node).nk"
        if FileSystem.exists(path) {
            let text = String(decoding: try FileSystem.read(path), as: UTF8.self)
            guard let key = NATSUserKey(seed: text) else {
                throw ValidationError("\(path): not a NATS user NKey seed (SU…); remove it to make a new one")
            }
            return NATSUserList.User(node: node, publicKey: key.publicKey)
        }
        let key = NATSUserKey()
        try FileSystem.write(Array((key.seed + "\n").utf8), to: path, mode: 0o600)
        return NATSUserList.User(node: node, publicKey: key.publicKey)
    }
}
