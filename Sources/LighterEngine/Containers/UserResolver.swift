#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterRuntime
import LighterSystem

/// Resolves `-u user[:group]` (names or numbers) against the container's own /etc/passwd and
/// /etc/group, read through openat2(RESOLVE_IN_ROOT) so an image's symlinks cannot point elsewhere.
struct UserResolver {
    let rootfs: String

    func resolve(_ spec: String) throws(LighterError) -> RuntimeSpec.User {
        if spec.isEmpty { return RuntimeSpec.User(uid: 0, gid: 0, additionalGids: [0] + groups(of: "root", gid: 0)) }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let userPart = parts[0]
        let passwd = entries("etc/passwd")
        var uid: UInt32
        var gid: UInt32 = 0
        var name: String?
        if let number = UInt32(userPart) {
            uid = number
            if let entry = passwd.first(where: { $0.count > 3 && UInt32($0[2]) == number }) {
                gid = UInt32(entry[3]) ?? 0
                name = entry[0]
            }
        } else {
            guard let entry = passwd.first(where: { $0.first == userPart && $0.count > 3 }),
                  let u = UInt32(entry[2]), let g = UInt32(entry[3]) else {
                throw .containerStart(message: "unable to find user \(userPart): no matching entries in passwd file", exitCode: 125)
            }
            uid = u
            gid = g
            name = userPart
        }
        if parts.count == 2 {
            let groupPart = parts[1]
            if let number = UInt32(groupPart) {
                gid = number
            } else {
                guard let entry = entries("etc/group").first(where: { $0.first == groupPart && $0.count > 2 }), let g = UInt32(entry[2]) else {
                    throw .containerStart(message: "unable to find group \(groupPart): no matching entries in group file", exitCode: 125)
                }
                gid = g
            }
        }
        // As Docker (runc's GetExecUser): the primary group is also the first supplementary group.
        return RuntimeSpec.User(uid: uid, gid: gid, additionalGids: [gid] + (name.map { groups(of: $0, gid: gid) } ?? []))
    }

    /// `--group-add GROUP`: a number as is, a name from the container's /etc/group.
    func groupID(_ group: String) throws(LighterError) -> UInt32 {
        if let number = UInt32(group) { return number }
        guard let entry = entries("etc/group").first(where: { $0.first == group && $0.count > 2 }), let gid = UInt32(entry[2]) else {
            throw .containerStart(message: "Unable to find group \(group): no matching entries in group file", exitCode: 125)
        }
        return gid
    }

    /// The home directory of `uid` in the container's /etc/passwd: Docker's HOME (else /root for
    /// root, / for any other user).
    func home(of uid: UInt32) -> String {
        if let entry = entries("etc/passwd").first(where: { $0.count > 5 && UInt32($0[2]) == uid }), !entry[5].isEmpty { return entry[5] }
        return uid == 0 ? "/root" : "/"
    }

    /// `HOME=…` added to `env` unless it sets HOME already.
    func environment(_ env: [String], user: RuntimeSpec.User) -> [String] {
        env.contains(where: { $0.hasPrefix("HOME=") }) ? env : env + ["HOME=\(home(of: user.uid))"]
    }

    /// Supplementary groups, other than `gid`, that list `user` as a member.
    private func groups(of user: String, gid: UInt32) -> [UInt32] {
        entries("etc/group").compactMap { entry -> UInt32? in
            guard entry.count > 3, let g = UInt32(entry[2]), g != gid else { return nil }
            return entry[3].split(separator: ",").contains(Substring(user)) ? g : nil
        }
    }

    private func entries(_ path: String) -> [[String]] {
        let dirfd = lighter_open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard dirfd >= 0 else { return [] }
        defer { close(dirfd) }
        let fd = lighter_openat2(dirfd, path, UInt64(O_RDONLY | O_CLOEXEC), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT))
        guard fd >= 0 else { return [] }
        let file = FileDescriptor(adopting: fd)
        guard let bytes = try? file.readAll() else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
