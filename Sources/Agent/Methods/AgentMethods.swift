import Shared

/// The methods this agent offers, each behind its argument check.
enum AgentMethods {
    static func handlers(
        configuration: NodeRuntime.Configuration, store: Store, errors: ErrorReporter, allowed: AllowedDirectories,
        http: HTTPGetHandler
    ) -> [Method: any MethodHandler] {
        let access = FileAccess(allowed: allowed)
        var handlers: [Method: any MethodHandler] = [
            .cliCommand: Checked(CLICommandHandler(), errors: errors),
            .ping: Checked(PingHandler(), errors: errors),
            .fileWrite: Checked(FileWriteHandler(appending: false, access: access), errors: errors),
            .fileAppend: Checked(FileWriteHandler(appending: true, access: access), errors: errors),
            .fileRead: Checked(FileReadHandler(access: access), errors: errors),
            .httpGet: Checked(http, errors: errors),
            .cliCommandCont: Checked(CLICommandHandler(streaming: true), errors: errors),
            .tailFile: Checked(TailFileHandler(access: access), errors: errors),
            .copy: Checked(CopyHandler(access: access), errors: errors),
            .copyChunk: Checked(CopyChunkHandler(access: access), errors: errors),
        ]
        if configuration.node == configuration.centralNode {
            handlers.merge(CentralHandlers.make(store: store, errors: errors, trust: configuration.trust)) { $1 }
        }
        let offered = Array(handlers.keys) + [.status]
        handlers[.status] = Checked(StatusHandler(
            store: store, methods: offered, allowed: allowed, insecure: configuration.trust.acceptUnsigned), errors: errors)
        return handlers
    }
}
