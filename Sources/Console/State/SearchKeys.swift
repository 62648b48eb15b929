extension ConsoleState {
    /// A key typed into a viewer's search: Esc drops the search, Enter ends the typing (true: go to the first
    /// match), anything else edits it.
    static func typeSearch(_ key: Key, _ search: inout LineEditor, _ searching: inout Bool) -> Bool {
        switch key {
        case .escape:
            searching = false
            search = LineEditor()
            return false
        case .enter:
            searching = false
            return true
        default:
            _ = search.edit(key)
            return false
        }
    }
}
