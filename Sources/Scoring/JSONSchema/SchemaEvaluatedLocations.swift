/// The members and elements of one instance location that some keyword has evaluated,
/// which is what `unevaluatedProperties` and `unevaluatedItems` look at.
///
/// Collected only when the schema uses one of those keywords: properties by `properties`,
/// `patternProperties`, `additionalProperties` and `unevaluatedProperties`; elements by
/// `prefixItems`, `items`, `contains` and `unevaluatedItems`; and everything collected by
/// subschemas applied to the same location (`allOf`, `$ref`, a matching `anyOf` branch, ...)
/// that passed.
struct SchemaEvaluatedLocations {
    var properties: Set<String> = []
    /// Elements before this index were evaluated (by `prefixItems`).
    var leadingItems = 0
    /// Every element was evaluated (by `items` or `unevaluatedItems`).
    var allItems = false
    /// Single elements evaluated (those that matched `contains`).
    var items: Set<Int> = []

    func contains(item index: Int) -> Bool {
        allItems || index < leadingItems || items.contains(index)
    }

    mutating func merge(_ other: SchemaEvaluatedLocations) {
        properties.formUnion(other.properties)
        leadingItems = max(leadingItems, other.leadingItems)
        allItems = allItems || other.allItems
        items.formUnion(other.items)
    }
}
