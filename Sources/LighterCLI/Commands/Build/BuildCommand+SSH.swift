import LighterBuild
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension BuildCommand {
    /// `--ssh` specs to agent sockets by id: a socket as given, key files loaded into a private agent
    /// (returned, to stop when the build ends). A later spec of the same id wins.
    static func sshAgents(_ specs: [String], into options: inout BuildOptions) throws(LighterError) -> [SSHAgent] {
        var agents: [SSHAgent] = []
        let environment = getenv("SSH_AUTH_SOCK").map { String(cString: $0) }
        do throws(LighterError) {
            for text in specs {
                let spec = try BuildSSH(parsing: text, environmentSocket: environment)
                switch spec.source {
                case let .socket(path):
                    options.ssh[spec.id] = path
                case let .keys(files):
                    let agent = try SSHAgent(keys: files)
                    agents.append(agent)
                    options.ssh[spec.id] = agent.socket
                }
            }
        } catch {
            agents.forEach { $0.stop() }
            throw error
        }
        return agents
    }
}
