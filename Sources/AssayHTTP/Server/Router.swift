import Foundation

/// Values captured by `{name}` segments of a route pattern, percent-decoded.
public struct RouteParameters: Sendable {
    private var values: [(name: String, value: String)]

    public init(_ values: [(String, String)] = []) {
        self.values = values.map { (name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> String? {
        values.first { $0.name == name }?.value
    }
}

/// Dispatches requests by method and path pattern ("/v1/runs/{id}"); literal segments must match exactly, a
/// `{name}` segment matches any one non-empty segment. Unknown paths answer 404, known paths with another method
/// 405 with `Allow` (HEAD is allowed wherever GET is), both as application/problem+json.
public struct Router: HTTPResponder {
    public typealias Handler = @Sendable (HTTPRequest, RouteParameters) async -> HTTPResponse

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Route: Sendable {
        var method: String
        var pattern: String
        var segments: [Segment]
        var handler: Handler
    }

    /// The route label for responses no route matched.
    public static let unmatchedRoute = "unmatched"

    private var routes: [Route] = []

    public init() {}

    /// Adds a route; earlier routes win when several patterns match.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        let segments = Self.split(pattern).map { part -> Segment in
            if part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
        routes.append(Route(method: method, pattern: pattern, segments: segments, handler: handler))
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let parts = Self.split(request.path)
        var allowed: [String] = []
        var getRoute: (Route, RouteParameters)?
        for route in routes {
            guard let parameters = Self.match(route.segments, parts) else { continue }
            if route.method == request.method {
                return await Self.run(route, request, parameters)
            }
            if request.method == "HEAD", route.method == "GET", getRoute == nil { getRoute = (route, parameters) }
            allowed.append(route.method)
        }
        if let (route, parameters) = getRoute {
            return await Self.run(route, request, parameters)
        }
        var response: HTTPResponse
        if allowed.isEmpty {
            response = .problem(status: 404, detail: "no route matches \(request.method) \(request.path)")
        } else {
            if allowed.contains("GET"), !allowed.contains("HEAD") { allowed.append("HEAD") }
            var seen = Set<String>()
            let methods = allowed.filter { seen.insert($0).inserted }.sorted()
            response = .problem(
                status: 405,
                detail: "\(request.method) is not allowed on \(request.path); use \(methods.joined(separator: ", "))")
            response.headers.replace("Allow", with: methods.joined(separator: ", "))
        }
        response.route = Self.unmatchedRoute
        return response
    }

    private static func run(_ route: Route, _ request: HTTPRequest, _ parameters: RouteParameters) async
        -> HTTPResponse
    {
        var response = await route.handler(request, parameters)
        if response.route == nil { response.route = route.pattern }
        return response
    }

    private static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func match(_ segments: [Segment], _ parts: [Substring]) -> RouteParameters? {
        guard segments.count == parts.count else { return nil }
        var captured: [(String, String)] = []
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name):
                captured.append((name, part.removingPercentEncoding ?? String(part)))
            }
        }
        return RouteParameters(captured)
    }
}
