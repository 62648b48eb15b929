/// `trustKey`: changes the keys this node trusts, kept in `<data-dir>/trusted-keys` and in force at once.
///
/// `["add", KEY]` trusts a key (a central key rotation sends it, signed by the key it replaces); `["revoke", KEY]`
/// stops trusting one, even one given with `--trust` (`bosun keys retire`). Like every method but the open ones, it
/// runs only when signed by a key this node trusts already, and a key cannot revoke itself.
struct TrustKeyHandler: MethodHandler {
    let learned: LearnedKeys

    func handle(_ message: Message, context: HandlerContext) async -> Reply {
        let arguments = message.methodArgs ?? []
        guard arguments.count == 2, ["add", "revoke"].contains(arguments[0]), NodeKey.isPublicKey(arguments[1]) else {
            return context.reply(to: message, .rejected,
                error: #"field `methodArgs`: expected ["add", KEY] or ["revoke", KEY] with a base64 ed25519 public key"#)
        }
        let (revoke, key) = (arguments[0] == "revoke", arguments[1])
        if revoke, key == message.signedBy {
            return context.reply(to: message, .rejected, error: "a key cannot revoke itself: sign the revocation with the new key")
        }
        do {
            learned.replace(with: try TrustedKeys.update(key, revoke: revoke, dataDirectory: context.dataDirectory))
        } catch {
            return context.reply(to: message, .error, error: "\(error)")
        }
        var reply = context.reply(to: message, .ok)
        reply.stdout = (revoke ? "no longer trusts " : "trusts ") + key
        return reply
    }
}
