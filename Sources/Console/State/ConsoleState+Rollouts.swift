import Shared

extension ConsoleState {
    /// The Rollouts view: j/k move; `P` pause, `u` resume, `X` abort the selected rollout, each confirmed with y.
    mutating func handleRollouts(_ key: Key, _ view: RolloutsView) -> [ConsoleAction] {
        var view = view
        view.selected = min(view.selected, max(0, rollouts.count - 1))
        if let request = view.confirming {
            view.confirming = nil
            mode = .rollouts(view)
            guard key == .char("y") || key == .char("Y"), view.selected < rollouts.count else {
                flash("\(request.rawValue) cancelled")
                return []
            }
            return [.controlRollout(operation: rollouts[view.selected].operation, request)]
        }
        switch key {
        case .escape, .char("q"), .char("R"): mode = .normal
        case .down, .char("j"): view.selected = min(max(0, rollouts.count - 1), view.selected + 1)
        case .up, .char("k"): view.selected = max(0, view.selected - 1)
        case .char("g"), .home: view.selected = 0
        case .char("G"), .end: view.selected = max(0, rollouts.count - 1)
        case .char("P"): view.confirming = confirmable(.pause, view.selected)
        case .char("u"): view.confirming = confirmable(.resume, view.selected)
        case .char("X"): view.confirming = confirmable(.abort, view.selected)
        default: break
        }
        if case .rollouts = mode { mode = .rollouts(view) }
        return []
    }

    /// The request, when it makes sense for the rollout at `index`; else nil and a flash that says why.
    private mutating func confirmable(_ request: RolloutRequest, _ index: Int) -> RolloutRequest? {
        guard index < rollouts.count else {
            flash("no rollout to \(request.rawValue)", error: true)
            return nil
        }
        let rollout = rollouts[index]
        let fits: Bool
        switch request {
        case .pause: fits = rollout.state == RolloutRecord.State.running.rawValue
        case .resume: fits = rollout.state == RolloutRecord.State.paused.rawValue
        case .abort: fits = rollout.isLive
        }
        guard fits else {
            flash("rollout \(ShortID.of(rollout.operation)) is \(rollout.state); cannot \(request.rawValue) it", error: true)
            return nil
        }
        return request
    }
}
