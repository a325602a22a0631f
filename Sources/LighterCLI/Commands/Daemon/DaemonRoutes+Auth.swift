import LighterAPI
import LighterOCI
import LighterRegistry
import LighterSystem

/// `docker login` through the daemon (`POST /auth`): the credentials are checked against the registry
/// as `lighter login` checks them (the API root, answering its Basic or Bearer challenge); the client
/// keeps them (in its own config.json), the daemon stores nothing.
extension DaemonRoutes {
    static func addAuth(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/auth") { (request, responder) throws(LighterError) in
            let fields = try body(request)
            func field(_ name: String) -> String {
                if case let .string(value)? = fields[name] { return value }
                return ""
            }
            if !field("identitytoken").isEmpty || !field("registrytoken").isEmpty {
                throw .invalidArgument("login: identity and registry tokens are not supported by Lighter's daemon; log in with a user name and password")
            }
            let server = field("serveraddress").isEmpty ? Reference.defaultRegistry : field("serveraddress")
            let host = LoginCommand.registryName(server)
            let credentials: Credentials
            if !field("username").isEmpty {
                credentials = Credentials(username: field("username"), password: field("password"))
            } else if !field("auth").isEmpty {
                credentials = try Credentials(decoding: field("auth"), registry: host)
            } else {
                throw .invalidArgument("login: give a user name and a password")
            }
            let client = try RegistryClient(registry: host, options: RegistryOptions(), credentials: credentials)
            do throws(LighterError) {
                try runBlocking { () async throws(LighterError) in try await client.verifyLoginAndShutdown() }
            } catch {
                // Docker answers a refused login with 401 and the registry's reason.
                responder.error(401, APIRouter.message(for: error))
                return
            }
            responder.json(.object(["Status": .string("Login Succeeded"), "IdentityToken": .string("")]))
        }
    }
}
