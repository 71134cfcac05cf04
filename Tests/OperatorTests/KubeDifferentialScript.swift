import AssayKube
import Suites

/// One script of requests on EvaluationSuites, run against the emulator alone and against the real
/// apiextensions-apiserver behind the front (``KubeDifferentialTests``): creates and refusals
/// (schema, CEL, strict fields), server-side apply with two field managers, status patches, merge and
/// JSON patches with `test`, stale resourceVersions, list chunking, watches (from a compacted
/// resourceVersion, bookmarks, initial events), finalizers and deletion.
enum KubeDifferentialScript {
    struct Step {
        enum Action {
            case request(method: String, path: String, contentType: String? = nil, body: String? = nil)
            /// Opens the watch, then runs the request (if any), then reads until the stream ends.
            indirect case watch(path: String, until: Action?)
            case compact
        }

        var name: String
        var action: Action
    }

    static let namespace = "diff"
    static let collection = "/apis/eval.assay.dev/v1alpha1/namespaces/\(namespace)/evaluationsuites"
    static func item(_ name: String, _ subresource: String = "") -> String {
        "\(collection)/\(name)" + (subresource.isEmpty ? "" : "/\(subresource)")
    }

    static let merge = "application/merge-patch+json"
    static let jsonPatch = "application/json-patch+json"
    static let apply = "application/apply-patch+yaml"

    /// A valid suite; `spec` members replace the defaults.
    static func suite(_ name: String, spec extra: String = "", metadata: String = "") -> String {
        let base = """
            "targets": [{"name": "t", "prompt": "{{input}}", "providers": [{"type": "openai", "model": "m"}]}],
            "dataset": {"cases": [{"id": "a", "input": "x", "reference": "x"}]},
            "criteria": [{"type": "contains", "value": "x"}]
            """
        let spec = extra.isEmpty ? base : "\(base), \(extra)"
        let meta = metadata.isEmpty ? "" : ", \(metadata)"
        return """
            {"apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite",
             "metadata": {"name": "\(name)"\(meta)}, "spec": {\(spec)}}
            """
    }

    static func post(_ name: String, _ body: String, query: String = "") -> Step {
        Step(
            name: name,
            action: .request(method: "POST", path: collection + query, contentType: "application/json", body: body))
    }

    static func patch(_ name: String, _ path: String, _ type: String, _ body: String) -> Step {
        Step(name: name, action: .request(method: "PATCH", path: path, contentType: type, body: body))
    }

    static func get(_ name: String, _ path: String) -> Step {
        Step(name: name, action: .request(method: "GET", path: path))
    }

    static let steps: [Step] = creates + serverSideApply + patches + conflicts + lists + watches + deletion

    static let creates: [Step] = [
        post("create", suite("alpha")),
        post("create again: AlreadyExists", suite("alpha")),
        post("passThreshold 5: schema and CEL", suite("bad-threshold", spec: #""passThreshold": 5"#)),
        post(
            "minReplicas > maxReplicas: CEL rule",
            suite("bad-scaling", spec: #""evaluators": {"minReplicas": 5, "maxReplicas": 2}"#)),
        post(
            "missing required fields",
            #"{"apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite", "metadata": {"name": "empty"}, "spec": {}}"#
        ),
        post("wrong type", suite("wrong-type", spec: #""concurrency": "many""#)),
        post("unknown field, Strict", suite("strict", spec: #""colour": "blue""#), query: "?fieldValidation=Strict"),
        post(
            "unknown field, Warn: pruned", suite("pruned", spec: #""colour": "blue""#), query: "?fieldValidation=Warn"),
        post(
            "two dataset sources: CEL rule",
            suite("two-sources").replacingOccurrences(
                of: #""dataset": {"cases""#, with: #""dataset": {"file": "cases.jsonl", "cases""#)),
        post(
            "status on create is dropped",
            suite("with-status", metadata: #""labels": {"app": "x"}"#).replacingOccurrences(
                of: #""spec": {"#, with: #""status": {"phase": "Running"}, "spec": {"#)),
        post("bad name", suite("Not_A_Name")),
        get("get", item("alpha")),
        get("get missing", item("nowhere")),
    ]

    static let serverSideApply: [Step] = [
        patch(
            "apply by alice creates", item("beta") + "?fieldManager=alice", apply,
            suite("beta", spec: #""concurrency": 4, "passThreshold": 0.5"#)),
        patch(
            "apply by bob conflicts", item("beta") + "?fieldManager=bob", apply,
            #"{"apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite", "metadata": {"name": "beta"}, "spec": {"concurrency": 8}}"#
        ),
        patch(
            "apply by bob, forced", item("beta") + "?fieldManager=bob&force=true", apply,
            #"{"apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite", "metadata": {"name": "beta"}, "spec": {"concurrency": 8}}"#
        ),
        patch(
            "alice drops passThreshold", item("beta") + "?fieldManager=alice", apply, suite("beta")),
        patch("apply without fieldManager", item("beta"), apply, suite("beta")),
        patch(
            "apply to status by carol", item("beta", "status") + "?fieldManager=carol", apply,
            #"{"apiVersion": "eval.assay.dev/v1alpha1", "kind": "EvaluationSuite", "metadata": {"name": "beta"}, "status": {"phase": "Running"}}"#
        ),
    ]

    static let patches: [Step] = [
        patch(
            "merge patch to status", item("alpha", "status"), merge,
            #"{"status": {"phase": "Running", "passRate": 0.5}}"#),
        patch("status in a main-resource patch is ignored", item("alpha"), merge, #"{"status": {"phase": "Failed"}}"#),
        patch(
            "merge patch spec", item("alpha"), merge,
            #"{"spec": {"concurrency": 3}, "metadata": {"labels": {"team": "a"}}}"#),
        patch("merge patch breaking the schema", item("alpha"), merge, #"{"spec": {"passThreshold": 2}}"#),
        patch(
            "JSON patch with a passing test", item("alpha"), jsonPatch,
            #"[{"op": "test", "path": "/spec/concurrency", "value": 3}, {"op": "replace", "path": "/spec/concurrency", "value": 5}]"#
        ),
        patch(
            "JSON patch with a failing test", item("alpha"), jsonPatch,
            #"[{"op": "test", "path": "/spec/concurrency", "value": 99}, {"op": "replace", "path": "/spec/concurrency", "value": 6}]"#
        ),
        patch(
            "JSON patch test of status.runID on /status", item("alpha", "status"), jsonPatch,
            #"[{"op": "test", "path": "/status/phase", "value": "Running"}, {"op": "add", "path": "/status/runID", "value": "r1"}]"#
        ),
        patch(
            "JSON patch to a missing path", item("alpha"), jsonPatch, #"[{"op": "remove", "path": "/spec/nothing"}]"#),
        patch(
            "strategic merge patch is unsupported", item("alpha"), "application/strategic-merge-patch+json",
            #"{"spec": {}}"#),
        patch("merge patch of a missing object", item("nowhere"), merge, #"{"spec": {}}"#),
    ]

    static let conflicts: [Step] = [
        get("read alpha", item("alpha")),
        patch("bump alpha", item("alpha"), merge, #"{"spec": {"concurrency": 7}}"#),
        patch(
            "merge patch with a stale resourceVersion", item("alpha"), merge,
            #"{"metadata": {"resourceVersion": "1"}, "spec": {"concurrency": 9}}"#),
        Step(
            name: "update without resourceVersion",
            action: .request(method: "PUT", path: item("alpha"), contentType: "application/json", body: suite("alpha"))),
        Step(
            name: "update with a stale resourceVersion",
            action: .request(
                method: "PUT", path: item("alpha"), contentType: "application/json",
                body: suite("alpha", metadata: #""resourceVersion": "1""#))),
        Step(
            name: "update with a name that does not match",
            action: .request(
                method: "PUT", path: item("alpha"), contentType: "application/json",
                body: suite("other", metadata: #""resourceVersion": "{rv:alpha}""#))),
    ]

    static let lists: [Step] = [
        post("create gamma", suite("gamma")),
        get("list with limit 2", collection + "?limit=2"),
        get("list with limit 2, continued", collection + "?limit=2&continue={continue}"),
        get("list with a label selector", collection + "?labelSelector=team%3Da"),
        get("list with a bad continue token", collection + "?limit=2&continue=garbage"),
    ]

    static let watches: [Step] = [
        get("list before watching", collection),
        Step(
            name: "watch from the list's resourceVersion sees a change",
            action: .watch(
                path: collection + "?watch=true&resourceVersion={listRV}&timeoutSeconds=3",
                until: .request(
                    method: "PATCH", path: item("gamma"), contentType: merge, body: #"{"spec": {"concurrency": 2}}"#))),
        Step(
            name: "watch allowing bookmarks, quiet for less than the bookmark interval",
            action: .watch(
                path: collection + "?watch=true&resourceVersion={listRV}&allowWatchBookmarks=true&timeoutSeconds=3",
                until: nil)),
        Step(
            name: "watch-list: initial events then the end bookmark",
            action: .watch(
                path: collection
                    + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=3",
                until: nil)),
        Step(name: "compact", action: .compact),
        Step(
            name: "watch from a compacted resourceVersion",
            action: .watch(path: collection + "?watch=true&resourceVersion=1&timeoutSeconds=3", until: nil)),
    ]

    static let deletion: [Step] = [
        patch("add a finalizer", item("gamma"), merge, #"{"metadata": {"finalizers": ["eval.assay.dev/test"]}}"#),
        Step(name: "delete with a finalizer", action: .request(method: "DELETE", path: item("gamma"))),
        get("still there while finalizing", item("gamma")),
        patch("spec changes while deleting", item("gamma"), merge, #"{"spec": {"concurrency": 1}}"#),
        patch(
            "adding a finalizer while deleting is refused", item("gamma"), merge,
            #"{"metadata": {"finalizers": ["eval.assay.dev/test", "another"]}}"#),
        patch("remove the finalizer", item("gamma"), merge, #"{"metadata": {"finalizers": null}}"#),
        get("gone", item("gamma")),
        Step(
            name: "delete with a wrong uid precondition",
            action: .request(
                method: "DELETE", path: item("alpha"), contentType: "application/json",
                body:
                    #"{"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}"#
            )),
        Step(
            name: "delete with a stale resourceVersion precondition",
            action: .request(
                method: "DELETE", path: item("alpha"), contentType: "application/json",
                body: #"{"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"resourceVersion": "1"}}"#)),
        Step(name: "delete", action: .request(method: "DELETE", path: item("alpha"))),
        Step(name: "delete again", action: .request(method: "DELETE", path: item("alpha"))),
        Step(name: "delete the collection", action: .request(method: "DELETE", path: collection)),
        get("empty list", collection),
    ]
}
