import AssayCore
import Testing

@testable import KubeEmulator

@Suite("Kubernetes emulator label selectors")
struct KubeSelectorTests {
    static let labels: JSONValue = ["metadata": ["labels": ["app": "web", "tier": "front", "env": "prod"]]]

    @Test(
        "label selectors match the way the API server does",
        arguments: [
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app=db", false),
            ("app=web,tier=front", true),
            ("app=web,tier=back", false),
            ("env in (prod, staging)", true),
            ("env notin (prod)", false),
            ("missing notin (x)", true),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("missing!=x", true),
        ])
    func matches(_ selector: String, _ expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(Self.labels) == expected)
    }

    @Test("a metav1.LabelSelector object renders in query syntax")
    func objectForm() {
        let selector = LabelSelector(
            object: [
                "matchLabels": ["app": "web"],
                "matchExpressions": [["key": "env", "operator": "In", "values": ["prod", "dev"]]],
            ])
        #expect(selector.text == "app=web,env in (dev,prod)")
        #expect(selector.matches(Self.labels))
    }

    @Test(
        "field selectors compare dotted paths",
        arguments: [
            ("metadata.name=a", true), ("metadata.name!=a", false), ("metadata.name==a,involvedObject.name=x", true),
            ("involvedObject.name=y", false),
        ])
    func fieldSelector(_ text: String, _ expected: Bool) throws {
        let object: JSONValue = ["metadata": ["name": "a"], "involvedObject": ["name": "x"]]
        #expect(try FieldSelector(parsing: text).matches(object) == expected)
    }

    @Test("a field selector without an operator is a 400")
    func malformedField() {
        let error = #expect(throws: APIError.self) { try FieldSelector(parsing: "metadata.name") }
        #expect(error?.code == 400)
    }
}
