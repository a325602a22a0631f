import LighterHTTP
import LighterOCI
import LighterRegistry
import LighterSystem

/// `push` and `login` against an Engine API. The credentials stay the client's, as with Docker's CLI:
/// `push` sends the ones the local `push` would use (Lighter's file, then Docker's config.json) in
/// `X-Registry-Auth`; `login` has the daemon check them (`POST /auth`) and stores them locally.
enum RemoteRegistry {
    /// The registry flags name the client's own registry settings, which a daemon does not take.
    static func refuseLocalSettings(_ options: RegistryCLIOptions, _ command: String) throws(LighterError) {
        var given: [String] = []
        if !options.insecureRegistries.isEmpty { given.append("--insecure-registry") }
        if options.certsDirectory != nil { given.append("--certs-dir") }
        if options.uploadChunkSize != nil { given.append("--upload-chunk-size") }
        guard given.isEmpty else {
            throw .unsupported(feature: "\(command) \(given.joined(separator: ", ")) with a remote daemon (the daemon's own registry settings apply)",
                               fix: "set them on the daemon (lighter daemon --insecure-registry …), or run `lighter \(command)` on the board itself")
        }
    }

    /// Docker's X-Registry-Auth: base64url of `{"username", "password", "serveraddress"}`.
    static func authHeader(_ credentials: Credentials, registry: String) -> String {
        let json = JSONNode.object(["username": .string(credentials.username), "password": .string(credentials.password),
                                    "serveraddress": .string(registry)]).serialized()
        return Base64.encode(json).replacing("+", with: "-").replacing("/", with: "_")
    }

    /// The client's stored credentials for `registry` as Docker's CLI sends them (none when it has none).
    static func authHeaders(for registry: String, options: RegistryOptions) throws(LighterError) -> [(String, String)] {
        guard let credentials = try CredentialStore(options: options).credentials(for: registry) else { return [] }
        return [("X-Registry-Auth", authHeader(credentials, registry: registry))]
    }

    /// A pull or push progress stream printed as Docker's CLI prints it without a terminal: one line per
    /// layer state (`ID: STATUS`), the byte-counting states (`hiding`) left out, nothing with `quiet`.
    /// The stream's error message is thrown once it has ended.
    static func printProgress(_ response: LighterHTTP.HTTPResponse, quiet: Bool, hiding: Set<String>,
                              print: (String) -> Void) throws(LighterError) {
        var failure: String?
        try JSONStream.each(response) { message in
            if let error = message[field: "error"]?.text, !error.isEmpty {
                failure = error
                return
            }
            let status = message[field: "status"]?.text ?? ""
            guard !quiet, !status.isEmpty, !hiding.contains(status) else { return }
            let id = message[field: "id"]?.text ?? ""
            print(id.isEmpty ? status : "\(id): \(status)")
        }
        if let failure { throw .registry(host: EngineAPIClient.daemonHost, message: failure) }
    }

    /// `push [-q] NAME[:TAG]`: the daemon's progress lines as Docker's CLI prints them without a terminal.
    static func push(_ command: PushCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        try refuseLocalSettings(command.registry, "push")
        let reference = try Reference(parsing: command.image)
        guard reference.digest == nil else { throw .invalidArgument("push \(command.image): push by tag, not by digest") }
        let headers = try authHeaders(for: reference.registry, options: try command.registry.registryOptions())
        var query: [(String, String)] = []
        if let tag = reference.tag { query.append(("tag", tag)) }
        let response = try client.request("POST", "/images/\(EngineAPIClient.escape(reference.familiarName))/push", query: query, headers: headers)
        try printProgress(response, quiet: command.quiet, hiding: ["Pushing"]) { Console.out($0) }
        if command.quiet { Console.out(reference.familiar) }
        return 0
    }

    /// `login`: checked by the daemon, stored in the client's own credentials file.
    static func login(_ command: LoginCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let (host, credentials) = try command.given()
        let body = JSONNode.object(["username": .string(credentials.username), "password": .string(credentials.password),
                                    "serveraddress": .string(host)]).serialized()
        try client.request("POST", "/auth", json: body).discard()
        try CredentialStore(options: try command.registry.registryOptions()).save(credentials, for: host)
        Console.out("Login Succeeded")
        return 0
    }
}
