/// Results of `$ref` (and `$dynamicRef`) targets already evaluated at an instance location, so
/// that a schema reaching the same subschema at the same location along many paths evaluates it
/// once.
///
/// Without it, `$defs` whose every level holds `allOf` of two `$ref`s to the next level make
/// 2^n evaluations of the last level from a schema of n small definitions (a 1.4 KB schema at
/// n = 40 never finishes); with it the work is linear in n.
///
/// Locations are interned lazily: a location gets an id (from its parent's id and the member
/// name or index that leads to it) only when a reference there is memoised, which
/// ``SchemaEvaluator`` does from the second reference evaluated at one location on, so that a
/// schema applying one `$ref` to each element of a large array pays nothing.
struct SchemaReferenceMemo {
    struct Entry {
        var valid: Bool
        /// For a failure: whether its violations were reported (a probe's failure was not, so
        /// reporting it later evaluates it again).
        var reported: Bool
        /// What a passing evaluation evaluated, when ``SchemaEvaluator`` tracks it.
        var evaluated: SchemaEvaluatedLocations?
    }

    private struct LocationKey: Hashable {
        var parent: Int
        var token: SchemaPathToken
        /// The location of a member's name (checked by `propertyNames`), not of its value.
        var isName = false
    }

    private struct EntryKey: Hashable {
        var node: Int
        var location: Int
    }

    private var locations: [LocationKey: Int] = [:]
    /// Ids of the current path's prefixes that have been interned (index i: the first i + 1 tokens).
    private var pathIDs: [Int] = []
    private var entries: [EntryKey: Entry] = [:]

    /// The id of the location `path` leads to (0 for the root).
    mutating func location(of path: [SchemaPathToken]) -> Int {
        if pathIDs.count > path.count { pathIDs.removeLast(pathIDs.count - path.count) }
        while pathIDs.count < path.count {
            let key = LocationKey(parent: pathIDs.last ?? 0, token: path[pathIDs.count])
            if let id = locations[key] {
                pathIDs.append(id)
            } else {
                let id = locations.count + 1
                locations[key] = id
                pathIDs.append(id)
            }
        }
        return pathIDs.last ?? 0
    }

    /// The id of the name of the member `path` leads to, as `propertyNames` checks it: a location
    /// of its own, since the name and the member's value sit at the same path.
    mutating func nameLocation(of path: [SchemaPathToken]) -> Int {
        guard let last = path.last else { return 0 }
        let key = LocationKey(parent: location(of: Array(path.dropLast())), token: last, isName: true)
        if let id = locations[key] { return id }
        let id = locations.count + 1
        locations[key] = id
        return id
    }

    /// Forgets interned prefixes deeper than `depth`, when evaluation leaves them.
    mutating func leave(toDepth depth: Int) {
        if pathIDs.count > depth { pathIDs.removeLast(pathIDs.count - depth) }
    }

    subscript(node: Int, location: Int) -> Entry? {
        get { entries[EntryKey(node: node, location: location)] }
        set { entries[EntryKey(node: node, location: location)] = newValue }
    }
}
