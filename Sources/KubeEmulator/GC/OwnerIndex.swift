import AssayCore

/// Where an object is stored: its resource and its key ("namespace/name", or "/name").
struct StoredRef: Sendable, Hashable, Comparable {
    var resource: GroupResource
    var key: String

    /// The order the collector visits objects in: by resource, then key.
    static func < (a: StoredRef, b: StoredRef) -> Bool {
        a.resource.display != b.resource.display ? a.resource.display < b.resource.display : a.key < b.key
    }
}

/// The garbage collector's indexes over the stored objects, kept by `commit` on every change, so
/// that the collector looks at an owner's dependents rather than walking every object on each write
/// (which made each create cost more as objects accumulated: 5,000 suites did not finish).
struct OwnerIndex: Sendable {
    /// Each object's location by its uid.
    private(set) var byUID: [String: StoredRef] = [:]
    /// The objects whose `ownerReferences` name each uid (whether or not that owner exists).
    private(set) var dependents: [String: Set<StoredRef>] = [:]
    /// How many objects each namespace holds (namespaced objects only).
    private(set) var namespaceCounts: [String: Int] = [:]

    static func uid(of object: JSONValue) -> String { object.at(["metadata", "uid"])?.stringValue ?? "" }

    static func ownerUIDs(of object: JSONValue) -> Set<String> {
        Set((object.at(["metadata", "ownerReferences"])?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue })
    }

    static func namespace(of ref: StoredRef) -> String? {
        guard let slash = ref.key.firstIndex(of: "/"), slash != ref.key.startIndex else { return nil }
        return String(ref.key[..<slash])
    }

    /// The dependents of the object with `uid`.
    func dependents(of uid: String) -> Set<StoredRef> { dependents[uid] ?? [] }

    /// Whether a namespace holds any object.
    func isOccupied(_ namespace: String) -> Bool { namespaceCounts[namespace, default: 0] > 0 }

    /// Records that the object at `ref` went from `old` to `new` (nil: absent).
    mutating func update(_ ref: StoredRef, from old: JSONValue?, to new: JSONValue?) {
        let (oldUID, newUID) = (old.map(Self.uid), new.map(Self.uid))
        let (oldOwners, newOwners) = (old.map(Self.ownerUIDs) ?? [], new.map(Self.ownerUIDs) ?? [])
        if oldUID != newUID {
            if let oldUID, byUID[oldUID] == ref { byUID[oldUID] = nil }
            if let newUID { byUID[newUID] = ref }
        }
        for owner in oldOwners.subtracting(newOwners) {
            dependents[owner]?.remove(ref)
            if dependents[owner]?.isEmpty == true { dependents[owner] = nil }
        }
        for owner in newOwners.subtracting(oldOwners) { dependents[owner, default: []].insert(ref) }
        if let namespace = Self.namespace(of: ref), (old == nil) != (new == nil) {
            namespaceCounts[namespace, default: 0] += new == nil ? -1 : 1
            if namespaceCounts[namespace] == 0 { namespaceCounts[namespace] = nil }
        }
    }
}
