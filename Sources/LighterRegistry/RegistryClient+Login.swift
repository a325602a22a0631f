import AsyncHTTPClient
import LighterSystem

extension RegistryClient {
    /// `login`: check the credentials by asking for the API root with them (answering a Basic or
    /// Bearer challenge as a pull would). Throws when the registry refuses them.
    public func verifyLogin() async throws(LighterError) {
        let response = try await send(.GET, "/v2/", scope: "")
        _ = try? await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else {
            throw .registry(host: registry, message: "login refused (HTTP \(response.status.code)): check the user name and password")
        }
    }
}
