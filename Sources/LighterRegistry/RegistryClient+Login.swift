import LighterSystem

extension RegistryClient {
    /// `login`: check the credentials by asking for the API root with them (answering a Basic or
    /// Bearer challenge as a pull would). Throws when the registry refuses them.
    public func verifyLogin() async throws(LighterError) {
        try await onThread { () throws(LighterError) in try self.verifyLoginSync() }
    }

    public func verifyLoginSync() throws(LighterError) {
        let response = try send("GET", "/v2/", scope: "")
        response.discard()
        guard response.status == 200 else {
            throw .registry(host: registry, message: "login refused (HTTP \(response.status)): check the user name and password")
        }
    }

    /// `verifyLogin` on a client made for it alone, its connections released whatever the answer.
    public func verifyLoginAndShutdown() async throws(LighterError) {
        do throws(LighterError) {
            try await verifyLogin()
            await shutdown()
        } catch {
            await shutdown()
            throw error
        }
    }
}
