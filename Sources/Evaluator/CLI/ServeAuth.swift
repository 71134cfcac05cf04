import AssayAuth
import AssayCore
import AssayKube
import Foundation
import Suites

/// `serve`'s authentication options and the rule that an evaluator reachable from other machines
/// never runs without one: `--auth-token-file FILE` (static tokens, every listed user may use the
/// API), `--auth kubernetes` (TokenReview and SubjectAccessReview against the cluster), or the
/// explicit `--insecure-no-auth`. On a loopback address with none of them, authentication is off
/// and one warning says so.
enum ServeAuth {
    /// The review client's own limit: reviews are cached (minutes), so this only bounds a flood of
    /// new tokens; the API server answers reviews without storing anything. (Our choice.)
    static let reviewQPS = 50.0
    static let reviewBurst = 100

    static func options(_ parser: inout OptionParser) {
        parser.option(
            Pod.auth,
            help:
                "kubernetes: callers send a bearer token (their ServiceAccount token), checked with a TokenReview and authorized with a SubjectAccessReview"
        )
        parser.option(
            Pod.authTokenAudiences,
            help:
                "With --auth kubernetes: audiences a caller's token must be issued for, comma-separated (default: the API server's own)"
        )
        parser.option(
            "auth-token-file", env: "ASSAY_AUTH_TOKEN_FILE",
            help: "Static tokens, CSV lines token,user[,uid[,\"group1,group2\"]]; re-read when the file changes")
        parser.flag(
            "insecure-no-auth", env: "ASSAY_INSECURE_NO_AUTH",
            help: "Serve the API without authentication on a non-loopback address (anyone who can connect may use it)")
        parser.option(
            "access-log", env: "ASSAY_ACCESS_LOG", default: "true",
            help: "One log line per API request with the caller's user name (never the token): true or false")
    }

    /// Who may call the API, as the options say; throws (exit 2) when they do not fit together or
    /// leave a non-loopback address unauthenticated.
    static func access(values: OptionValues, host: String, cluster: ClusterRunSettings?, logger: Logger) throws
        -> APIAccess
    {
        let mode = values.string(Pod.auth.option).flatMap { $0.isEmpty ? nil : $0.lowercased() }
        let tokenFile = values.string("auth-token-file").flatMap { $0.isEmpty ? nil : $0 }
        let insecure = try values.bool("insecure-no-auth")
        let audiences = TokenReviewAuthenticator.audiences(parsing: values.string(Pod.authTokenAudiences.option))
        // Access lines are info lines: `--log-level warning` leaves them out, as it always has.
        let accessLog =
            try values.bool("access-log") && logger.minimumLevel <= .info ? AccessLog(label: logger.label) : nil
        if let mode, mode != "kubernetes" {
            throw OptionError.invalidValue(name: "auth", value: mode, expected: "kubernetes (or use --auth-token-file)")
        }
        if mode != nil, tokenFile != nil {
            throw AuthOptionError.conflict("--auth kubernetes and --auth-token-file: choose one")
        }
        if insecure, mode != nil || tokenFile != nil {
            throw AuthOptionError.conflict("--insecure-no-auth with an auth mode: choose one")
        }
        if !audiences.isEmpty, mode == nil {
            throw AuthOptionError.conflict("--auth-token-audiences applies to --auth kubernetes only")
        }
        let suite = cluster.flatMap { settings in
            settings.runID.resourceUID.map { APIAccess.Suite(name: settings.suite, uid: $0) }
        }
        if let tokenFile {
            let authenticator = try StaticTokenAuthenticator(path: tokenFile, logger: logger)
            logger.info(
                "API authentication: static token file", ["file": tokenFile, "users": "\(authenticator.count)"])
            return APIAccess(
                gate: AccessGuard(authenticator: authenticator, accessLog: accessLog),
                namespace: cluster?.namespace ?? KubeConnection.defaultNamespace, suite: suite)
        }
        if mode == "kubernetes" {
            let connection = try ClusterRunSettings.connection(kubeconfig: values.string("kubeconfig"))
            let client = KubeClient(
                connection: connection, rateLimiter: ClientRateLimiter(qps: reviewQPS, burst: reviewBurst),
                userAgent: "assay-evaluator")
            let namespace = cluster?.namespace ?? connection.namespace
            logger.info(
                "API authentication: Kubernetes TokenReview and SubjectAccessReview",
                [
                    "server": connection.server, "namespace": namespace,
                    "audiences": audiences.isEmpty ? "the API server's" : audiences.joined(separator: ","),
                ])
            return APIAccess(
                gate: AccessGuard(
                    authenticator: TokenReviewAuthenticator(client: client, audiences: audiences),
                    authorizer: SubjectAccessReviewAuthorizer(client: client), accessLog: accessLog),
                namespace: namespace, suite: suite)
        }
        guard insecure || isLoopback(host) else { throw AuthOptionError.unauthenticated(host: host) }
        logger.warning(
            insecure
                ? "authentication is off (--insecure-no-auth): anyone who can connect to \(host) may use this evaluator and its providers"
                : "authentication is off: \(host) is a loopback address and neither --auth-token-file nor --auth kubernetes is set; only local processes can reach the API"
        )
        return APIAccess(
            gate: AccessGuard(authenticator: nil, accessLog: accessLog),
            namespace: cluster?.namespace ?? KubeConnection.defaultNamespace, suite: suite)
    }

    /// `127.0.0.0/8`, `::1` or `localhost`: only this machine can connect.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// Authentication options that cannot start a safe server; the message says what to set.
enum AuthOptionError: Error, CustomStringConvertible {
    case conflict(String)
    case unauthenticated(host: String)

    var description: String {
        switch self {
        case .conflict(let message): message
        case .unauthenticated(let host):
            "refusing to serve on \(host) without authentication: anyone who can connect could use this evaluator's provider keys. "
                + "Set --auth-token-file FILE (static bearer tokens), --auth kubernetes (TokenReview and SubjectAccessReview), "
                + "or --insecure-no-auth to serve unauthenticated anyway"
        }
    }
}
