import Foundation
import Shared

/// Follows a central data directory for `bosun watch`: new journal lines (the outbox's messages), new error
/// reports, and the nodes' liveness as their hellos change it, starting with each known node's state (so a script
/// knows the fleet before the first change). It only reads, so it works beside a running engine.
struct FleetWatcher {
    private var journal: FileTail
    private var errors: FileTail
    private var store: Store?
    private let openStore: () throws -> Store
    private var liveness: [String: Liveness] = [:]

    /// `openStore` opens the node registry; until it can (no engine has run there yet), no node events.
    init(dataDirectory: String, openStore: @escaping () throws -> Store) {
        journal = FileTail(path: dataDirectory + "/journal.jsonl")
        errors = FileTail(path: dataDirectory + "/errors.jsonl")
        self.openStore = openStore
    }

    /// What happened since the last call, oldest first.
    mutating func poll(now: Timestamp = .now) -> [FleetEvent] {
        var events: [FleetEvent] = []
        for line in journal.newLines() {
            guard let entry = try? JSONDecoder().decode(Journal.Entry.self, from: Data(line.utf8)),
                FleetEvent.journalEvents.contains(entry.event)
            else { continue }
            events.append(FleetEvent(entry))
        }
        for line in errors.newLines() {
            guard let record = try? ErrorRecord.decode(Array(line.utf8)) else { continue }
            events.append(FleetEvent(record))
        }
        let current = currentLiveness(now: now)
        for name in NaturalOrder.sorted(current.keys) where current[name] != liveness[name] {
            events.append(FleetEvent(time: now, event: current[name]!.rawValue, node: name))
        }
        liveness = current
        return events.sorted { $0.time < $1.time }
    }

    private mutating func currentLiveness(now: Timestamp) -> [String: Liveness] {
        if store == nil { store = try? openStore() }
        guard let nodes = try? store?.nodes() else { return [:] }
        return Dictionary(
            nodes.map {
                (
                    $0.name,
                    Liveness(lastSeen: $0.lastSeen, helloInterval: $0.helloInterval, saidBye: $0.saidBye, now: now)
                )
            }
        ) { $1 }
    }
}
