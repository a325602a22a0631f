import LighterArguments
import LighterOCI
import LighterRegistry
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `login [-u USER] [-p PASS | --password-stdin] [SERVER]`.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Log in to a registry (credentials are stored 0600).")

    @OptionGroup var registry: RegistryCLIOptions
    @Option(name: .shortAndLong, help: "User name.") var username: String?
    @Option(name: .shortAndLong, help: "Password (prefer --password-stdin).") var password: String?
    @Flag(name: .long, help: "Read the password from standard input.") var passwordStdin = false
    @Argument(help: "Registry (default docker.io).") var server: String = Reference.defaultRegistry

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let (host, credentials) = try given()
            let options = try registry.registryOptions()
            let client = try RegistryClient(registry: host, options: options, credentials: credentials)
            try runBlocking { () async throws(LighterError) in try await client.verifyLoginAndShutdown() }
            try CredentialStore(options: options).save(credentials, for: host)
            Console.out("Login Succeeded")
        }
    }

    /// The registry and the credentials the flags (and standard input) give.
    func given() throws(LighterError) -> (host: String, credentials: Credentials) {
        let host = LoginCommand.registryName(server)
        guard let username, !username.isEmpty else { throw .invalidArgument("login: give a user name with --username") }
        var secret = password
        if passwordStdin {
            guard password == nil else { throw .invalidArgument("login: --password and --password-stdin are mutually exclusive") }
            let stdin = FileDescriptor(adopting: 0)
            defer { stdin.forget() }
            secret = String(decoding: try stdin.readAll(), as: UTF8.self).trimmed
        }
        guard let secret, !secret.isEmpty else { throw .invalidArgument("login: give a password with --password-stdin or --password") }
        return (host, Credentials(username: username, password: secret))
    }

    /// `https://host/`, `host` → `host`; Docker Hub's names → docker.io.
    static func registryName(_ server: String) -> String {
        var name = server
        for prefix in ["https://", "http://"] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        while name.hasSuffix("/") { name.removeLast() }
        if let slash = name.firstIndex(of: "/") { name = String(name[..<slash]) }
        return ["index.docker.io", "registry-1.docker.io", "docker.io"].contains(name) ? Reference.defaultRegistry : name
    }
}

/// `logout [SERVER]`.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Log out from a registry.")

    @Argument(help: "Registry (default docker.io).") var server: String = Reference.defaultRegistry

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let host = LoginCommand.registryName(server)
            if try CredentialStore(options: RegistryOptions()).remove(for: host) {
                Console.out("Removing login credentials for \(host)")
            } else {
                Console.out("Not logged in to \(host)")
            }
        }
    }
}
